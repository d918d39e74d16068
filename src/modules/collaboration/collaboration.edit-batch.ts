/**
 * Group commit of live line edits: the edits queued for a session are drained into one
 * transaction (LineService.editBatch, lines.batch.ts), decided one by one in order under the
 * session's conflict strategy exactly as EditService.apply decides a single edit. No timer: the
 * first edit of an idle session starts at once; edits arriving while a batch is being written
 * form the next batch. A batch the fast path cannot write (manual_resolution, a negative
 * amount, a last_year or manual spread, an unexpected database error) is rolled back and its
 * edits applied one by one through EditService.apply, in the same order.
 */
import { inArray } from 'drizzle-orm';
import type { AppConfig } from '../../config/env.ts';
import type { Tx } from '../../platform/db/client.ts';
import { departmentScopes } from '../../platform/db/schema.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { LineService } from '../lines/index.ts';
import { BatchFallback, presentLine } from '../lines/index.ts';
import type { EditOutcome, EditService } from './collaboration.edits.ts';
import type { ClientMessageOf } from './collaboration.messages.ts';
import { assertActive, assertCanEdit, RoleError } from './collaboration.policy.ts';
import { changeMessage } from './collaboration.presenter.ts';
import { type ChangeRow, findParticipants, recentEdits } from './collaboration.repository.ts';
import type { CollaborationService } from './collaboration.service.ts';

type Edit = ClientMessageOf<'budget_line_edit'>;

interface Pending {
  ctx: TenantContext;
  msg: Edit;
  delivered: number;
  resolve: (o: EditOutcome) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  sessionId: string;
  budgetId: string;
  items: Pending[];
  running: boolean;
}

type Settled = { ok: EditOutcome; applied: boolean } | { error: unknown };

// A batch is bounded so that one busy session cannot hold its locks for long.
const MAX_BATCH = 100;

/** A summary of a change for `conflicting_edits` (as EditService gives it). */
const editSummary = (r: Pick<ChangeRow, 'sequence' | 'userId' | 'payload' | 'createdAt'>) => ({
  sequence: r.sequence,
  user_id: r.userId,
  changes: r.payload.changes ?? null,
  timestamp: r.createdAt.toISOString(),
});

