/**
 * The collaboration WebSocket: authenticate (Authorization header, or an `auth` first message
 * for browsers), admit (active session of the tenant, present participant), then exchange
 * typed messages. Messages of one socket are handled one at a time, in order.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { validate as isUuid } from 'uuid';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../../platform/auth/authenticate.ts';
import {
  disabledMessage,
  FEATURE_DISABLED_CLOSE_CODE,
  FEATURES,
  isEnabled,
} from '../../platform/features.ts';
import { AppError, DependencyUnavailableError } from '../../platform/http/errors.ts';
import { type DepartmentCodes, scopeChannel } from '../../platform/tenancy/scope-keys.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { SocketConnection } from '../../platform/ws/connection.ts';
import type { Rooms } from '../../platform/ws/rooms.ts';
import type { EditBatcher } from './collaboration.edit-batch.ts';
import type { EditService } from './collaboration.edits.ts';
import { type FeedMessage, sessionChannel } from './collaboration.feed.ts';
import { type CollaborationLimits, type Refusal, STORED_MESSAGE_TYPES } from './collaboration.limits.ts';
import { CLIENT_MESSAGE_TYPES, CLOSE, type ClientMessage, clientMessage } from './collaboration.messages.ts';
import type { Admission, CollaborationService } from './collaboration.service.ts';
import { ChangeStream, type LiveBatch, type LiveChange, socketOrigin } from './collaboration.stream.ts';

export interface SocketDeps {
  auth: Authenticator;
  sessions: CollaborationService;
  edits: EditService;
  batcher: EditBatcher;
  rooms: Rooms;
  limits: CollaborationLimits;
  log: FastifyBaseLogger;
}

const now = () => new Date().toISOString();

/** Handles one accepted WebSocket of `/ws/collaboration/:sessionId`. */
export class SessionSocket {
  private readonly conn: SocketConnection;
  private ctx: TenantContext | undefined;
  private admission: Admission | undefined;
  private stream: ChangeStream | undefined;
  private channel: string | undefined;
  /** The tenant's scope-change channel this socket listens on, once admitted. */
  private scopeRoom: string | undefined;
  /**
   * The user's department codes (null: unrestricted), read at admission and with every replay;
   * other departments' changes reach this socket as placeholders. Until admitted: nothing.
   */
  private codes: DepartmentCodes = new Set();
  private readonly scopeMember = () => void this.onScopesChanged();
  private queue: Promise<void> = Promise.resolve();
  /** This socket's edits not yet settled: any other message waits for them (messages stay in order). */
  private edits: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  /** When the socket's token expires (ms since the epoch); an `auth` message extends it. */
  private expiresAt = Number.POSITIVE_INFINITY;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly buckets;
  private releasePreAuth: (() => void) | undefined;
  private releaseSlot: (() => void) | undefined;
  private readonly member = (m: unknown) => this.onFeed(m as FeedMessage);

  constructor(
    ws: WebSocket,
    private readonly req: FastifyRequest,
    private readonly sessionId: string,
    private readonly deps: SocketDeps,
  ) {
    const c = deps.sessions.deps.config;
    this.buckets = deps.limits.socketBuckets();
    this.conn = new SocketConnection(
      ws,
      {
        maxMessageBytes: c.COLLABORATION_MAX_MESSAGE_BYTES,
        idleTimeoutMs: c.COLLABORATION_IDLE_TIMEOUT_SECONDS * 1000,
        sendQueueBytes: c.COLLABORATION_SEND_QUEUE_BYTES,
      },
      {
        message: (text) => {
          // Counted on arrival, before queueing: a flood never piles up behind slow handlers.
          const refusal = deps.limits.admitMessage(this.buckets, Buffer.byteLength(text), this.userKey());
          if (refusal) return this.refuse(refusal, clientMsgIdOf(safeJson(text)));
          this.queue = this.queue.then(() => this.onText(text)).catch((e) => this.fail(e));
        },
        refused: (code, message) => this.error(code, message),
        overflow: () =>
          this.conn.closeWith(CLOSE.tooFarBehind.code, CLOSE.tooFarBehind.reason, {
            type: 'resync_required',
            last_sequence: this.stream?.delivered ?? 0,
          }),
        idle: () => this.conn.close(CLOSE.idle.code, CLOSE.idle.reason),
        closed: () => void this.onClosed(),
      },
    );
  }

