/**
 * The collaboration WebSocket: authenticate (Authorization header, or an `auth` first message
 * for browsers), admit (active session of the tenant, present participant), then exchange
 * typed messages. Messages of one socket are handled one at a time, in order.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { validate as isUuid } from 'uuid';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../../platform/auth/authenticate.ts';
import {
  disabledMessage,
  FEATURE_DISABLED_CLOSE_CODE,
  FEATURES,
  isEnabled,
} from '../../platform/features.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { SocketConnection } from '../../platform/ws/connection.ts';
import type { Rooms } from '../../platform/ws/rooms.ts';
import type { EditService } from './collaboration.edits.ts';
import { type FeedMessage, sessionChannel } from './collaboration.feed.ts';
import { CLIENT_MESSAGE_TYPES, CLOSE, type ClientMessage, clientMessage } from './collaboration.messages.ts';
import type { Admission, CollaborationService } from './collaboration.service.ts';
import { ChangeStream, type LiveChange, socketOrigin } from './collaboration.stream.ts';

export interface SocketDeps {
  auth: Authenticator;
  sessions: CollaborationService;
  edits: EditService;
  rooms: Rooms;
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
  private queue: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  private readonly member = (m: unknown) => this.onFeed(m as FeedMessage);

  constructor(
    ws: WebSocket,
    private readonly req: FastifyRequest,
    private readonly sessionId: string,
    private readonly deps: SocketDeps,
  ) {
    const c = deps.sessions.deps.config;
    this.conn = new SocketConnection(
      ws,
      {
        maxMessageBytes: c.COLLABORATION_MAX_MESSAGE_BYTES,
        idleTimeoutMs: c.COLLABORATION_IDLE_TIMEOUT_SECONDS * 1000,
        sendQueueBytes: c.COLLABORATION_SEND_QUEUE_BYTES,
      },
      {
        message: (text) => {
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
    }
    // Subscribe before reading the session: nothing committed after the read can be missed.
    this.channel = sessionChannel(ctx.tenantId, this.sessionId);
    this.stream = new ChangeStream(
      {
        fetch: (after, limit) => this.deps.sessions.replay(ctx, this.sessionId, after, limit),
        isOwn: (origin) => origin?.startsWith(`ws:${this.conn.id}:`) ?? false,
        sendText: (text) => this.conn.sendText(text),
        trimmed: (last) =>
          this.conn.closeWith(CLOSE.tooFarBehind.code, 'changes trimmed: reload the budget', {
            type: 'resync_required',
            last_sequence: last,
            reason: 'trimmed',
          }),
        failed: (error) => this.fail(error),
      },
      Number.MAX_SAFE_INTEGER,
    );
    await this.deps.rooms.join(this.channel, this.member);
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
    const { sessions, edits } = this.deps;
    const budgetId = this.admission!.session.budgetId;
    const origin = socketOrigin(this.conn.id, 'client_msg_id' in msg ? msg.client_msg_id : undefined);
    const mctx: TenantContext = { ...ctx, requestId: origin };
    try {
      switch (msg.type) {
        case 'auth':
          return this.error('already_authenticated', 'This socket is already authenticated');
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
          const result = await edits.apply(mctx, this.sessionId, msg, this.stream!.delivered);
          if (result.outcome !== 'held' && result.notice) this.conn.send(result.notice);
          return;
        }
      }
    } catch (error) {
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
  }

  private onFeed(m: FeedMessage & { text?: string }): void {
    if (!this.stream) return;
    if (m.kind === 'change') {
      this.stream.offer(m as LiveChange);
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

  private async onClosed(): Promise<void> {
    clearTimeout(this.authTimer);
    this.stream?.stop();
    if (this.channel) await this.deps.rooms.leave(this.channel, this.member).catch(() => {});
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
    this.deps.log.error({ err: error }, 'collaboration socket failed');
    this.conn.close(1011, 'internal error');
  }
}

function clientMsgIdOf(raw: unknown): string | null {
  const id = (raw as { client_msg_id?: unknown } | null)?.client_msg_id;
  return typeof id === 'string' ? id.slice(0, 100) : null;
}