export class EditBatcher {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly sessions: CollaborationService,
    private readonly lines: LineService,
    private readonly single: EditService,
    private readonly config: AppConfig,
    /** Told of each edit written to its line (the edits counter of /metrics). */
    private readonly onApplied: () => void = () => {},
  ) {}

  /** Queues a socket's edit; resolves with its outcome once its batch has committed. */
  submit(ctx: TenantContext, sessionId: string, budgetId: string, msg: Edit, delivered: number) {
    const key = `${ctx.tenantId}:${sessionId}`;
    let q = this.queues.get(key);
    if (!q) {
      q = { sessionId, budgetId, items: [], running: false };
      this.queues.set(key, q);
    }
    const queue = q;
    return new Promise<EditOutcome>((resolve, reject) => {
      queue.items.push({ ctx, msg, delivered, resolve, reject });
      if (!queue.running) void this.drain(key, queue);
    });
  }

  private async drain(key: string, q: Queue): Promise<void> {
    q.running = true;
    try {
      while (q.items.length > 0) {
        const batch = q.items.splice(0, MAX_BATCH);
        await this.run(q, batch);
      }
    } finally {
      q.running = false;
      if (q.items.length === 0) this.queues.delete(key);
      else void this.drain(key, q);
    }
  }

  private async run(q: Queue, items: Pending[]): Promise<void> {
    let settled: Settled[];
    try {
      settled = await this.lines.editBatch(
        items[0]!.ctx,
        q.budgetId,
        items.map((i) => i.msg.target_id),
        (batch) => this.decide(q.sessionId, batch, items),
      );
    } catch (error) {
      if (items.length === 1 && !(error instanceof BatchFallback)) {
        items[0]!.reject(error);
        return;
      }
      // Exact single-edit semantics (errors named per edit), one transaction each, same order.
      for (const item of items) {
        try {
          item.resolve(await this.single.apply(item.ctx, q.sessionId, item.msg, item.delivered));
        } catch (e) {
          item.reject(e);
        }
      }
      return;
    }
    items.forEach((item, i) => {
      const s = settled[i]!;
      if ('error' in s) item.reject(s.error);
      else {
        if (s.applied) this.onApplied();
        item.resolve(s.ok);
      }
    });
  }

  /** Decides every edit of the batch in order, applying the accepted ones to the batch. */
  private async decide(
    sessionId: string,
    batch: import('../lines/index.ts').LineEditBatch,
    items: Pending[],
  ): Promise<Settled[]> {
    const { tx } = batch;
    // Locked (after the budget and the lines): the sequences this batch takes are known now.
    const session = await this.sessions.mustFind(tx, sessionId, true);
    assertActive(session);
    if (session.conflictStrategy === 'manual_resolution') throw new BatchFallback('manual_resolution');
    const strategy = session.conflictStrategy;
    const userIds = [...new Set(items.map((i) => i.ctx.userId))];
    // A department-scoped editor among several users: the batch's one transaction can run under
    // one user's scope only, so each edit runs alone under its own (docs/department-scope.md).
    if (userIds.length > 1 && (await anyDepartmentScoped(tx, userIds)))
      throw new BatchFallback('department_scope');
    const participants = await findParticipants(tx, sessionId, userIds);
    const window = this.config.COLLABORATION_CONFLICT_WINDOW_SECONDS;
    const stored = new Map<string, ChangeRow[]>();
    if (window > 0) {
      for (const i of items) {
        const pair = `${i.msg.target_id}|${i.ctx.userId}`;
        if (!stored.has(pair))
          stored.set(pair, await recentEdits(tx, sessionId, i.msg.target_id, i.ctx.userId, window));
      }
    }
    // Edits accepted earlier in this batch: they are "recent edits" for the ones after them.
    const earlier: (Pick<ChangeRow, 'sequence' | 'userId' | 'payload' | 'createdAt'> & {
      targetId: string;
    })[] = [];
    let sequence = session.lastSequence;
    const out: Settled[] = [];
    for (const item of items) {
      const { ctx, msg } = item;
      try {
        const participant = participants.get(ctx.userId);
        if (!participant || participant.leftAt)
          throw new RoleError('not_a_participant', 'Join the session first');
        assertCanEdit(ctx, participant);
        const line = batch.line(msg.target_id);
        if (!line) throw new NotFoundError('Budget line', msg.target_id, 'target_id');
        const recent =
          window > 0
            ? [
                ...earlier.filter((r) => r.targetId === msg.target_id && r.userId !== ctx.userId).reverse(),
                ...(stored.get(`${msg.target_id}|${ctx.userId}`) ?? []),
              ].slice(0, 10)
            : [];
        const base = msg.base_sequence ?? item.delivered;
        const stale = msg.version !== undefined && msg.version !== line.version;
        const conflicting =
          strategy === 'first_writer_wins' ? recent : recent.filter((r) => r.sequence > base);
        const conflict = stale || conflicting.length > 0;
        const details = {
          type: 'conflict_detected',
          strategy,
          target_id: msg.target_id,
          client_msg_id: msg.client_msg_id ?? null,
          current: presentLine(line),
          current_version: line.version,
          your_version: msg.version ?? null,
          conflicting_edits: (conflicting.length > 0 || !stale ? conflicting : recent).map(editSummary),
        };
        if (conflict && strategy !== 'last_writer_wins') {
          out.push({
            ok: { outcome: 'refused', notice: { ...details, resolution: 'rejected' } },
            applied: false,
          });
          continue;
        }
        const before = presentLine(line);
        const after = batch.apply(ctx, msg.target_id, msg.changes);
        sequence += 1;
        const { payload } = changeMessage({
          budgetId: batch.budget.id,
          kind: 'line_updated',
          targetType: 'budget_line',
          targetId: msg.target_id,
          before,
          after,
        });
        earlier.push({
          sequence,
          userId: ctx.userId,
          payload,
          createdAt: new Date(),
          targetId: msg.target_id,
        });
        out.push({
          ok: conflict
            ? { outcome: 'applied', notice: { ...details, resolution: 'last_writer_wins', applied: true } }
            : { outcome: 'applied' },
          applied: true,
        });
      } catch (error) {
        if (error instanceof BatchFallback) throw error;
        out.push({ error });
      }
    }
    return out;
  }
}

/** Whether any of `userIds` is limited to departments (under the tenant's RLS). */
async function anyDepartmentScoped(tx: Tx, userIds: string[]): Promise<boolean> {
  const rows = await tx
    .select({ userId: departmentScopes.userId })
    .from(departmentScopes)
    .where(inArray(departmentScopes.userId, userIds))
    .limit(1);
  return rows.length > 0;
}
