/**
 * Tables of real-time collaboration: sessions (with the per-session change counter),
 * participants, the durable change log, comments and pending conflicts. `tenant_id` leads
 * every key; RLS is in `migrations/0005_collaboration_rls.sql` (the change log is
 * append-only for the application role).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { budgets } from './schema.ts';

export const CONFLICT_STRATEGIES = [
  'optimistic_locking',
  'last_writer_wins',
  'first_writer_wins',
  'manual_resolution',
] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];
export const SESSION_TYPES = ['budget_editing', 'review', 'planning'] as const;
export const SESSION_STATUSES = ['active', 'closed'] as const;
export const PARTICIPANT_ROLES = ['viewer', 'editor', 'owner'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
export const CONFLICT_STATUSES = ['pending', 'accepted', 'rejected'] as const;

/** A collaboration session on one budget; `last_sequence` is the gapless change counter. */
export const collaborationSessions = pgTable(
  'collaboration_sessions',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    budgetId: uuid('budget_id').notNull(),
    sessionName: varchar('session_name', { length: 255 }).notNull(),
    sessionType: varchar('session_type', { length: 30, enum: SESSION_TYPES }).notNull(),
    maxParticipants: integer('max_participants').notNull(),
    permissions: jsonb('permissions').$type<Record<string, unknown>>().notNull().default({}),
    conflictStrategy: varchar('conflict_strategy', { length: 30, enum: CONFLICT_STRATEGIES }).notNull(),
    status: varchar('status', { length: 20, enum: SESSION_STATUSES }).notNull().default('active'),
    // Bumped (row-locked) in the same transaction as each change-log row: gapless and ordered.
    lastSequence: bigint('last_sequence', { mode: 'number' }).notNull().default(0),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
    closedAt: tstz('closed_at'),
    closedBy: varchar('closed_by', { length: 255 }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete('cascade'),
    index('collaboration_sessions_budget_idx').on(t.tenantId, t.budgetId, t.status),
    check('collaboration_sessions_max_participants', sql`${t.maxParticipants} BETWEEN 1 AND 10000`),
    check('collaboration_sessions_sequence_nonneg', sql`${t.lastSequence} >= 0`),
  ],
);

/** A user's membership of a session (one row per user; leaving sets left_at). */
export const collaborationParticipants = pgTable(
  'collaboration_participants',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    sessionId: uuid('session_id').notNull(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    userName: varchar('user_name', { length: 255 }).notNull(),
    role: varchar('role', { length: 20, enum: PARTICIPANT_ROLES }).notNull(),
    permissions: jsonb('permissions').$type<string[]>().notNull().default([]),
    joinedAt: tstz('joined_at').notNull().defaultNow(),
    leftAt: tstz('left_at'),
    // Open sockets of this user, across every process (presence).
    connectionCount: integer('connection_count').notNull().default(0),
    lastSeenAt: tstz('last_seen_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('collaboration_participants_user_uq').on(t.tenantId, t.sessionId, t.userId),
    foreignKey({
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [collaborationSessions.tenantId, collaborationSessions.id],
    }).onDelete('cascade'),
    check('collaboration_participants_connections_nonneg', sql`${t.connectionCount} >= 0`),
  ],
);

/** Every accepted change of a session, in sequence order. Append-only for the application. */
export const collaborationChanges = pgTable(
  'collaboration_changes',
  {
    tenantId: uuid('tenant_id').notNull(),
    sessionId: uuid('session_id').notNull(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    changeType: varchar('change_type', { length: 50 }).notNull(),
    targetType: varchar('target_type', { length: 30 }),
    targetId: uuid('target_id'),
    userId: varchar('user_id', { length: 255 }).notNull(),
    // Which socket and message caused it (the sender is acknowledged instead of broadcast to).
    origin: varchar('origin', { length: 200 }),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.sessionId, t.sequence] }),
    foreignKey({
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [collaborationSessions.tenantId, collaborationSessions.id],
    }).onDelete('cascade'),
    index('collaboration_changes_target_idx').on(t.tenantId, t.sessionId, t.targetId, t.createdAt),
    check('collaboration_changes_sequence_positive', sql`${t.sequence} >= 1`),
  ],
);

/** A comment on a budget or one of its lines. */
export const collaborationComments = pgTable(
  'collaboration_comments',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    budgetId: uuid('budget_id').notNull(),
    lineId: uuid('line_id'),
    sessionId: uuid('session_id'),
    userId: varchar('user_id', { length: 255 }).notNull(),
    body: varchar('body', { length: 5000 }).notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete('cascade'),
    index('collaboration_comments_budget_idx').on(t.tenantId, t.budgetId, t.lineId, t.createdAt),
  ],
);

/** An edit held for manual resolution (strategy manual_resolution). */
export const collaborationConflicts = pgTable(
  'collaboration_conflicts',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    sessionId: uuid('session_id').notNull(),
    targetType: varchar('target_type', { length: 30 }).notNull(),
    targetId: uuid('target_id').notNull(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    proposedChanges: jsonb('proposed_changes').$type<Record<string, unknown>>().notNull(),
    baseVersion: integer('base_version'),
    currentValue: jsonb('current_value').$type<Record<string, unknown>>().notNull(),
    conflictingSequences: jsonb('conflicting_sequences').$type<number[]>().notNull().default([]),
    status: varchar('status', { length: 20, enum: CONFLICT_STATUSES }).notNull().default('pending'),
    resolvedBy: varchar('resolved_by', { length: 255 }),
    resolvedAt: tstz('resolved_at'),
    resolution: jsonb('resolution').$type<Record<string, unknown>>(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [collaborationSessions.tenantId, collaborationSessions.id],
    }).onDelete('cascade'),
    index('collaboration_conflicts_session_idx').on(t.tenantId, t.sessionId, t.status, t.createdAt),
  ],
);
