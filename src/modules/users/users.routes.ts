/** Login (rate-limited), the caller's identity, and user creation by admins. */
import { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { PERMISSIONS, ROLE_NAMES } from '../../platform/auth/permissions.ts';
import { BusinessRuleError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { assertMayGrant } from './users.policy.ts';
import type { UserService } from './users.service.ts';

const tags = ['auth'];
const loginBody = z.strictObject({
  tenant: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .meta({ description: "The tenant's identifier (UUID or slug), as in tokens' tenant_id" }),
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});
const userBody = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(12, { message: 'password must be at least 12 characters' }).max(1024),
  roles: z.array(z.enum(ROLE_NAMES)).min(1).max(10),
  display_name: z.string().trim().min(1).max(255).optional(),
});

const directoryQuery = z.strictObject({
  limit: z.coerce
    .number({ message: 'limit must be a whole number 1-1000' })
    .int('limit must be a whole number 1-1000')
    .min(1, 'limit must be a whole number 1-1000')
    .max(1000, 'limit must be a whole number 1-1000')
    .default(1000),
});

/** Registers /auth routes and /users. */
export function userRoutes(app: App, auth: Authenticator, usersSvc: UserService, config: AppConfig): void {
  app.post(
    '/auth/login',
    {
      config: { rateLimit: { max: config.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Log in with tenant, email and password; returns a bearer token',
        security: [],
        body: loginBody,
        response: {
          200: z.object({
            access_token: z.string(),
            token_type: z.literal('Bearer'),
            expires_in: z.number().int(),
            user: z.object({
              user_id: z.string(),
              email: z.string(),
              roles: z.array(z.string()),
              tenant_id: z.string(),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (config.oidc) {
        throw new BusinessRuleError(
          'login_disabled',
          'Password login is disabled when JWKS_URL or OIDC_ISSUER_URL is set: sign in through your identity provider',
        );
      }
      return usersSvc.login(req.body.tenant, req.body.email, req.body.password);
    },
  );

  app.get(
    '/auth/config',
    {
      schema: {
        tags,
        summary: 'How to sign in (public): password login, or the OIDC provider and client the web app uses',
        security: [],
        response: {
          200: z.object({
            password_login: z.boolean(),
            oidc: z
              .object({
                issuer: z
                  .string()
                  .meta({ description: 'OIDC_ISSUER_URL (discovery at /.well-known/openid-configuration)' }),
                client_id: z.string(),
                scope: z.string(),
              })
              .nullable()
              .meta({
                description: 'Set when OIDC_ISSUER_URL and OIDC_CLIENT_ID are: authorization code + PKCE',
              }),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({
      password_login: !config.oidc,
      oidc:
        config.OIDC_ISSUER_URL && config.OIDC_CLIENT_ID
          ? { issuer: config.OIDC_ISSUER_URL, client_id: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPE }
          : null,
    }),
  );

  app.get(
    '/auth/me',
    {
      onRequest: auth.require(),
      schema: {
        tags,
        summary: 'Who the token says you are, with your effective permissions',
        response: {
          200: z.object({
            user_id: z.string(),
            tenant_id: z.string(),
            tenant_uuid: z.uuid(),
            email: z.string().nullable(),
            roles: z.array(z.string()),
            permissions: z.array(z.string()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const ctx = ctxOf(req);
      return {
        user_id: ctx.userId,
        tenant_id: ctx.tenantKey,
        tenant_uuid: ctx.tenantId,
        email: ctx.email ?? null,
        roles: ctx.roles,
        permissions: PERMISSIONS.filter((p) => ctx.permissions.has(p)),
      };
    },
  );

  app.get(
    '/users',
    {
      onRequest: auth.require(),
      schema: {
        tags,
        summary:
          "Your tenant's users, by email: who changed what is named by user id elsewhere, and this says who that is (roles only for users:manage)",
        querystring: directoryQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                user_id: z.string(),
                email: z.string(),
                display_name: z.string().nullable(),
                is_active: z.boolean(),
                roles: z.array(z.string()).optional(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ items: await usersSvc.directory(ctxOf(req), req.query.limit) }),
  );

  app.post(
    '/users',
    {
      onRequest: auth.require('users:manage'),
      schema: {
        tags,
        summary:
          'Create a user in your tenant (you can grant only roles whose permissions you hold: 403 grant_not_allowed)',
        body: userBody,
        response: {
          201: z.object({ user_id: z.uuid(), email: z.string(), roles: z.array(z.string()) }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      assertMayGrant(ctx, req.body.roles);
      const u = await usersSvc.create(
        ctx.tenantKey,
        ctx.userId,
        {
          email: req.body.email,
          password: req.body.password,
          roles: req.body.roles,
          displayName: req.body.display_name,
        },
        req.id,
      );
      return reply.status(201).send({ user_id: u.id, email: u.email, roles: u.roles });
    },
  );
}
