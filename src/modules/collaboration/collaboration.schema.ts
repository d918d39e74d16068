/** REST request and response schemas of collaboration (sessions, participants, comments, conflicts). */
import { z } from 'zod';
import {
  CONFLICT_STATUSES,
  CONFLICT_STRATEGIES,
  PARTICIPANT_ROLES,
  SESSION_STATUSES,
  SESSION_TYPES,
} from '../../platform/db/schema-collaboration.ts';
import { pageQuery, trimmed, uuidParam } from '../../shared/validation.ts';
import { lineEditChanges } from './collaboration.messages.ts';

export const sessionCreateSchema = z.strictObject({
  session_name: trimmed(1, 255, 'session_name'),
  budget_id: z.uuid(),
  // The configured maximum (MAX_COLLABORATION_PARTICIPANTS) is checked by the service.
  max_participants: z.number().int().min(1).default(10),
  session_type: z.enum(SESSION_TYPES).default('budget_editing'),
  permissions: z.record(z.string().max(100), z.unknown()).default({}),
  conflict_strategy: z.enum(CONFLICT_STRATEGIES).default('optimistic_locking'),
});
export type SessionCreateInput = z.output<typeof sessionCreateSchema>;

export const sessionParams = z.strictObject({ id: uuidParam });
export const conflictParams = z.strictObject({ id: uuidParam, conflictId: uuidParam });

export const sessionListQuery = z.strictObject({
  budget_id: z.uuid().optional(),
  status: z.enum(SESSION_STATUSES).default('active'),
  ...pageQuery,
});

export const joinSchema = z.strictObject({
  user_name: trimmed(1, 255, 'user_name').optional(),
  role: z.enum(PARTICIPANT_ROLES).default('viewer'),
  permissions: z.array(z.string().max(100)).max(50).default([]),
});
export type JoinInput = z.output<typeof joinSchema>;

export const changesQuery = z.strictObject({
  after_sequence: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const commentCreateSchema = z.strictObject({
  body: trimmed(1, 5000, 'body'),
  line_id: z.uuid().optional(),
});
export type CommentCreateInput = z.output<typeof commentCreateSchema>;
export const commentListQuery = z.strictObject({ line_id: z.uuid().optional(), ...pageQuery });

export const conflictListQuery = z.strictObject({ status: z.enum(CONFLICT_STATUSES).optional() });
export const conflictResolveSchema = z.strictObject({
  action: z.enum(['accept', 'reject']),
  // Accept with these changes instead of the proposed ones (a merge made by the resolver).
  changes: lineEditChanges.optional(),
});
export type ConflictResolveInput = z.output<typeof conflictResolveSchema>;

const participantResponse = z.object({
  participant_id: z.uuid(),
  user_id: z.string(),
  user_name: z.string(),
  role: z.enum(PARTICIPANT_ROLES),
  permissions: z.array(z.string()),
  joined_at: z.string(),
  online: z.boolean(),
});

export const sessionResponse = z.object({
  session_id: z.uuid(),
  session_name: z.string(),
  budget_id: z.uuid(),
  session_type: z.enum(SESSION_TYPES),
  max_participants: z.number().int(),
  permissions: z.record(z.string(), z.unknown()),
  conflict_strategy: z.enum(CONFLICT_STRATEGIES),
  status: z.enum(SESSION_STATUSES),
  last_sequence: z.number().int(),
  join_url: z.string(),
  websocket_url: z.string(),
  created_at: z.string(),
  created_by: z.string(),
  closed_at: z.string().nullable(),
  participants: z.array(participantResponse).optional(),
});

export const joinResponse = z.object({
  session_id: z.uuid(),
  participant_id: z.uuid(),
  role: z.enum(PARTICIPANT_ROLES),
  permissions: z.array(z.string()),
  websocket_url: z.string(),
  last_sequence: z.number().int(),
  other_participants: z.array(z.object({ user_id: z.string(), user_name: z.string(), role: z.string() })),
});

export const changeResponse = z.record(z.string(), z.unknown());
export const commentResponse = z.object({
  comment_id: z.uuid(),
  budget_id: z.uuid(),
  line_id: z.uuid().nullable(),
  session_id: z.uuid().nullable(),
  user_id: z.string(),
  body: z.string(),
  created_at: z.string(),
});
export const conflictResponse = z.object({
  conflict_id: z.uuid(),
  session_id: z.uuid(),
  target_type: z.string(),
  target_id: z.uuid(),
  user_id: z.string(),
  proposed_changes: z.record(z.string(), z.unknown()),
  base_version: z.number().int().nullable(),
  current_value: z.record(z.string(), z.unknown()),
  conflicting_sequences: z.array(z.number().int()),
  status: z.enum(CONFLICT_STATUSES),
  resolved_by: z.string().nullable(),
  resolved_at: z.string().nullable(),
  resolution: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.string(),
});
