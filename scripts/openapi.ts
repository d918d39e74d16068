/**
 * `npm run openapi:json [-- file]`: writes the OpenAPI document (default openapi.json).
 * `npm run openapi:types`: regenerates src/shared/api-types.ts from it.
 * `npm run openapi:lint`: runs redocly lint (redocly.yaml) and swagger-parser on it.
 * No server listens: the app is built on an in-memory PGlite (see openapi-tools.ts).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { API_TYPES_FILE, buildOpenApiDocument, generateApiTypes, lintOpenApi } from './openapi-tools.ts';

const [command, target] = process.argv.slice(2);

async function main(): Promise<number> {
  const document = await buildOpenApiDocument();
  if (command === 'json') {
    const file = resolve(target ?? 'openapi.json');
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${file}`);
    return 0;
  }
  if (command === 'types') {
    writeFileSync(API_TYPES_FILE, await generateApiTypes(document));
    console.log(`wrote ${API_TYPES_FILE}`);
    return 0;
  }
  if (command === 'lint') {
    let parserErrors = 0;
    try {
      await SwaggerParser.validate(structuredClone(document) as never);
      console.log('swagger-parser: valid');
    } catch (error) {
      parserErrors = 1;
      console.log(`swagger-parser: ${(error as Error).message}`);
    }
    const lint = await lintOpenApi(document);
    for (const line of lint.problems) console.log(line);
    console.log(`redocly: ${lint.errors} errors, ${lint.warnings} warnings`);
    return parserErrors || lint.errors ? 1 : 0;
  }
  console.error('usage: tsx scripts/openapi.ts json [file] | types | lint');
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
