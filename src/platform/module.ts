/**
 * The one shape every domain module has: its `<domain>.module.ts` returns a ModuleDefinition,
 * and the composition root (src/app/modules.ts) assembles the list: it registers the job
 * handlers on the queue, the change listeners on the change hooks and mounts the routes under
 * the API prefix (behind the module's feature switch, if any). Nothing here knows a domain.
 */
import type { Authenticator } from './auth/authenticate.ts';
import type { ChangeHooks, ChangeListener } from './events/change-hooks.ts';
import type { Feature } from './features.ts';
import type { App } from './http/types.ts';
import type { Platform } from './platform.ts';
import type { JobHandler } from './queue/queue.ts';
import type { ServiceDeps } from './services.ts';

/** Job handlers by job type. `never` lets each handler name its own payload type. */
export type JobHandlers = Readonly<Record<string, JobHandler<never>>>;

/** What one module contributes to the application. */
export interface ModuleDefinition<S extends object = object> {
  /** The module's folder name under src/modules. */
  readonly name: string;
  /** A setting that switches the module off: its routes answer 404, its jobs fail at once. */
  readonly feature?: Feature;
  /** The services it offers to other modules (and to the tests through buildApp). */
  readonly services: S;
  /** Its routes, mounted in the API scope. */
  readonly routes?: (api: App, auth: Authenticator) => void;
  /** Its background job handlers (run by the API process with JOBS_IN_API, and by `bf worker`). */
  readonly jobs?: JobHandlers;
  /** Its listeners on budget and line changes (told inside the writing transaction). */
  readonly listeners?: readonly ChangeListener[];
  /** Stops what the module owns (worker threads). */
  readonly close?: () => Promise<void>;
}

/** What every module factory is given: the opened platform and the services' dependencies. */
export interface ModuleContext {
  readonly platform: Platform;
  readonly deps: ServiceDeps & { changes: ChangeHooks };
}
