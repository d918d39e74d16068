/**
 * The events module: the read route of the domain events outbox (`GET /events`). Services emit
 * events with `emit()` from src/platform/events/outbox.ts; the relay is platform code too.
 */
import type { ModuleContext, ModuleDefinition } from '../../platform/module.ts';
import { eventRoutes } from './events.routes.ts';

export function eventsModule({ deps }: ModuleContext): ModuleDefinition {
  return { name: 'events', services: {}, routes: (api, auth) => eventRoutes(api, auth, deps.db) };
}
