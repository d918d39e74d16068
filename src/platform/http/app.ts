/**
 * Builds the Fastify application around the API: plugins, error handling, OpenAPI, health, the
 * WebSocket gateway, and the API scope into which the composition root (src/app/app.ts) mounts
 * every module's routes. No domain here: this file imports nothing from src/modules.
 */

import compress from '@fastify/compress';
import rateLimit from '@fastify/rate-limit';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { v7 as uuidv7 } from 'uuid';
import type { Platform } from '../platform.ts';
import { registerWebSocket } from '../ws/gateway.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './error-handler.ts';
import { healthRoutes } from './health.routes.ts';
import { registerIdempotency } from './idempotency.ts';
import { installJsonBodyParser } from './json-body.ts';
import { registerMetrics } from './metrics.routes.ts';
import { rejectNulCharacters } from './nul-guard.ts';
import { registerOpenApi } from './openapi.ts';
import { redisWithLocalFallback } from './rate-limit-store.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { API_PREFIX, type App } from './types.ts';
import { closeIfBodyUnread } from './uploads.ts';
import { webApp } from './web-app.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Creates the HTTP app over an opened platform; `mountApi` registers the routes under API_PREFIX. */
export async function buildHttpApp(
  platform: Platform,
  logger: FastifyServerOptions['logger'],
  mountApi: (api: App) => void,
): Promise<App> {
  const { config } = platform;
  const app = Fastify({
    logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
    ajv: undefined,
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>() as App;

  // The API speaks JSON only: a text/plain body would reach the schemas as a string (a
  // confusing 400); without the default text parser it is the 415 it should be.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  // Responses are shaped by presenters; serialising without re-validation keeps large budgets fast.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Traces (when tracing is on): the server span is named by the route pattern, not the URL.
  app.addHook('onRequest', async (req) => {
    const span = trace.getActiveSpan();
    const route = req.routeOptions.url;
    if (!span || !route) return;
    span.updateName(`${req.method} ${route}`);
    span.setAttribute('http.route', route);
    span.setAttribute('http.request_id', req.id);
  });
  // The JSON parser checks the body for NUL; this hook checks query and path (never a stream).
  installJsonBodyParser(app);
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('onSend', closeIfBodyUnread);
  installErrorHandling(app);
  registerIdempotency(app, platform.database.db, { ttlHours: config.IDEMPOTENCY_TTL_HOURS });
  // gzip for clients that accept it (after the hooks above, so idempotency keeps the plain body):
  // a 10,000-line grid is 4.8 MB of JSON and about a tenth of that on the wire. Level 4: within
  // a few percent of the default's size at about half its CPU. Already compressed types (XLSX,
  // images) and bodies under 2 KB are sent as they are.
  await app.register(compress, {
    global: true,
    encodings: ['gzip'],
    threshold: 2048,
    zlibOptions: { level: 4 },
  });

  // With Redis the login limit is shared by every process; otherwise, and while Redis is
  // down, it is counted per process (rate-limit-store.ts): an outage never fails a login.
  if (platform.redis) platform.redis.setLog(app.log);
  const rateLimitRedis = platform.redis?.connect('login rate limit');
  if (rateLimitRedis)
    app.addHook(
      'onClose',
      async () => void (await rateLimitRedis.quit().catch(() => rateLimitRedis.disconnect())),
    );
  await app.register(rateLimit, {
    global: false,
    ...(rateLimitRedis
      ? { store: redisWithLocalFallback(rateLimitRedis, `${platform.keyPrefix}rl:`), skipOnError: false }
      : {}),
  });
  await registerSecurityHeaders(app, config.OIDC_CLIENT_ID ? config.OIDC_ISSUER_URL : undefined);
  await registerOpenApi(app);

  await registerWebSocket(app, config);
  healthRoutes(app, platform);
  registerMetrics(app, platform);
  await app.register(async (api) => mountApi(api as App), { prefix: API_PREFIX });
  // Plugins serving more than the API (e.g. the web app's static files) register here, after it.
  await app.register(webApp);
  return app;
}
