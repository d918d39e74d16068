/**
 * Live line edits and their conflicts. An edit is a real write through LineService.update
 * (validation, workflow rules, optimistic locking, audit), whose change hook logs it in the
 * same transaction. Conflicts: a stale base `version`, or an edit of the same line by another
 * user within the window that the sender had not seen (first_writer_wins: seen or not).
 */
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, NotFoundError, VersionConflictError } from '../../platform/http/errors.ts';
import { afterCommit, type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import type { LineService } from '../lines/index.ts';
import { findLine, presentLine } from '../lines/index.ts';
import type { ClientMessageOf, LineEditChanges } from './collaboration.messages.ts';
import {
  assertActive,
  assertCanEdit,
  assertCanResolve,
  authorizeCollaboration,
  RoleError,
} from './collaboration.policy.ts';
import { presentConflict } from './collaboration.presenter.ts';
import {
  type ChangeRow,
  findParticipant,
  insertConflict,
  listConflicts,
  recentEdits,
  settleConflict,
} from './collaboration.repository.ts';
import type { ConflictResolveInput } from './collaboration.schema.ts';
import type { CollaborationService } from './collaboration.service.ts';

type Edit = ClientMessageOf<'budget_line_edit'>;

/** What became of an edit: applied (acknowledged through the feed), refused, or held. */
export type EditOutcome =
  | { outcome: 'applied'; notice?: Record<string, unknown> }
  | { outcome: 'refused'; notice: Record<string, unknown> }
  | { outcome: 'held'; change: ChangeRow };

// An edit that keeps losing the race to other writers gives up after this many rebases.
const MAX_ATTEMPTS = 5;

const editSummary = (r: ChangeRow) => ({
  sequence: r.sequence,
  user_id: r.userId,
  changes: r.payload.changes ?? null,
  timestamp: r.createdAt.toISOString(),
});

export class EditService {
  constructor(
    private readonly sessions: CollaborationService,
    private readonly lines: LineService,
    /** Told of each edit written to its line (the edits counter of /metrics). */
    private readonly onApplied: () => void = () => {},
  ) {}

  /** Applies a socket's line edit under the session's conflict strategy. */
  async apply(ctx: TenantContext, sessionId: string, msg: Edit, delivered: number): Promise<EditOutcome> {
    const { db, config } = this.sessions.deps;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { session, line, recent } = await withTenant(db, ctx, async (tx) => {
        const session = await this.sessions.mustFind(tx, sessionId);
        assertActive(session);
        // Read now, not at connect: a participant who left or re-joined as viewer cannot edit.
        const participant = await findParticipant(tx, sessionId, ctx.userId);
        if (!participant || participant.leftAt)
          throw new RoleError('not_a_participant', 'Join the session first');
        assertCanEdit(ctx, participant);
        const line = await findLine(tx, session.budgetId, msg.target_id);
        if (!line) throw new NotFoundError('Budget line', msg.target_id, 'target_id');
        const window = config.COLLABORATION_CONFLICT_WINDOW_SECONDS;
        const recent = window > 0 ? await recentEdits(tx, sessionId, msg.target_id, ctx.userId, window) : [];
        return { session, line, recent };
      });
      const strategy = session.conflictStrategy;
      const base = msg.base_sequence ?? delivered;
      const stale = msg.version !== undefined && msg.version !== line.version;
      const conflicting = strategy === 'first_writer_wins' ? recent : recent.filter((r) => r.sequence > base);
      const conflict = stale || conflicting.length > 0;
      const details = {
        type: 'conflict_detected',
        strategy,
        target_id: msg.target_id,
        client_msg_id: msg.client_msg_id ?? null,
        current: presentLine(line),
        current_version: line.version,
        your_version: msg.version ?? null,
        // A stale version without unseen edits still names the recent edits that made it stale.
        conflicting_edits: (conflicting.length > 0 || !stale ? conflicting : recent).map(editSummary),
      };
      if (conflict && strategy === 'manual_resolution')
        return this.hold(ctx, sessionId, msg, line.version, details);
      if (conflict && strategy !== 'last_writer_wins')
        return { outcome: 'refused', notice: { ...details, resolution: 'rejected' } } satisfies EditOutcome;
      try {
        // Rebased on the version just read: a write slipping in between is caught by the lock.
        await this.lines.update(ctx, session.budgetId, msg.target_id, {
          ...msg.changes,
          version: line.version,
        });
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        throw error;
      }
      this.onApplied();
      return conflict
        ? ({
            outcome: 'applied',
            notice: { ...details, resolution: 'last_writer_wins', applied: true },
          } satisfies EditOutcome)
        : ({ outcome: 'applied' } satisfies EditOutcome);
    }
    throw new ConflictError('edit_contention', 'target_id', 'The line kept changing; retry the edit');
  }

  /** manual_resolution: stores the conflict and logs it for everyone (the sender is acknowledged). */
  private async hold(
    ctx: TenantContext,
    sessionId: string,
    msg: Edit,
    currentVersion: number,
    details: Record<string, unknown> & {
      current: Record<string, unknown>;
      conflicting_edits: { sequence: number }[];
    },
  ): Promise<EditOutcome> {
    const { db } = this.sessions.deps;
    const change = await withTenant(db, ctx, async (tx) => {
      assertActive(await this.sessions.mustFind(tx, sessionId, true));
      const conflict = await insertConflict(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        sessionId,
        targetType: 'budget_line',
        targetId: msg.target_id,
        userId: ctx.userId,
        proposedChanges: msg.changes as Record<string, unknown>,
        baseVersion: msg.version ?? null,
        currentValue: details.current,
        conflictingSequences: details.conflicting_edits.map((e) => e.sequence),
      });
      const change = await this.sessions.feed.append(tx, ctx, {
        sessionId,
        type: 'conflict_detected',
        targetType: 'budget_line',
        targetId: msg.target_id,
        payload: {
          ...details,
          resolution: 'pending',
          conflict_id: conflict.id,
          proposed_changes: msg.changes,
          current_version: currentVersion,
        },
      });
      afterCommit(tx, () => this.sessions.feed.publishChanges(ctx.tenantId, [change]));
      return change;
    });
    return { outcome: 'held', change };
  }

  /** A session's conflicts (pending ones by default listing order: oldest first). */
  async list(ctx: TenantContext, sessionId: string, status?: 'pending' | 'accepted' | 'rejected') {
    authorizeCollaboration(ctx);
    return withTenant(this.sessions.deps.db, ctx, async (tx) => {
      await this.sessions.mustFind(tx, sessionId);
      return { items: (await listConflicts(tx, sessionId, status)).map(presentConflict) };
    });
  }

  /** Resolves a pending conflict (editor or owner): accept applies the proposed (or given) changes. */
  async resolve(ctx: TenantContext, sessionId: string, conflictId: string, input: ConflictResolveInput) {
    authorizeCollaboration(ctx);
    const { db } = this.sessions.deps;
    const status = input.action === 'accept' ? 'accepted' : 'rejected';
    // Claiming the conflict first makes a second resolver get 409 instead of applying twice.
    const { session, claimed } = await withTenant(db, ctx, async (tx) => {
      const session = await this.sessions.mustFind(tx, sessionId);
      assertActive(session);
      assertCanResolve(ctx, await findParticipant(tx, sessionId, ctx.userId));
      const resolution = { action: input.action, ...(input.changes ? { changes: input.changes } : {}) };
      const claimed = await settleConflict(tx, sessionId, conflictId, {
        status,
        resolvedBy: ctx.userId,
        resolution,
      });
      if (!claimed) {
        const exists = (await listConflicts(tx, sessionId)).some((c) => c.id === conflictId);
        if (!exists) throw new NotFoundError('Conflict', conflictId, 'params.conflictId');
        throw new ConflictError(
          'conflict_already_resolved',
          'conflictId',
          'The conflict is already resolved',
        );
      }
      return { session, claimed };
    });
    let line: Record<string, unknown> | null = null;
    if (status === 'accepted') {
      try {
        const current = await withTenant(db, ctx, (tx) => findLine(tx, session.budgetId, claimed.targetId));
        if (!current) throw new NotFoundError('Budget line', claimed.targetId, 'target_id');
        const changes = (input.changes ?? claimed.proposedChanges) as LineEditChanges;
        line = await this.lines.update(ctx, session.budgetId, claimed.targetId, {
          ...changes,
          version: current.version,
        });
        this.onApplied();
      } catch (error) {
        await withTenant(db, ctx, (tx) =>
          settleConflict(
            tx,
            sessionId,
            conflictId,
            { status: 'pending', resolvedBy: null, resolution: null },
            status,
          ),
        );
        throw error;
      }
    }
    await withTenant(db, ctx, async (tx) => {
      const change = await this.sessions.feed.append(tx, ctx, {
        sessionId,
        type: 'conflict_resolved',
        targetType: 'budget_line',
        targetId: claimed.targetId,
        payload: {
          conflict_id: conflictId,
          status,
          resolved_by: ctx.userId,
          target_id: claimed.targetId,
          line,
          // The line's department, for scoped participants (collaboration.visibility.ts).
          department_id:
            (line?.department_id as string | null | undefined) ??
            ((claimed.currentValue as Record<string, unknown> | null)?.department_id as string | null) ??
            null,
        },
      });
      afterCommit(tx, () => this.sessions.feed.publishChanges(ctx.tenantId, [change]));
    });
    return presentConflict(claimed);
  }
}
