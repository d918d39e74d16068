/**
 * The application: the HTTP shell (platform/http/app.ts) with every module mounted in it. The
 * entry points (src/server.ts, the CLI, the test helpers, the benches) build it here.
 */
import type { FastifyServerOptions } from 'fastify';
import { buildHttpApp } from '../platform/http/app.ts';
import type { Platform } from '../platform/platform.ts';
import { createModules } from './modules.ts';

/** Creates the HTTP app over an opened platform; with JOBS_IN_API it also consumes jobs. */
export async function buildApp(platform: Platform, logger: FastifyServerOptions['logger'] = false) {
  const modules = createModules(platform);
  const app = await buildHttpApp(platform, logger, (api) => modules.mount(api));
  app.addHook('onClose', () => modules.close());
  // Handlers are registered by createModules; only then may this process consume jobs.
  if (platform.config.JOBS_IN_API) await platform.queue.start();
  // Domain events to RabbitMQ (when configured): stopped by platform.close().
  platform.relay?.start();
  return { app, services: modules.services };
}
