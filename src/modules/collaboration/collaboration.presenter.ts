/** Shapes collaboration rows for REST and for the WebSocket (snake_case, ISO times). */
import type { BudgetChange } from '../../platform/events/change-hooks.ts';
import { API_PREFIX } from '../../platform/http/types.ts';
import type {
  ChangeRow,
  CommentRow,
  ConflictRow,
  ParticipantRow,
  SessionRow,
} from './collaboration.repository.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The WebSocket path of a session. */
export const websocketPath = (sessionId: string) => `${API_PREFIX}/ws/collaboration/${sessionId}`;

/** A participant, with whether they have a socket open in any process. */
export function presentParticipant(p: ParticipantRow) {
  return {
    participant_id: p.id,
    user_id: p.userId,
    user_name: p.userName,
    role: p.role,
    permissions: p.permissions,
    joined_at: p.joinedAt.toISOString(),
    online: p.connectionCount > 0,
  };
}

/** A session as the API returns it. */
export function presentSession(s: SessionRow, participants?: ParticipantRow[]) {
  return {
    session_id: s.id,
    session_name: s.sessionName,
    budget_id: s.budgetId,
    session_type: s.sessionType,
    max_participants: s.maxParticipants,
    permissions: s.permissions,
    conflict_strategy: s.conflictStrategy,
    status: s.status,
    last_sequence: s.lastSequence,
    // The guide's join URL; POST to it joins (same as /collaboration/sessions/:id/join).
    join_url: `${API_PREFIX}/collaboration/join/${s.id}`,
    websocket_url: websocketPath(s.id),
    created_at: s.createdAt.toISOString(),
    created_by: s.createdBy,
    closed_at: iso(s.closedAt),
    ...(participants ? { participants: participants.map(presentParticipant) } : {}),
  };
}

/** A logged change as the message every client receives. */
export function presentChange(c: ChangeRow): Record<string, unknown> {
  return {
    ...c.payload,
    type: c.changeType,
    sequence: c.sequence,
    session_id: c.sessionId,
    user_id: c.userId,
    timestamp: c.createdAt.toISOString(),
  };
}

/** The fields whose values differ between two wire-shaped lines. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (k === 'updated_at' || k === 'updated_by' || k === 'version') continue;
    if (JSON.stringify(v) !== JSON.stringify(before[k])) out[k] = v;
  }
  return out;
}

/** The change-log type and payload of a budget change reported by a service. */
export function changeMessage(change: BudgetChange): { type: string; payload: Record<string, unknown> } {
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  switch (change.kind) {
    case 'line_updated':
      return {
        type: 'budget_line_updated',
        payload: {
          target_id: change.targetId,
          changes: changedFields(before, after),
          line: after,
          version: after.version,
          success: true,
        },
      };
    case 'periods_updated':
      // Many lines' months at once (a pasted block): each line with its version and periods.
      return { type: 'budget_periods_updated', payload: { target_id: change.budgetId, ...after } };
    case 'line_added':
      return { type: 'budget_line_added', payload: { target_id: change.targetId, line: after } };
    case 'line_deleted':
      return { type: 'budget_line_deleted', payload: { target_id: change.targetId, line: before } };
    case 'lines_added':
    case 'lines_replaced':
      return {
        type: 'budget_lines_changed',
        payload: {
          target_id: change.budgetId,
          mode: change.kind === 'lines_added' ? 'append' : 'replace',
          ...after,
        },
      };
    case 'budget_updated':
      // Field updates and workflow transitions alike: `changes` names what moved (e.g. status).
      return {
        type: 'budget_updated',
        payload: {
          target_id: change.budgetId,
          changes: changedFields(before, after),
          status: after.status,
          version: after.version,
          budget: after,
        },
      };
    case 'budget_deleted':
      return { type: 'budget_deleted', payload: { target_id: change.budgetId, budget: before } };
  }
}

/** A comment as the API returns it. */
export function presentComment(c: CommentRow) {
  return {
    comment_id: c.id,
    budget_id: c.budgetId,
    line_id: c.lineId,
    session_id: c.sessionId,
    user_id: c.userId,
    body: c.body,
    created_at: c.createdAt.toISOString(),
  };
}

/** A conflict as the API returns it. */
export function presentConflict(c: ConflictRow) {
  return {
    conflict_id: c.id,
    session_id: c.sessionId,
    target_type: c.targetType,
    target_id: c.targetId,
    user_id: c.userId,
    proposed_changes: c.proposedChanges,
    base_version: c.baseVersion,
    current_value: c.currentValue,
    conflicting_sequences: c.conflictingSequences,
    status: c.status,
    resolved_by: c.resolvedBy,
    resolved_at: iso(c.resolvedAt),
    resolution: c.resolution,
    created_at: c.createdAt.toISOString(),
  };
}