  /** Authenticates from the header at once, or waits for the `auth` message. */
  start(): void {
    if (!isEnabled(this.deps.sessions.deps.config, FEATURES.collaboration)) {
      this.conn.close(FEATURE_DISABLED_CLOSE_CODE, disabledMessage(FEATURES.collaboration));
      return;
    }
    if (!isUuid(this.sessionId)) {
      this.conn.close(CLOSE.notFound.code, CLOSE.notFound.reason);
      return;
    }
    // Until it has authenticated, a socket holds one of its address's few unauthenticated slots.
    this.releasePreAuth = this.deps.limits.unauthenticated.acquire(this.req.ip);
    if (!this.releasePreAuth) {
      this.conn.close(CLOSE.tooManyUnauthenticated.code, CLOSE.tooManyUnauthenticated.reason);
      return;
    }
    if (this.req.headers.authorization) {
      this.queue = this.authenticate(this.req, this.lastSequenceFromQuery()).catch((e) => this.fail(e));
      return;
    }
    const seconds = this.deps.sessions.deps.config.COLLABORATION_AUTH_TIMEOUT_SECONDS;
    this.authTimer = setTimeout(
      () => this.conn.close(CLOSE.unauthorized.code, 'authentication timeout'),
      seconds * 1000,
    );
    this.authTimer.unref();
  }

  /** `?frames=batch`: the client takes `changes` frames (several changes in one frame). */
  private wantsBatchFrames(): boolean {
    return (this.req.query as Record<string, unknown>).frames === 'batch';
  }

  private lastSequenceFromQuery(): number | undefined {
    const q = (this.req.query as Record<string, unknown>).last_sequence;
    const n = typeof q === 'string' && /^\d{1,15}$/.test(q) ? Number(q) : undefined;
    return n;
  }

  private async authenticate(req: Pick<FastifyRequest, 'headers' | 'id'>, lastSequence: number | undefined) {
    clearTimeout(this.authTimer);
    let ctx: TenantContext;
    try {
      ctx = { ...(await this.deps.auth.context(req as FastifyRequest)) };
    } catch (error) {
      const reason = error instanceof AppError ? error.message.slice(0, 120) : CLOSE.unauthorized.reason;
      return this.conn.close(CLOSE.unauthorized.code, reason);
    } finally {
      this.releasePreAuth?.();
    }
    this.setExpiry(req.headers.authorization);
    this.releaseSlot = this.deps.limits.sockets.acquire(`${ctx.tenantId}:${this.sessionId}:${ctx.userId}`);
    if (!this.releaseSlot) return this.conn.close(CLOSE.tooManySockets.code, CLOSE.tooManySockets.reason);
    // Subscribe before reading the session: nothing committed after the read can be missed.
    this.channel = sessionChannel(ctx.tenantId, this.sessionId);
    this.stream = new ChangeStream(
      {
        fetch: async (after, limit) => {
          const replay = await this.deps.sessions.replay(ctx, this.sessionId, after, limit);
          this.applyCodes(replay.codes);
          return replay;
        },
        isOwn: (origin) => origin?.startsWith(`ws:${this.conn.id}:`) ?? false,
        sendText: (text) => this.conn.sendText(text),
        trimmed: (last) =>
          this.conn.closeWith(CLOSE.tooFarBehind.code, 'changes trimmed: reload the budget', {
            type: 'resync_required',
            last_sequence: last,
            reason: 'trimmed',
          }),
        failed: (error) => this.fail(error),
        batchFrames: this.wantsBatchFrames(),
        codes: () => this.codes,
      },
      Number.MAX_SAFE_INTEGER,
    );
    await this.deps.rooms.join(this.channel, this.member);
    // A scope set, cleared or changed by a department-tree change while the socket is open.
    this.scopeRoom = scopeChannel(ctx.tenantId);
    await this.deps.rooms.join(this.scopeRoom, this.scopeMember);
    const admission = await this.deps.sessions.admit(ctx, this.sessionId);
    if (admission === 'not_found') return this.conn.close(CLOSE.notFound.code, CLOSE.notFound.reason);
    if (admission === 'closed') return this.conn.close(CLOSE.closed.code, CLOSE.closed.reason);
    if (admission === 'forbidden') return this.conn.close(CLOSE.forbidden.code, CLOSE.forbidden.reason);
    if (!this.conn.isOpen) {
      await this.deps.sessions.disconnected(ctx, this.sessionId);
      return;
    }
    this.ctx = ctx;
    this.admission = admission;
    this.codes = admission.codes;
    const { session, participant } = admission;
    const start = lastSequence ?? session.lastSequence;
    this.conn.send({
      type: 'welcome',
      session_id: session.id,
      budget_id: session.budgetId,
      connection_id: this.conn.id,
      user_id: ctx.userId,
      role: participant.role,
      conflict_strategy: session.conflictStrategy,
      last_sequence: session.lastSequence,
      resume_from: start,
      token_expires_at: Number.isFinite(this.expiresAt) ? new Date(this.expiresAt).toISOString() : null,
    });
    this.conn.send({ type: 'presence', participants: admission.participants });
    this.deps.sessions.feed.publishEphemeral(ctx.tenantId, this.sessionId, this.conn.id, {
      type: 'user_joined',
      user_id: ctx.userId,
      user_name: participant.userName,
      role: participant.role,
      timestamp: now(),
    });
    this.stream.resume(start);
  }

