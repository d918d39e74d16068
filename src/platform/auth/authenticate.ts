/** Turns a request's bearer token into a TenantContext, registering unseen tenants on first use. */
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db/client.ts';
import { tenants } from '../db/schema.ts';
import { UnauthorizedError } from '../http/errors.ts';
import { sameTenantKey, type TenantContext, tenantIdFromKey, withTenant } from '../tenancy/tenancy.ts';
import type { TokenVerifier } from './jwt.ts';
import { effectivePermissions } from './permissions.ts';
import { authorize } from './policy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    ctx?: TenantContext;
  }
}

/**
 * Remembers which tenants exist so that registration costs one insert per process and tenant,
 * and holds each tenant to the one identifier it was registered with: a slug tenant ("acme")
 * and its UUIDv5 name the same row, and only the first form seen is accepted (docs/operations.md).
 */
export class TenantRegistry {
  private readonly known = new LRUCache<string, string>({ max: 100_000 });

  constructor(private readonly db: Db) {}

  /** Makes sure the tenant row exists (tenants live in the platform's auth service); 401 for a non-canonical key. */
  async ensure(tenantId: string, key: string): Promise<void> {
    let registered = this.known.get(tenantId);
    if (registered === undefined) {
      registered = await withTenant(this.db, tenantId, async (tx) => {
        await tx.insert(tenants).values({ id: tenantId, externalKey: key, name: key }).onConflictDoNothing();
        const [row] = await tx
          .select({ key: tenants.externalKey })
          .from(tenants)
          .where(eq(tenants.id, tenantId));
        return row?.key ?? key;
      });
      this.known.set(tenantId, registered);
    }
    if (!sameTenantKey(registered, key))
      throw new UnauthorizedError(
        `Token tenant_id "${key.slice(0, 255)}" names a tenant that was registered under another identifier: tokens must carry the identifier the tenant was registered with`,
      );
  }
}

export interface Authenticator {
  /** Verifies the request's token; throws 401. */
  context(req: FastifyRequest): Promise<TenantContext>;
  /** An onRequest hook that authenticates and checks one permission (401/403) before any body is read. */
  require(permission?: string): onRequestAsyncHookHandler;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** Builds the authenticator used by every route. */
export function createAuthenticator(verifier: TokenVerifier, tenants: TenantRegistry): Authenticator {
  async function context(req: FastifyRequest): Promise<TenantContext> {
    if (req.ctx) return req.ctx;
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedError();
    const match = BEARER.exec(header.trim());
    if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <JWT>"');
    const claims = await verifier.verify(match[1]!);
    const tenantId = tenantIdFromKey(claims.tenant_id);
    await tenants.ensure(tenantId, claims.tenant_id);
    req.ctx = {
      tenantId,
      tenantKey: claims.tenant_id,
      userId: claims.sub,
      email: claims.email,
      roles: claims.roles,
      permissions: effectivePermissions(claims.roles, claims.permissions),
      requestId: req.id,
    };
    // Every later log line of the request names the tenant and the user (request id: reqId).
    // A WebSocket's first-message auth passes only headers and id: there is no request logger.
    if (req.log)
      req.log = req.log.child({ tenant: claims.tenant_id, tenant_id: tenantId, user_id: claims.sub });
    return req.ctx;
  }
  return {
    context,
    require(permission) {
      return async (req: FastifyRequest, reply: FastifyReply) => {
        const ctx = await context(req);
        reply.log = req.log;
        if (permission) authorize(ctx, permission);
      };
    },
  };
}

/** The authenticated context of a request that passed `require`. */
export function ctxOf(req: FastifyRequest): TenantContext {
  if (!req.ctx) throw new UnauthorizedError();
  return req.ctx;
}
