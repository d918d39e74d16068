/**
 * `Idempotency-Key` on POST, with Stripe's semantics (docs/api.md "Idempotency keys"): the first
 * request with a key runs and its response is stored; a retry with the same key and the same
 * request gets that response again (`idempotent-replayed: true`); the same key with another
 * request is 422; a retry while the first still runs is 409. Keys are scoped per tenant, kept
 * IDEMPOTENCY_TTL_HOURS, and stored in PostgreSQL under RLS.
 *
 * The key is claimed in its own short transaction before the handler runs (after authentication
 * and validation: a request refused by its shape claims nothing, as with Stripe), and the
 * response is stored after it. A 5xx releases the key (a committed write never answers 5xx, so
 * nothing was done and the retry must run). Raw-body uploads are not covered: their imports are
 * idempotent by `batch_key` already.
 */
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema-idempotency.ts';
import { withTenant } from '../tenancy/tenancy.ts';
import { AppError, fieldError } from './errors.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;
// A first request still marked running after this long is taken to have died with its process.
const ABANDONED_AFTER_MS = 5 * 60 * 1000;

export interface IdempotencyOptions {
  ttlHours: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { tenantId: string; key: string };
  }
}

/** 422: the key was used for a different request. */
export class IdempotencyKeyReusedError extends AppError {
  override name = 'IdempotencyKeyReusedError';
  constructor() {
    const message =
      'This Idempotency-Key was already used for a different request (method, path or body differ); use a new key for a new request';
    super(422, 'idempotency_key_reused', message, [
      { path: 'headers.idempotency-key', code: 'idempotency_key_reused', message },
    ]);
  }
}

/** 409: the first request with this key is still running. */
export class IdempotencyKeyInUseError extends AppError {
  override name = 'IdempotencyKeyInUseError';
  constructor() {
    const message = 'A request with this Idempotency-Key is still running; retry in a moment';
    super(409, 'idempotency_key_in_use', message, [
      { path: 'headers.idempotency-key', code: 'idempotency_key_in_use', message },
    ]);
  }
}

function isStream(body: unknown): boolean {
  return (
    Buffer.isBuffer(body) ||
    (typeof body === 'object' && body !== null && Symbol.asyncIterator in (body as object))
  );
}

/** What a retry must repeat exactly: method, route, the URL as sent (path and query) and the parsed body. */
function fingerprint(req: FastifyRequest): string {
  // The user is part of the request: another user's key never replays a response built for
  // that user's permissions and department scope (docs/department-scope.md).
  return createHash('sha256')
    .update(
      JSON.stringify([
        req.ctx?.userId ?? '',
        req.method,
        req.routeOptions.url ?? '',
        req.url,
        req.body ?? null,
      ]),
    )
    .digest('hex');
}

/** Installs the preHandler (claim or replay) and onSend (store or release) hooks on every route. */
export function registerIdempotency(app: FastifyInstance, db: Db, options: IdempotencyOptions): void {
  const ttlMs = options.ttlHours * 3600 * 1000;

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || header === undefined || !req.ctx || isStream(req.body)) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY.test(key))
      throw fieldError(
        'headers.idempotency-key',
        'invalid_idempotency_key',
        'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)',
      );
    const ctx = req.ctx;
    const print = fingerprint(req);
    const now = Date.now();
    const existing = await withTenant(db, ctx.tenantId, async (tx) => {
      await tx
        .delete(idempotencyKeys)
        .where(
          and(
            eq(idempotencyKeys.tenantId, ctx.tenantId),
            lt(idempotencyKeys.createdAt, new Date(now - ttlMs)),
          ),
        );
      const claimed = await tx
        .insert(idempotencyKeys)
        .values({
          tenantId: ctx.tenantId,
          key,
          userId: ctx.userId,
          fingerprint: print,
          method: req.method,
          path: req.url.slice(0, 2048),
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length > 0) return undefined;
      const [row] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.tenantId, ctx.tenantId), eq(idempotencyKeys.key, key)))
        .for('update');
      if (
        row &&
        row.status === null &&
        row.fingerprint === print &&
        now - row.createdAt.getTime() > ABANDONED_AFTER_MS
      ) {
        // The first request's process died before it answered: this retry takes the key over.
        await tx
          .update(idempotencyKeys)
          .set({ createdAt: sql`now()` })
          .where(and(eq(idempotencyKeys.tenantId, ctx.tenantId), eq(idempotencyKeys.key, key)));
        return undefined;
      }
      return row;
    });
    if (existing === undefined) {
      req.idempotency = { tenantId: ctx.tenantId, key };
      return;
    }
    if (existing.fingerprint !== print) throw new IdempotencyKeyReusedError();
    if (existing.status === null) {
      reply.header('retry-after', '1');
      throw new IdempotencyKeyInUseError();
    }
    reply.header('idempotent-replayed', 'true');
    if (existing.responseLocation) reply.header('location', existing.responseLocation);
    if (existing.responseType) reply.type(existing.responseType);
    return reply.status(existing.status).send(existing.responseBody ?? '');
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = req.idempotency;
    if (!claim) return payload;
    req.idempotency = undefined;
    const where = and(eq(idempotencyKeys.tenantId, claim.tenantId), eq(idempotencyKeys.key, claim.key));
    const storable = typeof payload === 'string' || payload === null || payload === undefined;
    try {
      await withTenant(db, claim.tenantId, async (tx) => {
        if (reply.statusCode >= 500 || !storable) {
          await tx.delete(idempotencyKeys).where(where);
          return;
        }
        const location = reply.getHeader('location');
        const type = reply.getHeader('content-type');
        await tx
          .update(idempotencyKeys)
          .set({
            status: reply.statusCode,
            responseType: typeof type === 'string' ? type.slice(0, 255) : null,
            responseLocation: typeof location === 'string' ? location.slice(0, 2048) : null,
            responseBody: (payload as string | null | undefined) ?? '',
            completedAt: sql`now()`,
          })
          .where(where);
      });
    } catch (error) {
      // The request's own work is done (and committed): answer it; a retry then sees 409 until
      // the key is taken over as abandoned.
      req.log.error({ err: error, idempotencyKey: claim.key }, 'storing the idempotent response failed');
    }
    return payload;
  });
}
