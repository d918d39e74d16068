/** Liveness (/health) and readiness (/ready: database and cache reachable). */
import { z } from 'zod';
import type { Platform } from '../platform.ts';
import type { App } from './types.ts';

const check = async (fn: () => Promise<void>) => {
  try {
    await fn();
    return 'ok';
  } catch {
    return 'unreachable';
  }
};

/** Registers /health and /ready. */
export function healthRoutes(app: App, platform: Platform): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database and the cache answer',
        security: [],
        response: {
          200: z.object({ status: z.string(), database: z.string(), cache: z.string() }),
          503: z.object({ status: z.string(), database: z.string(), cache: z.string() }),
        },
      },
    },
    async (_req, reply) => {
      const database = await check(() => platform.database.ping());
      const cache = await check(() => platform.cache.ping());
      const ok = database === 'ok' && cache === 'ok';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', database, cache });
    },
  );
}
