/** The jobs module: the job status routes (the queue itself is platform). */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { jobRoutes } from './jobs.routes.ts';

export function jobsModule({ deps }: ModuleContext): ModuleDefinition {
  return { name: 'jobs', services: {}, routes: (api, auth) => jobRoutes(api, auth, deps.db) };
}
