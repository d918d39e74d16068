/**
 * Department scope: which departments a user may see and edit (docs/department-scope.md).
 * No row = unrestricted (every department, the behaviour before scopes). The row is read by
 * the database itself (`bf_department_scope()`, migrations/0019_department_scope.sql) from
 * `app.user_id`, which `withTenant` sets, so a change applies to the next statement everywhere.
 */
import { sql } from 'drizzle-orm';
import { check, foreignKey, pgTable, primaryKey, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { tenants } from './schema.ts';

/** One scoped user's departments: exact department codes (a code's subtree once trees exist). */
export const departmentScopes = pgTable(
  'department_scopes',
  {
    tenantId: uuid('tenant_id').notNull(),
    // The token's `sub`: a local user's id or an identity provider's subject.
    userId: varchar('user_id', { length: 255 }).notNull(),
    departments: text('departments').array().notNull(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    updatedBy: varchar('updated_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }),
    check('department_scopes_size', sql`cardinality(${t.departments}) <= 1000`),
  ],
);
