/**
 * The public surface of the sample module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */
export { SAMPLE_TENANT, SAMPLE_USERS } from './sample.company.ts';
export type { SampleServices } from './sample.service.ts';
export { describeSample, parseAsOf, seedSample } from './sample.service.ts';
