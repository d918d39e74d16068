/**
 * The public surface of the users module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */

export { usersModule } from './users.module.ts';
export { UserService } from './users.service.ts';
