/** GET/PUT/DELETE /users/:userId/department-scope: admins limit a user to departments. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import type { DepartmentScopeService } from './department-scope.service.ts';

const tags = ['auth'];
const params = z.strictObject({
  userId: z.string().trim().min(1).max(255).meta({ description: "The user's id: the token's `sub`" }),
});
const departmentCode = z
  .string()
  .trim()
  .min(1, { message: 'a department code must not be empty' })
  .max(255, { message: 'a department code has at most 255 characters' });
const body = z.strictObject({
  departments: z
    .array(departmentCode)
    .max(1000, { message: 'departments holds at most 1000 codes' })
    .meta({ description: 'Department codes (as lines carry them in department_id); [] allows none' }),
});
const scopeView = z.object({
  user_id: z.string(),
  departments: z.array(z.string()).nullable().meta({
    description: 'The departments the user may see and edit; null: every department (unrestricted)',
  }),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});

/** Registers the department-scope routes (permission users:manage). */
export function departmentScopeRoutes(app: App, auth: Authenticator, scopes: DepartmentScopeService): void {
  app.get(
    '/users/:userId/department-scope',
    {
      onRequest: auth.require('users:manage'),
      schema: {
        tags,
        summary: "A user's department scope (null departments: unrestricted)",
        params,
        response: { 200: scopeView, ...errorResponses },
      },
    },
    async (req) => scopes.get(ctxOf(req), req.params.userId),
  );

  app.put(
    '/users/:userId/department-scope',
    {
      onRequest: auth.require('users:manage'),
      schema: {
        tags,
        summary:
          'Limit a user to departments: they then see and edit only budgets, lines, periods, actuals, variance, recommendations and collaboration of those departments (enforced by row-level security; a scoped admin grants only within their own scope: 403 grant_not_allowed)',
        params,
        body,
        response: { 200: scopeView, ...errorResponses },
      },
    },
    async (req) => scopes.set(ctxOf(req), req.params.userId, req.body.departments),
  );

  app.delete(
    '/users/:userId/department-scope',
    {
      onRequest: auth.require('users:manage'),
      schema: {
        tags,
        summary: "Remove a user's department scope (unrestricted again; only an unrestricted admin may)",
        params,
        response: { 200: scopeView, ...errorResponses },
      },
    },
    async (req) => scopes.clear(ctxOf(req), req.params.userId),
  );
}
