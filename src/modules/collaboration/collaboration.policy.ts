/** Who may do what in a collaboration session. */
import { authorize } from '../../platform/auth/policy.ts';
import type { ParticipantRole } from '../../platform/db/schema-collaboration.ts';
import { AppError, BusinessRuleError, fieldError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { ParticipantRow, SessionRow } from './collaboration.repository.ts';

/** 403 for a participant role that does not allow the action. */
export class RoleError extends AppError {
  override name = 'RoleError';
  constructor(code: string, message: string) {
    super(403, code, message, [{ path: 'role', code, message }]);
  }
}

/** Reading sessions, joining and talking in them: collaboration:join and budgets:read. */
export function authorizeCollaboration(ctx: TenantContext): void {
  authorize(ctx, 'collaboration:join');
  authorize(ctx, 'budgets:read');
}

/** The requested size must not exceed the configured maximum. */
export function assertCapacityAllowed(maxParticipants: number, configuredMax: number): void {
  if (maxParticipants > configuredMax)
    throw fieldError('max_participants', 'too_big', `max_participants may be at most ${configuredMax}`);
}

/** A closed session accepts nothing. */
export function assertActive(session: SessionRow): void {
  if (session.status !== 'active')
    throw new BusinessRuleError('session_closed', 'The collaboration session is closed', 'status');
}

/** Editors need budgets:write; only the session's creator may join as owner. */
export function assertJoinRole(ctx: TenantContext, session: SessionRow, role: ParticipantRole): void {
  if (role === 'viewer') return;
  authorize(ctx, 'budgets:write');
  if (role === 'owner' && session.createdBy !== ctx.userId)
    throw new RoleError('owner_role_reserved', 'Only the creator of the session may join as owner');
}

/** Viewers cannot edit; editors and owners need budgets:write as over REST. */
export function assertCanEdit(ctx: TenantContext, participant: Pick<ParticipantRow, 'role'>): void {
  if (participant.role === 'viewer')
    throw new RoleError('viewer_cannot_edit', 'Viewers cannot edit the budget');
  authorize(ctx, 'budgets:write');
}

/** Pending conflicts are resolved by editors and owners. */
export function assertCanResolve(ctx: TenantContext, participant: ParticipantRow | undefined): void {
  if (!participant || participant.leftAt) throw new RoleError('not_a_participant', 'Join the session first');
  assertCanEdit(ctx, participant);
}

/** The owner (or the creator) closes a session. */
export function assertCanClose(
  ctx: TenantContext,
  session: SessionRow,
  participant: ParticipantRow | undefined,
) {
  const owner = participant && !participant.leftAt && participant.role === 'owner';
  if (!owner && session.createdBy !== ctx.userId)
    throw new RoleError('owner_only', 'Only the owner of the session may close it');
}

/** Roles that may write. */
export const EDITING_ROLES: readonly ParticipantRole[] = ['editor', 'owner'];
