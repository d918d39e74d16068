/** SQL for collaboration. Every call runs inside a tenant transaction, so RLS scopes it. */
import { and, asc, desc, eq, gt, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import {
  collaborationChanges,
  collaborationComments,
  collaborationConflicts,
  collaborationParticipants,
  collaborationSessions,
} from '../../platform/db/schema.ts';

export type SessionRow = typeof collaborationSessions.$inferSelect;
export type NewSession = Omit<typeof collaborationSessions.$inferInsert, 'createdAt' | 'lastSequence'>;
export type ParticipantRow = typeof collaborationParticipants.$inferSelect;
export type ChangeRow = typeof collaborationChanges.$inferSelect;
export type CommentRow = typeof collaborationComments.$inferSelect;
export type ConflictRow = typeof collaborationConflicts.$inferSelect;

/** Inserts a session. */
export async function insertSession(tx: Queryable, row: NewSession): Promise<SessionRow> {
  const [created] = await tx.insert(collaborationSessions).values(row).returning();
  return created!;
}

/** A session, optionally locked (joins lock it to check capacity). */
export async function findSession(tx: Queryable, id: string, forUpdate = false) {
  const q = tx.select().from(collaborationSessions).where(eq(collaborationSessions.id, id));
  return (await (forUpdate ? q.for('update') : q))[0];
}

/** Sessions, newest first, optionally of one budget and status. */
export function listSessions(
  tx: Queryable,
  f: {
    budgetId?: string | undefined;
    status?: 'active' | 'closed' | undefined;
    afterId?: string;
    limit: number;
  },
) {
  return tx
    .select()
    .from(collaborationSessions)
    .where(
      and(
        f.budgetId ? eq(collaborationSessions.budgetId, f.budgetId) : undefined,
        f.status ? eq(collaborationSessions.status, f.status) : undefined,
        f.afterId ? lt(collaborationSessions.id, f.afterId) : undefined,
      ),
    )
    .orderBy(desc(collaborationSessions.id))
    .limit(f.limit + 1);
}

/** Ids of a budget's active sessions (every change of the budget is logged in each). */
export async function activeSessionIds(tx: Queryable, budgetId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: collaborationSessions.id })
    .from(collaborationSessions)
    .where(and(eq(collaborationSessions.budgetId, budgetId), eq(collaborationSessions.status, 'active')));
  return rows.map((r) => r.id);
}

/** Marks a session closed. */
export async function closeSession(tx: Queryable, id: string, userId: string): Promise<SessionRow> {
  const [row] = await tx
    .update(collaborationSessions)
    .set({ status: 'closed', closedAt: new Date(), closedBy: userId })
    .where(eq(collaborationSessions.id, id))
    .returning();
  return row!;
}

/** A user's participant row in a session (also when they left). */
export async function findParticipant(tx: Queryable, sessionId: string, userId: string) {
  const rows = await tx
    .select()
    .from(collaborationParticipants)
    .where(
      and(eq(collaborationParticipants.sessionId, sessionId), eq(collaborationParticipants.userId, userId)),
    );
  return rows[0];
}

/** Present participants (joined, not left), in joining order. */
export function presentParticipants(tx: Queryable, sessionId: string): Promise<ParticipantRow[]> {
  return tx
    .select()
    .from(collaborationParticipants)
    .where(and(eq(collaborationParticipants.sessionId, sessionId), isNull(collaborationParticipants.leftAt)))
    .orderBy(asc(collaborationParticipants.joinedAt), asc(collaborationParticipants.id));
}

/** Adds a participant or re-admits one who left (one row per user and session). */
export async function upsertParticipant(
  tx: Queryable,
  row: Omit<typeof collaborationParticipants.$inferInsert, 'joinedAt'>,
): Promise<ParticipantRow> {
  const [p] = await tx
    .insert(collaborationParticipants)
    .values(row)
    .onConflictDoUpdate({
      target: [
        collaborationParticipants.tenantId,
        collaborationParticipants.sessionId,
        collaborationParticipants.userId,
      ],
      set: {
        role: row.role,
        userName: row.userName,
        permissions: row.permissions,
        leftAt: null,
        joinedAt: new Date(),
      },
    })
    .returning();
  return p!;
}

/** Marks a participant as gone. */
export async function markLeft(tx: Queryable, sessionId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .update(collaborationParticipants)
    .set({ leftAt: new Date(), connectionCount: 0 })
    .where(
      and(
        eq(collaborationParticipants.sessionId, sessionId),
        eq(collaborationParticipants.userId, userId),
        isNull(collaborationParticipants.leftAt),
      ),
    )
    .returning({ id: collaborationParticipants.id });
  return rows.length > 0;
}

