/**
 * The public surface of the workflow module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { workflowModule } from './workflow.module.ts';
export { WorkflowService } from './workflow.service.ts';
