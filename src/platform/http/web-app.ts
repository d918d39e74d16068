/**
 * Serves the web application (the production build in web/dist) from the API's own process:
 * hashed assets under /assets/ with a year-long immutable cache, every other file and
 * index.html revalidated on each load (`no-cache`), and client-side routes (a browser
 * navigating to /budgets/123) answered with index.html. API paths and requests that do not ask
 * for HTML keep the JSON 404 of the error handler: `curl /nope` is still `route_not_found`.
 * Depends on nothing in src/modules/: it only knows where the build is.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from './types.ts';

/** Where `npm run build:web` writes the build (scripts/build-web.mjs). */
export const WEB_DIST_DIR = resolve(import.meta.dirname, '..', '..', '..', 'web', 'dist');

/** Paths that belong to the service, never to the SPA: they answer their own JSON 404s. */
const SERVICE_PATHS = [API_PREFIX, '/api/', '/docs', '/health', '/ready', '/metrics', '/openapi'];

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface WebAppOptions {
  /** The directory of the build (default web/dist of this checkout). */
  root?: string;
}

function isServicePath(path: string): boolean {
  return SERVICE_PATHS.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/** A browser navigation (or a client that asks for HTML) to a path without a file extension. */
function wantsDocument(req: FastifyRequest, path: string): boolean {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/html')) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Budgeting &amp; Forecasting</title></head>
<body><h1>The web application is not built</h1><p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it when needed), then reload. The API is at <a href="/docs">/docs</a>.</p></body></html>`;

/** The Fastify plugin: register once on the root app (`app.register(webApp)`), after the security headers. */
export async function webApp(app: FastifyInstance, options: WebAppOptions = {}): Promise<void> {
  const root = options.root ?? WEB_DIST_DIR;
  const built = existsSync(join(root, 'index.html'));

  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      // One route per file found at start-up: unknown paths fall through to the route below.
      wildcard: false,
      index: false,
      // Our own cache-control per file: hashed names never change, everything else revalidates.
      cacheControl: false,
      setHeaders(reply, filePath) {
        reply.header('cache-control', filePath.startsWith(join(root, 'assets')) ? IMMUTABLE : REVALIDATE);
      },
    });
  }

  const sendIndex = (reply: FastifyReply) => {
    if (!built) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    reply.header('cache-control', REVALIDATE);
    return reply.sendFile('index.html', root, { cacheControl: false });
  };

  // Client-side routes: a request nothing else routed (the not-found route) that is a browser
  // navigation gets index.html. A hook on that route, not a `/*` route: a catch-all route would
  // also swallow what the router answers itself (414 for an over-long path parameter).
  app.addHook('onRequest', async (req, reply) => {
    if (!req.is404 || (req.method !== 'GET' && req.method !== 'HEAD')) return;
    const path = req.url.split('?')[0] ?? '/';
    if (isServicePath(path) || !wantsDocument(req, path)) return;
    return sendIndex(reply);
  });
  app.get('/', { schema: { hide: true } }, (_req, reply) => sendIndex(reply));
}

/**
 * Not encapsulated (what fastify-plugin does): the hook above must sit on the root, where the
 * not-found route lives.
 */
Object.assign(webApp, { [Symbol.for('skip-override')]: true });