/** Counts an open or closed socket of a participant (presence shared by every process). */
export async function adjustConnections(tx: Queryable, sessionId: string, userId: string, delta: 1 | -1) {
  await tx
    .update(collaborationParticipants)
    .set({
      connectionCount: sql`greatest(${collaborationParticipants.connectionCount} + ${delta}, 0)`,
      lastSeenAt: new Date(),
    })
    .where(
      and(eq(collaborationParticipants.sessionId, sessionId), eq(collaborationParticipants.userId, userId)),
    );
}

/**
 * Appends a change with the session's next sequence. The counter row stays locked until
 * commit, so sequences are gapless and commit in order.
 */
export async function appendChange(
  tx: Queryable,
  c: Omit<typeof collaborationChanges.$inferInsert, 'sequence' | 'createdAt'>,
): Promise<ChangeRow> {
  const [seq] = await tx
    .update(collaborationSessions)
    .set({ lastSequence: sql`${collaborationSessions.lastSequence} + 1` })
    .where(eq(collaborationSessions.id, c.sessionId))
    .returning({ sequence: collaborationSessions.lastSequence });
  const [row] = await tx
    .insert(collaborationChanges)
    .values({ ...c, sequence: seq!.sequence })
    .returning();
  return row!;
}

/** Keeps only the newest `keep` changes of a session (through the owner's trimming function). */
export async function trimChanges(tx: Queryable, sessionId: string, keep: number): Promise<void> {
  await tx.execute(sql`SELECT bf_trim_collaboration_changes(${sessionId}::uuid, ${keep}::bigint)`);
}

/** Changes after a sequence, in order. */
export function changesAfter(tx: Queryable, sessionId: string, after: number, limit: number) {
  return tx
    .select()
    .from(collaborationChanges)
    .where(and(eq(collaborationChanges.sessionId, sessionId), gt(collaborationChanges.sequence, after)))
    .orderBy(asc(collaborationChanges.sequence))
    .limit(limit);
}

/** The oldest sequence still kept (retention may have trimmed the start). */
export async function firstSequence(tx: Queryable, sessionId: string): Promise<number | undefined> {
  const rows = await tx
    .select({ s: collaborationChanges.sequence })
    .from(collaborationChanges)
    .where(eq(collaborationChanges.sessionId, sessionId))
    .orderBy(asc(collaborationChanges.sequence))
    .limit(1);
  return rows[0]?.s;
}

/** Recent edits of one target by other users within the window (conflict detection). */
export function recentEdits(
  tx: Queryable,
  sessionId: string,
  targetId: string,
  userId: string,
  windowSeconds: number,
) {
  return tx
    .select()
    .from(collaborationChanges)
    .where(
      and(
        eq(collaborationChanges.sessionId, sessionId),
        eq(collaborationChanges.targetId, targetId),
        ne(collaborationChanges.userId, userId),
        inArray(collaborationChanges.changeType, ['budget_line_updated', 'budget_line_deleted']),
        gt(collaborationChanges.createdAt, sql`now() - make_interval(secs => ${windowSeconds})`),
      ),
    )
    .orderBy(desc(collaborationChanges.sequence))
    .limit(10);
}

/** Inserts a comment. */
export async function insertComment(
  tx: Queryable,
  row: Omit<typeof collaborationComments.$inferInsert, 'createdAt'>,
) {
  const [c] = await tx.insert(collaborationComments).values(row).returning();
  return c!;
}

/** A budget's comments (optionally of one line), oldest first. */
export function listComments(
  tx: Queryable,
  f: { budgetId: string; lineId?: string | undefined; afterId?: string | undefined; limit: number },
) {
  return tx
    .select()
    .from(collaborationComments)
    .where(
      and(
        eq(collaborationComments.budgetId, f.budgetId),
        f.lineId ? eq(collaborationComments.lineId, f.lineId) : undefined,
        f.afterId ? gt(collaborationComments.id, f.afterId) : undefined,
      ),
    )
    .orderBy(asc(collaborationComments.id))
    .limit(f.limit + 1);
}

/** Inserts a pending conflict. */
export async function insertConflict(
  tx: Queryable,
  row: Omit<typeof collaborationConflicts.$inferInsert, 'createdAt' | 'status'>,
) {
  const [c] = await tx.insert(collaborationConflicts).values(row).returning();
  return c!;
}

/** A session's conflicts, optionally of one status, oldest first. */
export function listConflicts(
  tx: Queryable,
  sessionId: string,
  status?: 'pending' | 'accepted' | 'rejected',
) {
  return tx
    .select()
    .from(collaborationConflicts)
    .where(
      and(
        eq(collaborationConflicts.sessionId, sessionId),
        status ? eq(collaborationConflicts.status, status) : undefined,
      ),
    )
    .orderBy(asc(collaborationConflicts.createdAt), asc(collaborationConflicts.id));
}

