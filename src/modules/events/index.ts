/**
 * The public surface of the events module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file (biome.json, noRestrictedImports; docs/architecture.md).
 */

export { eventsModule } from './events.module.ts';
