/** REST routes of the tenant settings. */
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { settingsResponse, settingsUpdateSchema } from './settings.schema.ts';
import type { SettingsService } from './settings.service.ts';

const tags = ['settings'];

/** Registers /settings routes. */
export function settingsRoutes(app: App, auth: Authenticator, settings: SettingsService): void {
  app.get(
    '/settings',
    {
      onRequest: auth.require(),
      schema: {
        tags,
        summary: "The tenant's settings (fiscal year start month, negative lines, fiscal year window)",
        response: { 200: settingsResponse, ...errorResponses },
      },
    },
    async (req) => settings.get(ctxOf(req)),
  );

  app.put(
    '/settings',
    {
      onRequest: auth.require('users:manage'),
      schema: {
        tags,
        summary:
          "Change the tenant's settings (needs users:manage; audited; existing budgets keep their dates)",
        body: settingsUpdateSchema,
        response: { 200: settingsResponse, ...errorResponses },
      },
    },
    async (req) => settings.update(ctxOf(req), req.body),
  );
}