/** Settles a pending conflict; undefined when it is not pending (any more). */
export async function settleConflict(
  tx: Queryable,
  sessionId: string,
  id: string,
  set: {
    status: 'pending' | 'accepted' | 'rejected';
    resolvedBy: string | null;
    resolution: Record<string, unknown> | null;
  },
  fromStatus: 'pending' | 'accepted' | 'rejected' = 'pending',
) {
  const [c] = await tx
    .update(collaborationConflicts)
    .set({ ...set, resolvedAt: set.status === 'pending' ? null : new Date() })
    .where(
      and(
        eq(collaborationConflicts.sessionId, sessionId),
        eq(collaborationConflicts.id, id),
        eq(collaborationConflicts.status, fromStatus),
      ),
    )
    .returning();
  return c;
}

/** Comments and change requests in a session's change log: how many, and their payload bytes. */
export async function requestUsage(
  tx: Queryable,
  sessionId: string,
): Promise<{ rows: number; bytes: number }> {
  const [row] = await tx
    .select({
      rows: sql<number>`count(*)::int`,
      bytes: sql<number>`coalesce(sum(octet_length(${collaborationChanges.payload}::text)), 0)::bigint`,
    })
    .from(collaborationChanges)
    .where(
      and(
        eq(collaborationChanges.sessionId, sessionId),
        inArray(collaborationChanges.changeType, ['change_request', 'comment_added']),
      ),
    );
  return { rows: Number(row?.rows ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/** The participant rows of several users of a session (also those who left), by user. */
export async function findParticipants(
  tx: Queryable,
  sessionId: string,
  userIds: string[],
): Promise<Map<string, ParticipantRow>> {
  const rows = await tx
    .select()
    .from(collaborationParticipants)
    .where(
      and(
        eq(collaborationParticipants.sessionId, sessionId),
        inArray(collaborationParticipants.userId, userIds),
      ),
    );
  return new Map(rows.map((r) => [r.userId, r]));
}

/**
 * Appends several changes to one session's log in one statement: the counter is bumped once
 * by n (its row stays locked until commit) and the n rows take the n sequences in order.
 * Hand-written SQL with one JSON parameter (a batch of live edits: collaboration.edit-batch.ts).
 */
export async function appendChanges(
  tx: Queryable,
  tenantId: string,
  sessionId: string,
  changes: Omit<
    typeof collaborationChanges.$inferInsert,
    'sequence' | 'createdAt' | 'tenantId' | 'sessionId'
  >[],
): Promise<ChangeRow[]> {
  if (changes.length === 0) return [];
  const n = changes.length;
  const payload = JSON.stringify(
    changes.map((c) => ({
      ct: c.changeType,
      tt: c.targetType ?? null,
      ti: c.targetId ?? null,
      u: c.userId,
      o: c.origin ?? null,
      p: c.payload,
    })),
  );
  const result = (await tx.execute(sql`
    WITH s AS (
      UPDATE collaboration_sessions SET last_sequence = last_sequence + ${n}::bigint
      WHERE id = ${sessionId}::uuid RETURNING last_sequence
    )
    INSERT INTO collaboration_changes
      (tenant_id, session_id, sequence, change_type, target_type, target_id, user_id, origin, payload)
    SELECT ${tenantId}::uuid, ${sessionId}::uuid, s.last_sequence - ${n}::bigint + x.ord, x.v->>'ct', x.v->>'tt',
      (x.v->>'ti')::uuid, x.v->>'u', x.v->>'o', x.v->'p'
    FROM s, jsonb_array_elements(${payload}::jsonb) WITH ORDINALITY AS x(v, ord)
    RETURNING sequence::text AS sequence, floor(extract(epoch FROM created_at) * 1000)::bigint::text AS ms`)) as unknown as {
    rows: { sequence: string; ms: string }[];
  };
  const bySeq = result.rows.map((r) => ({ sequence: Number(r.sequence), createdAt: new Date(Number(r.ms)) }));
  bySeq.sort((a, b) => a.sequence - b.sequence);
  return changes.map((c, i) => ({
    tenantId,
    sessionId,
    sequence: bySeq[i]!.sequence,
    changeType: c.changeType,
    targetType: c.targetType ?? null,
    targetId: c.targetId ?? null,
    userId: c.userId,
    origin: c.origin ?? null,
    payload: c.payload,
    createdAt: bySeq[i]!.createdAt,
  }));
}
