/**
 * What a department-scoped participant may receive of a session's change log
 * (docs/department-scope.md). Row-level security decides which lines a user reads; the change
 * log and its live fan-out are per session, so each change is checked here against the
 * recipient's department codes (read from the database by `bf_department_scope()`, the function
 * the policies call) on both paths: the socket's live frames and replays (ChangeStream) and the
 * REST replay (`GET /collaboration/sessions/:id/changes`).
 *
 * A change about lines outside the scope is replaced by a `change_hidden` placeholder with the
 * same sequence, so every recipient's stream stays gapless (acks, `sync` and reconnects are
 * unchanged). A change about several lines (a pasted block) keeps only the scope's lines. A
 * change about the budget as a whole (status, fields, counts of a bulk import) is not hidden.
 * Unknown change types and line changes that do not name their department are hidden (fail
 * closed).
 */
import type { DepartmentCodes } from '../../platform/tenancy/scope-keys.ts';

type Message = Record<string, unknown>;

/** Changes about the budget as a whole: every participant of its session may see them. */
const BUDGET_WIDE = new Set(['budget_updated', 'budget_deleted', 'budget_lines_changed']);

/** Changes about one line, where the message names that line's department. */
const LINE_DEPARTMENT: Record<string, (m: Message) => unknown> = {
  budget_line_updated: (m) => (m.line as Message | undefined)?.department_id,
  budget_line_added: (m) => (m.line as Message | undefined)?.department_id,
  budget_line_deleted: (m) => (m.line as Message | undefined)?.department_id,
  conflict_detected: (m) => (m.current as Message | undefined)?.department_id,
  conflict_resolved: (m) => m.department_id,
};

/** Changes about the budget (no line) or about one line (then `department_id` names its department). */
const ABOUT_BUDGET: Record<string, (m: Message) => boolean> = {
  comment_added: (m) => (m.comment as Message | undefined)?.line_id === null,
  change_request: (m) => m.target_type === 'budget',
};

/** Line changes whose target may have been in scope before: the placeholder names the line. */
const KEEP_TARGET = new Set(['budget_line_updated', 'budget_line_deleted']);

/**
 * The message as the recipient may see it: the message itself, a copy with the scope's lines
 * only, or a `change_hidden` placeholder. `codes` null: unrestricted (everything as it is).
 */
export function visibleChange(message: Message, codes: DepartmentCodes): Message {
  if (codes === null) return message;
  const type = String(message.type);
  if (BUDGET_WIDE.has(type)) return message;
  const inScope = (d: unknown) => typeof d === 'string' && codes.has(d);
  if (type === 'budget_periods_updated') {
    const lines = Array.isArray(message.lines) ? (message.lines as Message[]) : [];
    const kept = lines.filter((l) => inScope(l.department_id));
    if (kept.length === lines.length) return message;
    return kept.length ? { ...message, lines: kept } : hidden(message, false);
  }
  const aboutBudget = ABOUT_BUDGET[type];
  if (aboutBudget) {
    if (aboutBudget(message)) return message;
    return inScope(message.department_id) ? message : hidden(message, false);
  }
  const department = LINE_DEPARTMENT[type];
  if (department && inScope(department(message))) return message;
  return hidden(message, KEEP_TARGET.has(type));
}

/** The placeholder: the sequence and its time, nothing of the hidden change. */
function hidden(message: Message, keepTarget: boolean): Message {
  return {
    type: 'change_hidden',
    sequence: message.sequence,
    session_id: message.session_id,
    timestamp: message.timestamp,
    ...(keepTarget && typeof message.target_id === 'string' ? { target_id: message.target_id } : {}),
  };
}