  private async onText(text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.error('invalid_json', 'Messages must be JSON objects');
    }
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as string[]).includes(type))
      return this.error(
        'unknown_message_type',
        `Unknown message type ${JSON.stringify(type ?? null).slice(0, 60)}`,
      );
    const parsed = clientMessage.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.slice(0, 20).map((i) => ({
        path: i.path.join('.') || '(root)',
        code: i.code === 'unrecognized_keys' ? 'unknown_field' : i.code,
        message: i.message,
      }));
      return this.error('validation_failed', 'Message validation failed', errors, clientMsgIdOf(raw));
    }
    const msg = parsed.data;
    // A token is good until its exp, not for the socket's life: refresh it with an `auth` message.
    if (this.ctx && Date.now() >= this.expiresAt) return this.expire();
    if (!this.ctx) {
      if (msg.type !== 'auth' || this.channel)
        return this.conn.close(CLOSE.unauthorized.code, 'authenticate first');
      return this.authenticate(
        { headers: { authorization: `Bearer ${msg.token}` }, id: this.req.id },
        msg.last_sequence,
      );
    }
    await this.handle(this.ctx, msg);
  }

  private async handle(ctx: TenantContext, msg: ClientMessage): Promise<void> {
    const { sessions } = this.deps;
    // Edits are pipelined into the session's batches (in order); everything else waits for them.
    if (msg.type !== 'budget_line_edit') await this.edits;
    const budgetId = this.admission!.session.budgetId;
    const origin = socketOrigin(this.conn.id, 'client_msg_id' in msg ? msg.client_msg_id : undefined);
    const mctx: TenantContext = { ...ctx, requestId: origin };
    if (STORED_MESSAGE_TYPES.has(msg.type)) {
      const refusal = this.deps.limits.admitWrite(this.userKey()!);
      if (refusal) return this.refuse(refusal, 'client_msg_id' in msg ? (msg.client_msg_id ?? null) : null);
    }
    try {
      switch (msg.type) {
        case 'auth':
          return this.reauthenticate(ctx, msg.token);
        case 'sync':
          return this.stream!.resume(msg.last_sequence);
        case 'ping':
          this.conn.send({
            type: 'pong',
            client_msg_id: msg.client_msg_id ?? null,
            last_sequence: this.stream!.delivered,
            timestamp: now(),
          });
          return;
        case 'cursor_position':
          sessions.feed.publishEphemeral(ctx.tenantId, this.sessionId, this.conn.id, {
            ...msg,
            user_id: ctx.userId,
            user_name: this.admission!.participant.userName,
            timestamp: now(),
          });
          return;
        case 'comment_added':
          await sessions.addComment(mctx, budgetId, { body: msg.body, line_id: msg.line_id }, this.sessionId);
          return;
        case 'change_request':
          await sessions.logChange(mctx, this.sessionId, {
            sessionId: this.sessionId,
            type: 'change_request',
            targetType: msg.target_id ? 'budget_line' : 'budget',
            targetId: msg.target_id ?? budgetId,
            payload: {
              target_id: msg.target_id ?? budgetId,
              description: msg.description,
              proposed_changes: msg.proposed_changes ?? null,
            },
          });
          return;
        case 'budget_line_edit': {
          const outcome = this.deps.batcher.submit(
            mctx,
            this.sessionId,
            budgetId,
            msg,
            this.stream!.delivered,
          );
          this.edits = outcome.then(
            (result) => {
              if (result.outcome !== 'held' && result.notice) this.conn.send(result.notice);
            },
            (error) => this.sendFailure(msg, error),
          );
          return;
        }
      }
    } catch (error) {
      this.sendFailure(msg, error);
    }
  }

  /** Answers a message that failed: `edit_error` for an edit, `error` otherwise (same codes as REST). */
  private sendFailure(msg: ClientMessage, error: unknown): void {
    if (!(error instanceof AppError)) this.deps.log.error({ err: error }, 'collaboration message failed');
    const e =
      error instanceof AppError ? error : new AppError(500, 'internal_error', 'Internal server error');
    this.conn.send({
      type: msg.type === 'budget_line_edit' ? 'edit_error' : 'error',
      client_msg_id: 'client_msg_id' in msg ? (msg.client_msg_id ?? null) : null,
      ...(msg.type === 'budget_line_edit' ? { target_id: msg.target_id } : {}),
      message: e.message,
      code: e.code,
      errors: e.errors,
      ...e.extra,
    });
  }

  private onFeed(m: FeedMessage & { text?: string }): void {
    if (!this.stream) return;
    // Pub/sub is back after an outage: what was published meanwhile is read from the log.
    if (m.kind === 'resync') {
      this.stream.resume(this.stream.delivered);
      return;
    }
    if (m.kind === 'change') {
      this.stream.offer(m as LiveChange);
      return;
    }
    if (m.kind === 'changes') {
      this.stream.offerMany(m as LiveBatch);
      return;
    }
    if (!this.ctx) return;
    if (m.kind === 'ephemeral') {
      if (m.origin !== this.conn.id) this.conn.send(m.message);
      return;
    }
    if (m.action === 'closed') this.conn.closeWith(CLOSE.closed.code, CLOSE.closed.reason, m.message);
    else if (m.user_id === this.ctx.userId)
      this.conn.closeWith(CLOSE.left.code, CLOSE.left.reason, m.message);
    else this.conn.send(m.message);
  }

  /**
   * The tenant's department scopes may have changed (or pub/sub recovered and a change may have
   * been missed): when this user's scope is no longer what the socket holds, the client must
   * reload the budget under the new scope, so the socket closes with 4009 and it reconnects.
   */
  private async onScopesChanged(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !this.conn.isOpen) return;
    let next: DepartmentCodes;
    try {
      next = await this.deps.sessions.scopeCodes(ctx);
    } catch {
      next = new Set(); // cannot tell: send nothing more of other departments until reconnected
    }
    this.applyCodes(next);
  }

  /** Takes the codes just read; a change on an admitted socket closes it (4009) for a reload. */
  private applyCodes(next: DepartmentCodes): void {
    const changed = !sameCodes(next, this.codes);
    this.codes = next;
    if (!changed || !this.admission) return;
    this.conn.closeWith(CLOSE.scopeChanged.code, CLOSE.scopeChanged.reason, {
      type: 'resync_required',
      last_sequence: this.stream?.delivered ?? 0,
      reason: 'scope_changed',
    });
  }

  /** The user of an authenticated socket, as a rate-limit key. */
  private userKey(): string | undefined {
    return this.ctx ? `${this.ctx.tenantId}:${this.ctx.userId}` : undefined;
  }

  /** Tells the client which limit refused its message; persistent abuse closes the socket. */
  private refuse(r: Refusal, clientMsgId: string | null): void {
    if (!this.buckets.strikes.take().ok) {
      this.conn.close(CLOSE.rateLimited.code, CLOSE.rateLimited.reason);
      return;
    }
    const message = `Rate limit ${r.limit} exceeded: retry in ${r.retryAfterMs} ms`;
    this.conn.send({
      type: 'error',
      code: 'rate_limited',
      message,
      errors: [{ path: '(message)', code: r.limit, message }],
      limit: r.limit,
      retry_after_ms: r.retryAfterMs,
      client_msg_id: clientMsgId,
    });
  }

  /** Records the token's exp (already verified) and closes the socket when it passes. */
  private setExpiry(authorization: string | undefined): void {
    let exp: number | undefined;
    try {
      exp = decodeJwt(authorization?.trim().replace(/^Bearer\s+/i, '') ?? '').exp;
    } catch {
      exp = undefined; // verified just before; without a readable exp it is held to the message checks
    }
    this.expiresAt = typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
    clearTimeout(this.expiryTimer);
    const wait = this.expiresAt - Date.now();
    // setTimeout overflows above 2^31-1 ms; such a far exp is still checked on every message.
    if (wait <= 2 ** 31 - 1) {
      this.expiryTimer = setTimeout(() => this.expire(), Math.max(0, wait));
      this.expiryTimer.unref();
    }
  }

  private expire(): void {
    this.conn.closeWith(CLOSE.tokenExpired.code, CLOSE.tokenExpired.reason, {
      type: 'error',
      code: 'token_expired',
      message: 'The token has expired: reconnect, or send an auth message with a fresh token before exp',
      errors: [],
      client_msg_id: null,
    });
  }

  /** An `auth` message on an open socket: a fresh token of the same user extends the socket's life. */
  private async reauthenticate(current: TenantContext, token: string): Promise<void> {
    let ctx: TenantContext;
    try {
      ctx = {
        ...(await this.deps.auth.context({
          headers: { authorization: `Bearer ${token}` },
          id: this.req.id,
        } as FastifyRequest)),
      };
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'Invalid token';
      // The socket keeps its current token (and its expiry).
      return this.error('invalid_token', message, [{ path: 'token', code: 'invalid_token', message }]);
    }
    if (ctx.tenantId !== current.tenantId || ctx.userId !== current.userId)
      return this.conn.close(CLOSE.unauthorized.code, 'token_subject_mismatch');
    if (!ctx.permissions.has('collaboration:join'))
      return this.conn.close(CLOSE.forbidden.code, CLOSE.forbidden.reason);
    this.ctx = ctx;
    this.setExpiry(`Bearer ${token}`);
    this.conn.send({ type: 'auth_ok', token_expires_at: new Date(this.expiresAt).toISOString() });
  }

  private async onClosed(): Promise<void> {
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    this.releasePreAuth?.();
    this.releaseSlot?.();
    this.stream?.stop();
    if (this.channel) await this.deps.rooms.leave(this.channel, this.member).catch(() => {});
    if (this.scopeRoom) await this.deps.rooms.leave(this.scopeRoom, this.scopeMember).catch(() => {});
    const ctx = this.ctx;
    if (!ctx || !this.admission) return;
    this.ctx = undefined;
    await this.deps.sessions.disconnected(ctx, this.sessionId).catch(() => {});
    this.deps.sessions.feed.publishEphemeral(ctx.tenantId, this.sessionId, this.conn.id, {
      type: 'user_left',
      user_id: ctx.userId,
      timestamp: now(),
    });
  }

  private error(
    code: string,
    message: string,
    errors: unknown[] = [],
    clientMsgId: string | null = null,
  ): void {
    this.conn.send({ type: 'error', code, message, errors, client_msg_id: clientMsgId });
  }

  private fail(error: unknown): void {
    if (error instanceof DependencyUnavailableError) {
      // 1013 "try again later": the client reconnects with last_sequence and loses nothing.
      const { message, code, errors } = error;
      this.conn.closeWith(1013, code, { type: 'error', code, message, errors });
      return;
    }
    this.deps.log.error({ err: error }, 'collaboration socket failed');
    this.conn.close(1011, 'internal error');
  }
}

function sameCodes(a: DepartmentCodes, b: DepartmentCodes): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && [...a].every((c) => b.has(c));
}

function clientMsgIdOf(raw: unknown): string | null {
  const id = (raw as { client_msg_id?: unknown } | null)?.client_msg_id;
  return typeof id === 'string' ? id.slice(0, 100) : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
