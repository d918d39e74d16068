/**
 * The public surface of the jobs module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { jobsModule } from './jobs.module.ts';
export { jobResponse, jobRoutes, presentJob } from './jobs.routes.ts';
