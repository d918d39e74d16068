/** GET /metrics (Prometheus text format) and the hooks that count HTTP requests and WebSocket traffic. */
import { timingSafeEqual } from 'node:crypto';
import type { Platform } from '../platform.ts';
import { UnauthorizedError } from './errors.ts';
import type { App } from './types.ts';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Counts every request by route pattern (never the raw URL: ids would explode the series) and serves /metrics. */
export function registerMetrics(app: App, platform: Platform): void {
  const { metrics, config } = platform;
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onReady', async () => {
    const wss = (app as unknown as { websocketServer?: import('ws').WebSocketServer }).websocketServer;
    wss?.on('connection', (socket) => {
      metrics.wsConnections.inc();
      socket.on('message', () => metrics.wsMessages.inc());
      socket.once('close', () => metrics.wsConnections.dec());
    });
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const token = config.METRICS_TOKEN;
    if (token) {
      const header = req.headers.authorization ?? '';
      if (!header.startsWith('Bearer ') || !sameSecret(header.slice(7).trim(), token))
        throw new UnauthorizedError('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
