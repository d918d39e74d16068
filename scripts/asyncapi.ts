/**
 * `npm run asyncapi`: writes docs/asyncapi.json (AsyncAPI 3.0) and docs/events/<type>.v<N>.json
 * (one JSON Schema per event type) from the event catalogue (src/platform/events/catalog.ts).
 * src/platform/events/asyncapi.test.ts fails when the committed files differ from the catalogue.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildAsyncApi } from '../src/platform/events/asyncapi.ts';
import { EVENT_CATALOG, EVENT_TYPES, eventJsonSchema } from '../src/platform/events/catalog.ts';

export const ASYNCAPI_FILE = resolve('docs/asyncapi.json');
export const SCHEMA_DIR = resolve('docs/events');

mkdirSync(SCHEMA_DIR, { recursive: true });
writeFileSync(ASYNCAPI_FILE, `${JSON.stringify(buildAsyncApi(), null, 2)}\n`);
console.log(`wrote ${ASYNCAPI_FILE}`);
for (const type of EVENT_TYPES) {
  const file = resolve(SCHEMA_DIR, `${type}.v${EVENT_CATALOG[type].version}.json`);
  writeFileSync(file, `${JSON.stringify(eventJsonSchema(type), null, 2)}\n`);
}
console.log(`wrote ${EVENT_TYPES.length} schemas in ${SCHEMA_DIR}`);
// In the repository's JSON style, so that `npm run check` (Biome) stays clean.
spawnSync('npx', ['biome', 'format', '--write', ASYNCAPI_FILE, SCHEMA_DIR], { stdio: 'inherit' });
