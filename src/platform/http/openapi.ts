/**
 * The OpenAPI 3.1 document (/docs/json, Swagger UI at /docs): @fastify/swagger over the routes'
 * zod schemas, completed here by one transform with what is uniform across routes, so that a
 * route declares only what is its own (summary, tags, schemas, the errors of its rules):
 * - a stable camelCase operationId (openapi-names.ts);
 * - the error responses every route of a kind can give: 401/403 when it needs a token, 400 when
 *   it takes input, 413/415 when it takes a body, 429 when it is rate-limited, 503 when it may queue a job; all in the one
 *   error shape, the `Error` component;
 * - a description for every response;
 * - raw-body uploads (`consumes` without `body`) as binary request bodies of those media types,
 *   downloads (`produces`) as binary responses of those media types.
 * A route is public when its schema says `security: []`.
 */
import swagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { API_TAGS, deriveOperationId, OPERATION_ID_OVERRIDES, openApiPath } from './openapi-names.ts';
import { API_PREFIX, type App, errorResponse } from './types.ts';

type Json = Record<string, unknown>;

/** What each status means wherever the route gives no description of its own. */
const STATUS_DESCRIPTIONS: Readonly<Record<string, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the work runs as a background job (follow it at GET /jobs/{id})',
  204: 'Done; no body',
  400: 'Validation failed: each entry of `errors` names the field (`path`) and the rule (`code`)',
  401: 'Missing, malformed or expired bearer token',
  403: 'The token lacks a permission this operation needs',
  404: "Not found (also another tenant's id)",
  409: 'Conflict: a stale version (`current_version` holds the one to send) or a duplicate',
  413: 'Body larger than the limit (BODY_LIMIT_BYTES)',
  415: 'Unsupported content type',
  422: 'A business rule refused the request (`code` names the rule)',
  429: 'Too many requests: retry after the number of seconds in `retry-after`',
  503: 'Service unavailable: a dependency does not answer (Redis, for queueing a job); nothing was committed; retry after `retry-after`',
};

const HEADERS: Readonly<Record<string, Json>> = {
  429: { 'retry-after': { type: 'integer', description: 'Seconds until a new request is allowed' } },
};

const BINARY = { type: 'string', format: 'binary' };

const IDEMPOTENCY_HEADERS: Json = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description:
        'Makes a retry safe: the same key with the same request replays the first response (`idempotent-replayed: true`); with another request it is 422 `idempotency_key_reused`; while the first still runs, 409 `idempotency_key_in_use`. Kept IDEMPOTENCY_TTL_HOURS (24) per tenant.',
    },
  },
};
const JSON_TYPE = 'application/json';

const isSuccess = (status: string) => status.startsWith('2');

/** Adds the errors a route of its kind can give, in the one error shape. */
function withUniformErrors(
  schema: FastifySchema,
  rateLimited: boolean,
  idempotent: boolean,
): Record<string, unknown> {
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const takesBody = Boolean(schema.body || schema.consumes);
  const statuses = [
    ...(schema.body || schema.consumes || schema.querystring || schema.params ? [400] : []),
    ...(schema.security?.length === 0 ? [] : [401, 403]),
    ...(takesBody ? [413, 415] : []),
    ...(rateLimited ? [429] : []),
    // Work that may become a background job needs the queue: with Redis down it is refused.
    ...('202' in declared ? [503] : []),
    // Idempotency-Key: 409 while the first request runs, 422 for a key reused on another request.
    ...(idempotent ? [409, 422] : []),
  ];
  const added = Object.fromEntries(statuses.map((s) => [String(s), errorResponse]));
  return { ...added, ...declared };
}

/** A response object with a description and its media types (errors are always JSON). */
function responseObject(status: string, schema: Json, produces: readonly string[] | undefined): Json {
  const description =
    (typeof schema.description === 'string' && schema.description) ||
    STATUS_DESCRIPTIONS[status] ||
    'Response';
  const out: Json = { description };
  const headers: Json = { ...HEADERS[status] };
  const download = isSuccess(status) && produces?.length;
  if (download) headers['content-disposition'] = { type: 'string', description: 'attachment; filename="…"' };
  if (Object.keys(headers).length) out.headers = headers;
  // No body: @fastify/swagger reads `type: 'null'` on the response as "no content".
  if (schema.type === 'null') return { ...out, type: 'null' };
  const types = download ? produces : [JSON_TYPE];
  out.content = Object.fromEntries(
    // A report served as JSON or as a download keeps its JSON schema beside the download's.
    types.map((t) => [t, { schema: t === JSON_TYPE ? schema : { ...BINARY, contentMediaType: t } }]),
  );
  return out;
}

