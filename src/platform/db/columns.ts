/** Column sets shared by every entity table. */
import { boolean, integer, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

/** A timestamp with time zone, read as a Date. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** APGBaseModel: audit, soft-delete and optimistic-locking columns shared by every entity. */
export const baseColumns = () => ({
  id: uuid('id').notNull(),
  tenantId: uuid('tenant_id').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  createdBy: varchar('created_by', { length: 255 }).notNull(),
  updatedAt: tstz('updated_at'),
  updatedBy: varchar('updated_by', { length: 255 }),
  isDeleted: boolean('is_deleted').notNull().default(false),
  deletedAt: tstz('deleted_at'),
  deletedBy: varchar('deleted_by', { length: 255 }),
  version: integer('version').notNull().default(1),
});
