/**
 * The durable change feed: every change of a budget with active sessions is appended to each
 * session's change log inside the writing transaction, then published on pub/sub after commit
 * so that every process forwards it to its own sockets.
 */
import type { AppConfig } from '../../config/env.ts';
import type { Tx } from '../../platform/db/client.ts';
import {
  ALL_BUDGET_CHANGES,
  type BudgetChange,
  type ChangeListener,
  type ChangeOf,
} from '../../platform/events/change-hooks.ts';
import type { PubSub } from '../../platform/pubsub/pubsub.ts';
import { afterCommit, type TenantContext } from '../../platform/tenancy/tenancy.ts';
import { changeMessage, presentChange } from './collaboration.presenter.ts';
import {
  activeSessionIds,
  appendChange,
  appendChanges,
  type ChangeRow,
  closeSession,
  trimChanges,
} from './collaboration.repository.ts';

/** What travels on a session's pub/sub channel. */
export type FeedMessage =
  | { kind: 'change'; sequence: number; origin: string | null; message: Record<string, unknown> }
  // Several consecutive changes of one transaction (a batch of edits), in sequence order.
  | {
      kind: 'changes';
      items: { sequence: number; origin: string | null; message: Record<string, unknown> }[];
    }
  | { kind: 'ephemeral'; origin: string | null; message: Record<string, unknown> }
  | { kind: 'control'; action: 'closed' | 'left'; user_id: string; message: Record<string, unknown> }
  // Not published: the process's rooms hand it to their members when pub/sub recovers.
  | { kind: 'resync' };

/** The pub/sub channel of one session. */
export const sessionChannel = (tenantId: string, sessionId: string) => `collab:${tenantId}:${sessionId}`;

// Trimming is amortised: at most once per this many changes of a session.
const TRIM_EVERY = 100;

export interface NewChange {
  sessionId: string;
  type: string;
  targetType: string | null;
  targetId: string | null;
  payload: Record<string, unknown>;
}

export class CollaborationFeed implements ChangeListener {
  /** Every change of a budget reaches the sessions open on it. */
  readonly handles = ALL_BUDGET_CHANGES;

  constructor(
    private readonly pubsub: PubSub,
    private readonly config: AppConfig,
  ) {}

  /** Logs a service's budget change in every active session of the budget (inside its transaction). */
  async record(tx: Tx, ctx: TenantContext, change: BudgetChange): Promise<void> {
    const sessions = await activeSessionIds(tx, change.budgetId);
    if (sessions.length === 0) return;
    const { type, payload } = changeMessage(change);
    const rows: ChangeRow[] = [];
    for (const sessionId of sessions) {
      rows.push(
        await this.append(tx, ctx, {
          sessionId,
          type,
          targetType: change.targetType,
          targetId: change.targetId,
          payload,
        }),
      );
    }
    if (change.kind !== 'budget_deleted') {
      afterCommit(tx, () => this.publishChanges(ctx.tenantId, rows));
      return;
    }
    // A deleted budget ends its sessions: closed in this transaction, every socket told after commit.
    for (const sessionId of sessions) await closeSession(tx, sessionId, ctx.userId);
    afterCommit(tx, () => {
      this.publishChanges(ctx.tenantId, rows);
      const message = {
        type: 'session_closed',
        closed_by: ctx.userId,
        reason: 'budget_deleted',
        timestamp: new Date().toISOString(),
      };
      for (const sessionId of sessions)
        this.publishControl(ctx.tenantId, sessionId, { action: 'closed', user_id: ctx.userId, message });
    });
  }

  /**
   * Logs several changes (a batch, in order) in every active session of their budget: one
   * statement per session whatever n, one publish per session after commit.
   */
  async recordMany(tx: Tx, changes: readonly ChangeOf[]): Promise<void> {
    const budgets = new Set(changes.map((c) => c.change.budgetId));
    if (budgets.size !== 1 || changes.some((c) => c.change.kind === 'budget_deleted')) {
      for (const c of changes) await this.record(tx, c.ctx, c.change);
      return;
    }
    const sessions = await activeSessionIds(tx, changes[0]!.change.budgetId);
    if (sessions.length === 0) return;
    const tenantId = changes[0]!.ctx.tenantId;
    const messages = changes.map((c) => ({ c, m: changeMessage(c.change) }));
    const rows: ChangeRow[] = [];
    for (const sessionId of sessions) {
      const appended = await appendChanges(
        tx,
        tenantId,
        sessionId,
        messages.map(({ c, m }) => ({
          changeType: m.type,
          targetType: c.change.targetType,
          targetId: c.change.targetId,
          userId: c.ctx.userId,
          origin: c.ctx.requestId?.slice(0, 200) ?? null,
          payload: m.payload,
        })),
      );
      const keep = this.config.COLLABORATION_CHANGE_RETENTION;
      const last = appended.at(-1)!.sequence;
      const first = appended[0]!.sequence;
      if (keep > 0 && last > keep && Math.floor(last / TRIM_EVERY) > Math.floor((first - 1) / TRIM_EVERY))
        await trimChanges(tx, sessionId, keep);
      rows.push(...appended);
    }
    afterCommit(tx, () => this.publishChanges(tenantId, rows));
  }

  /** Appends one change with the session's next sequence (inside the caller's transaction). */
  async append(tx: Tx, ctx: TenantContext, c: NewChange): Promise<ChangeRow> {
    const row = await appendChange(tx, {
      tenantId: ctx.tenantId,
      sessionId: c.sessionId,
      changeType: c.type,
      targetType: c.targetType,
      targetId: c.targetId,
      userId: ctx.userId,
      origin: ctx.requestId?.slice(0, 200) ?? null,
      payload: c.payload,
    });
    const keep = this.config.COLLABORATION_CHANGE_RETENTION;
    if (keep > 0 && row.sequence > keep && row.sequence % TRIM_EVERY === 0)
      await trimChanges(tx, c.sessionId, keep);
    return row;
  }

  /** Publishes committed changes; losses are repaired by subscribers from the log. */
  publishChanges(tenantId: string, rows: readonly ChangeRow[]): void {
    // One message per session: a batch's n changes travel together.
    const bySession = new Map<string, ChangeRow[]>();
    for (const row of rows) {
      const list = bySession.get(row.sessionId);
      if (list) list.push(row);
      else bySession.set(row.sessionId, [row]);
    }
    for (const [sessionId, list] of bySession) {
      const items = list.map((row) => ({
        sequence: row.sequence,
        origin: row.origin,
        message: presentChange(row),
      }));
      this.send(
        tenantId,
        sessionId,
        items.length === 1 ? { kind: 'change', ...items[0]! } : { kind: 'changes', items },
      );
    }
  }

  /** Publishes a message that is not logged (cursors, presence). */
  publishEphemeral(
    tenantId: string,
    sessionId: string,
    origin: string | null,
    message: Record<string, unknown>,
  ) {
    this.send(tenantId, sessionId, { kind: 'ephemeral', origin, message });
  }

  /** Tells every process to act on a session's sockets (closed session, participant left). */
  publishControl(
    tenantId: string,
    sessionId: string,
    control: Omit<Extract<FeedMessage, { kind: 'control' }>, 'kind'>,
  ) {
    this.send(tenantId, sessionId, { kind: 'control', ...control });
  }

  private send(tenantId: string, sessionId: string, m: FeedMessage): void {
    this.pubsub.publish(sessionChannel(tenantId, sessionId), JSON.stringify(m)).catch(() => {
      // Sockets catch up from the change log on the next change or reconnect.
    });
  }
}