/** The per-route transform: zod to JSON Schema, then the uniform parts. */
const documentRoute: SwaggerTransform = (input) => {
  const { schema, url, route } = input;
  if (!schema || schema.hide) return jsonSchemaTransform(input);
  const method = String(Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase();
  const path = openApiPath(url.startsWith(API_PREFIX) ? url.slice(API_PREFIX.length) : url);
  const rateLimited = Boolean((route.config as { rateLimit?: unknown } | undefined)?.rateLimit);
  const { consumes, produces, ...rest } = schema;
  // Idempotency keys apply to authenticated POSTs with a parsed body or none (not raw uploads).
  const idempotent =
    method === 'POST' && schema.security?.length !== 0 && !(consumes?.length && !schema.body);
  const transformed = jsonSchemaTransform({
    ...input,
    schema: {
      ...rest,
      operationId: schema.operationId ?? deriveOperationId(method, path),
      response: withUniformErrors(schema, rateLimited, idempotent),
    },
  });
  const out = transformed.schema as Json;
  if (idempotent) out.headers = IDEMPOTENCY_HEADERS;
  const responses = (out.response ?? {}) as Record<string, Json>;
  out.response = Object.fromEntries(
    Object.entries(responses).map(([status, json]) => [status, responseObject(status, json, produces)]),
  );
  if (consumes?.length && !schema.body) {
    // A raw-body upload: the handler reads the stream itself, so there is no body schema to
    // validate with; the document still says what to send.
    out.body = {
      content: Object.fromEntries(consumes.map((t) => [t, { schema: { ...BINARY, contentMediaType: t } }])),
    };
  } else if (consumes?.length) {
    out.consumes = consumes;
  }
  return { schema: out as FastifySchema, url: transformed.url };
};

/** Names of the component schemas a value references. */
function refsIn(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) =>
    decodeURIComponent(m[1]!),
  );
}

/**
 * Components from the zod registry (`.meta({ id })`), minus the ones nothing references (zod
 * derives an input and an output variant of each; a response-only schema needs one).
 */
function withReferencedComponents(doc: Json): Json {
  const components = (doc.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;
  const used = new Set<string>();
  const pending = refsIn({ ...doc, components: { ...components, schemas: {} } });
  while (pending.length) {
    const name = pending.pop()!;
    if (used.has(name) || !(name in schemas)) continue;
    used.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...components, schemas: kept } };
}

/** Fails the document when two operations share an operationId or an override matches no route. */
function checkOperationIds(doc: Json): void {
  const seen = new Map<string, string>();
  const routes = new Set<string>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path}`;
      routes.add(key);
      const id = String(operation.operationId);
      const other = seen.get(id);
      if (other) throw new Error(`OpenAPI: operationId ${id} is used by ${other} and ${key}`);
      seen.set(id, key);
    }
  }
  const stale = Object.keys(OPERATION_ID_OVERRIDES).filter((key) => !routes.has(key));
  if (stale.length) throw new Error(`OpenAPI: operationId overrides match no route: ${stale.join(', ')}`);
}

const completeDocument: SwaggerTransformObject = (input) => {
  const doc = withReferencedComponents(jsonSchemaTransformObject(input) as Json);
  checkOperationIds(doc);
  return doc;
};

/** Registers @fastify/swagger (the document at /docs/json) and Swagger UI at /docs. */
export async function registerOpenApi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'APG Budgeting & Forecasting API',
        version: '0.1.0',
        description:
          'Budgets, lines, planning, actuals, variance, forecasting, recommendations and collaboration over REST. ' +
          'Money is a decimal string with two decimals. Every 4xx has one shape: ' +
          '{ message, code, errors: [{ path, code, message }], request_id }. See docs/api.md.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'The server that serves this document' }],
      tags: API_TAGS.map((t) => ({ ...t })),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: documentRoute,
    transformObject: completeDocument,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

/**
 * A request body schema with a documented example (the media type's `examples` in the
 * document). zod leaves `examples` out of input schemas that transform, so this goes through
 * @fastify/swagger's `x-examples`; the example is type-checked against the schema's input.
 */
export function withExample<T extends z.ZodType>(schema: T, summary: string, value: z.input<T>): T {
  return schema.meta({ 'x-examples': { [summary.replace(/\W+/g, '_').toLowerCase()]: { summary, value } } });
}
