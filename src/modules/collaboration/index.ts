/**
 * The public surface of the collaboration module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */
export type { Collaboration } from './collaboration.module.ts';
export { collaborationModule } from './collaboration.module.ts';
