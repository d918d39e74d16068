/**
 * Features a setting switches off (the guide's BFServiceConfig flags), decided in one place:
 * a disabled feature's routes answer 404 `feature_disabled` naming the setting, its WebSocket
 * closes with 4503, and its job handlers fail at once with the same message instead of running.
 */
import type { AppConfig } from '../config/env.ts';
import { AppError } from './http/errors.ts';
import type { App } from './http/types.ts';
import { type JobQueue, PermanentJobError } from './queue/queue.ts';

export interface Feature {
  setting: 'ML_ENABLED' | 'AI_RECOMMENDATIONS_ENABLED' | 'REAL_TIME_COLLABORATION_ENABLED';
  /** Subject of the message: "<subject> disabled on this server". */
  subject: string;
}

export const FEATURES = {
  forecasting: { setting: 'ML_ENABLED', subject: 'Forecasting is' },
  recommendations: { setting: 'AI_RECOMMENDATIONS_ENABLED', subject: 'Recommendations are' },
  collaboration: { setting: 'REAL_TIME_COLLABORATION_ENABLED', subject: 'Real-time collaboration is' },
} as const satisfies Record<string, Feature>;

/** WebSocket close code of a disabled feature's socket (docs/collaboration.md). */
export const FEATURE_DISABLED_CLOSE_CODE = 4503;

/** "Recommendations are disabled on this server (AI_RECOMMENDATIONS_ENABLED=false)". */
export function disabledMessage(f: Feature): string {
  return `${f.subject} disabled on this server (${f.setting}=false)`;
}

/** Whether the feature is on in this process. */
export function isEnabled(config: AppConfig, f: Feature): boolean {
  return config[f.setting];
}

/** 404: the route exists in the product but its feature is switched off here. */
export class FeatureDisabledError extends AppError {
  override name = 'FeatureDisabledError';
  constructor(f: Feature) {
    const message = disabledMessage(f);
    super(404, 'feature_disabled', message, [{ path: f.setting, code: 'feature_disabled', message }]);
  }
}

/**
 * Registers a module's routes in a scope of their own behind the feature's setting. Disabled:
 * every HTTP request of the scope gets 404 `feature_disabled` before authentication or body
 * parsing (WebSocket upgrades pass, and the socket closes with 4503). Either way each
 * operation's OpenAPI description says so.
 */
export function registerFeature(app: App, config: AppConfig, f: Feature, routes: (scope: App) => void): void {
  const note = `Part of an optional feature: answers 404 \`feature_disabled\` when \`${f.setting}=false\`.`;
  app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      if (route.websocket) return;
      route.schema ??= {};
      const schema = route.schema as { description?: string };
      if (!schema.description?.includes(note))
        schema.description = schema.description ? `${schema.description}\n\n${note}` : note;
    });
    if (!isEnabled(config, f))
      scope.addHook('onRequest', async (req) => {
        if (!req.ws) throw new FeatureDisabledError(f);
      });
    routes(scope as unknown as App);
  });
}

/** The queue as a disabled feature's module sees it: its handlers fail at once, naming the setting. */
export function featureJobs(queue: JobQueue, config: AppConfig, f: Feature): Pick<JobQueue, 'register'> {
  if (isEnabled(config, f)) return queue;
  return {
    register: (type) =>
      queue.register(type, async () => {
        throw new PermanentJobError(disabledMessage(f));
      }),
  };
}
