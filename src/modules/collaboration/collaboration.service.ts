/** Collaboration use cases: sessions, participants, comments, the change log and socket admission. */
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/client.ts';
import { BusinessRuleError, ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type DepartmentCodes, departmentCodes } from '../../platform/tenancy/scope-keys.ts';
import { afterCommit, type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { mustFindBudget } from '../budgets/index.ts';
import { findLine } from '../lines/index.ts';
import type { CollaborationFeed } from './collaboration.feed.ts';
import {
  assertActive,
  assertCanClose,
  assertCapacityAllowed,
  assertJoinRole,
  authorizeCollaboration,
} from './collaboration.policy.ts';
import {
  presentChange,
  presentComment,
  presentParticipant,
  presentSession,
} from './collaboration.presenter.ts';
import {
  activeSessionIds,
  adjustConnections,
  type ChangeRow,
  changesAfter,
  closeSession,
  findParticipant,
  findSession,
  firstSequence,
  insertComment,
  insertSession,
  listComments,
  listSessions,
  markLeft,
  presentParticipants,
  requestUsage,
  type SessionRow,
  upsertParticipant,
} from './collaboration.repository.ts';
import type { CommentCreateInput, JoinInput, SessionCreateInput } from './collaboration.schema.ts';
import { visibleChange } from './collaboration.visibility.ts';

/** A socket's admission: the session, the participant and who else is there. */
export interface Admission {
  session: SessionRow;
  participant: Awaited<ReturnType<typeof presentParticipants>>[number];
  participants: ReturnType<typeof presentParticipant>[];
  /** The participant's department codes (null: unrestricted), for what the socket may send. */
  codes: DepartmentCodes;
}

export class CollaborationService {
  constructor(
    readonly deps: ServiceDeps,
    readonly feed: CollaborationFeed,
  ) {}

  /** Creates a session on a budget; its creator joins as owner. */
  async create(ctx: TenantContext, input: SessionCreateInput) {
    authorizeCollaboration(ctx);
    assertCapacityAllowed(input.max_participants, this.deps.config.MAX_COLLABORATION_PARTICIPANTS);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, input.budget_id, false, 'budget_id');
      const session = await insertSession(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        budgetId: input.budget_id,
        sessionName: input.session_name,
        sessionType: input.session_type,
        maxParticipants: input.max_participants,
        permissions: input.permissions,
        conflictStrategy: input.conflict_strategy,
        createdBy: ctx.userId,
      });
      const owner = await upsertParticipant(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        sessionId: session.id,
        userId: ctx.userId,
        userName: ctx.email ?? ctx.userId,
        role: 'owner',
        permissions: [],
      });
      return presentSession(session, [owner]);
    });
  }

  /** One session with its present participants. */
  async get(ctx: TenantContext, id: string) {
    authorizeCollaboration(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const session = await this.mustFind(tx, id);
      return presentSession(session, await presentParticipants(tx, id));
    });
  }

  /** Sessions (active by default), newest first. */
  async list(
    ctx: TenantContext,
    q: {
      budget_id?: string | undefined;
      status: 'active' | 'closed';
      limit: number;
      cursor?: string | undefined;
    },
  ) {
    authorizeCollaboration(ctx);
    const afterId = decodeCursor(q.cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const rows = await listSessions(tx, {
        budgetId: q.budget_id,
        status: q.status,
        ...(afterId ? { afterId } : {}),
        limit: q.limit,
      });
      const page = pageOf(rows, q.limit);
      return { items: page.items.map((s) => presentSession(s)), next_cursor: page.nextCursor };
    });
  }

  /** Joins (or re-joins) a session: capacity and role are checked under the session's row lock. */
  async join(ctx: TenantContext, id: string, input: JoinInput) {
    authorizeCollaboration(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const session = await this.mustFind(tx, id, true);
      assertActive(session);
      assertJoinRole(ctx, session, input.role);
      const present = await presentParticipants(tx, id);
      const already = present.some((p) => p.userId === ctx.userId);
      if (!already && present.length >= session.maxParticipants)
        throw new ConflictError('session_full', 'session_id', 'Session is at maximum capacity', {
          max_participants: session.maxParticipants,
        });
      const participant = await upsertParticipant(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        sessionId: id,
        userId: ctx.userId,
        userName: input.user_name ?? ctx.email ?? ctx.userId,
        role: input.role,
        permissions: input.permissions,
      });
      return {
        session_id: id,
        participant_id: participant.id,
        role: participant.role,
        permissions: participant.permissions,
        websocket_url: presentSession(session).websocket_url,
        last_sequence: session.lastSequence,
        other_participants: present
          .filter((p) => p.userId !== ctx.userId)
          .map((p) => ({ user_id: p.userId, user_name: p.userName, role: p.role })),
      };
    });
  }

  /** Leaves a session; the user's sockets in every process are closed. */
  async leave(ctx: TenantContext, id: string) {
    authorizeCollaboration(ctx);
    const left = await withTenant(this.deps.db, ctx, async (tx) => {
      await this.mustFind(tx, id);
      const left = await markLeft(tx, id, ctx.userId);
      if (left)
        afterCommit(tx, () =>
          this.feed.publishControl(ctx.tenantId, id, {
            action: 'left',
            user_id: ctx.userId,
            message: { type: 'user_left', user_id: ctx.userId, timestamp: new Date().toISOString() },
          }),
        );
      return left;
    });
    if (!left) throw new NotFoundError('Participant', ctx.userId, 'session_id');
    return { message: 'Left the collaboration session', session_id: id };
  }

  /** Closes a session (owner); every socket is told and closed. */
  async close(ctx: TenantContext, id: string) {
    authorizeCollaboration(ctx);
    const session = await withTenant(this.deps.db, ctx, async (tx) => {
      const s = await this.mustFind(tx, id, true);
      assertActive(s);
      assertCanClose(ctx, s, await findParticipant(tx, id, ctx.userId));
      afterCommit(tx, () =>
        this.feed.publishControl(ctx.tenantId, id, {
          action: 'closed',
          user_id: ctx.userId,
          message: { type: 'session_closed', closed_by: ctx.userId, timestamp: new Date().toISOString() },
        }),
      );
      return closeSession(tx, id, ctx.userId);
    });
    return presentSession(session);
  }

  /** Logged changes after a sequence, in order (REST catch-up). */
  async changes(ctx: TenantContext, id: string, after: number, limit: number) {
    authorizeCollaboration(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const session = await this.mustFind(tx, id);
      const rows = await changesAfter(tx, id, after, limit);
      // A scoped reader gets placeholders for other departments' changes (gapless sequences).
      const codes = await departmentCodes(tx);
      return {
        items: rows.map((r) => visibleChange(presentChange(r), codes)),
        last_sequence: session.lastSequence,
        first_available_sequence: (await firstSequence(tx, id)) ?? session.lastSequence + 1,
      };
    });
  }

  /** Adds a comment to a budget or line; it is logged and broadcast in the budget's active sessions. */
  async addComment(ctx: TenantContext, budgetId: string, input: CommentCreateInput, sessionId?: string) {
    authorizeCollaboration(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const line = input.line_id ? await findLine(tx, budgetId, input.line_id) : undefined;
      if (input.line_id && !line) throw new NotFoundError('Budget line', input.line_id, 'line_id');
      // From a socket: the session's quota of stored messages (the session row lock orders the check).
      if (sessionId) await this.assertRequestQuota(tx, sessionId, input.body.length);
      const comment = await insertComment(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        budgetId,
        lineId: input.line_id ?? null,
        sessionId: sessionId ?? null,
        userId: ctx.userId,
        body: input.body,
      });
      const view = presentComment(comment);
      const logged: ChangeRow[] = [];
      for (const sid of await activeSessionIds(tx, budgetId)) {
        logged.push(
          await this.feed.append(tx, ctx, {
            sessionId: sid,
            type: 'comment_added',
            targetType: input.line_id ? 'budget_line' : 'budget',
            targetId: input.line_id ?? budgetId,
            // The line's department: scoped participants see only their departments' comments.
            payload: {
              comment: view,
              target_id: input.line_id ?? budgetId,
              ...(line ? { department_id: line.departmentId } : {}),
            },
          }),
        );
      }
      afterCommit(tx, () => this.feed.publishChanges(ctx.tenantId, logged));
      return view;
    });
  }

  /** A budget's comments, oldest first. */
  async comments(
    ctx: TenantContext,
    budgetId: string,
    q: { line_id?: string | undefined; limit: number; cursor?: string | undefined },
  ) {
    authorizeCollaboration(ctx);
    const afterId = decodeCursor(q.cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const rows = await listComments(tx, { budgetId, lineId: q.line_id, afterId, limit: q.limit });
      const page = pageOf(rows, q.limit);
      return { items: page.items.map(presentComment), next_cursor: page.nextCursor };
    });
  }

  /** Admits a socket: the session must be active and the user a present participant. */
  async admit(
    ctx: TenantContext,
    sessionId: string,
  ): Promise<Admission | 'not_found' | 'closed' | 'forbidden'> {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const session = await findSession(tx, sessionId);
      if (!session) return 'not_found';
      if (session.status !== 'active') return 'closed';
      const participant = await findParticipant(tx, sessionId, ctx.userId);
      if (!participant || participant.leftAt || !ctx.permissions.has('collaboration:join'))
        return 'forbidden';
      await adjustConnections(tx, sessionId, ctx.userId, 1);
      const participants = (await presentParticipants(tx, sessionId)).map(presentParticipant);
      return { session, participant, participants, codes: await departmentCodes(tx) };
    });
  }

  /** Counts a closed socket (presence). */
  async disconnected(ctx: TenantContext, sessionId: string): Promise<void> {
    await withTenant(this.deps.db, ctx, (tx) => adjustConnections(tx, sessionId, ctx.userId, -1));
  }

  /** Changes after a sequence for a socket's replay, and the oldest one still kept. */
  async replay(ctx: TenantContext, sessionId: string, after: number, limit: number) {
    return withTenant(this.deps.db, ctx, async (tx) => ({
      rows: await changesAfter(tx, sessionId, after, limit),
      first: await firstSequence(tx, sessionId),
      codes: await departmentCodes(tx),
    }));
  }

  /** The user's department codes now (null: unrestricted). */
  scopeCodes(ctx: TenantContext): Promise<DepartmentCodes> {
    return withTenant(this.deps.db, ctx, departmentCodes);
  }

  /** Logs and publishes a change that is not a budget write (change requests). */
  async logChange(ctx: TenantContext, sessionId: string, change: Parameters<CollaborationFeed['append']>[2]) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const session = await this.mustFind(tx, sessionId, true);
      assertActive(session);
      // A change request may name a line: only one of this session's budget (never a foreign id).
      let departmentId: string | null | undefined;
      if (change.targetType === 'budget_line' && change.targetId) {
        const line = await findLine(tx, session.budgetId, change.targetId);
        if (!line) throw new NotFoundError('Budget line', change.targetId, 'target_id');
        departmentId = line.departmentId;
      }
      await this.assertRequestQuota(tx, sessionId, JSON.stringify(change.payload).length);
      // What the request is about, for scoped participants (collaboration.visibility.ts).
      const payload = {
        ...change.payload,
        target_type: change.targetType,
        ...(departmentId !== undefined ? { department_id: departmentId } : {}),
      };
      const row = await this.feed.append(tx, ctx, { ...change, payload });
      afterCommit(tx, () => this.feed.publishChanges(ctx.tenantId, [row]));
      return row;
    });
  }

  /** 422 session_quota_exceeded when the session's log holds its quota of comments and change requests. */
  private async assertRequestQuota(tx: Tx, sessionId: string, adding: number): Promise<void> {
    const c = this.deps.config;
    const used = await requestUsage(tx, sessionId);
    const full =
      used.rows + 1 > c.COLLABORATION_SESSION_MAX_REQUESTS ||
      used.bytes + adding > c.COLLABORATION_SESSION_MAX_REQUEST_BYTES;
    if (!full) return;
    throw new BusinessRuleError(
      'session_quota_exceeded',
      `This session holds ${used.rows} comments and change requests (${used.bytes} bytes); its quota is ${c.COLLABORATION_SESSION_MAX_REQUESTS} messages and ${c.COLLABORATION_SESSION_MAX_REQUEST_BYTES} bytes: start a new session`,
      'session',
      { rows: used.rows, bytes: used.bytes },
    );
  }

  /** The session or 404 (also another tenant's: RLS hides it). */
  async mustFind(tx: Tx, id: string, forUpdate = false): Promise<SessionRow> {
    const s = await findSession(tx, id, forUpdate);
    if (!s) throw new NotFoundError('Collaboration session', id);
    return s;
  }
}
