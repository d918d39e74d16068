/** SQL for templates and their versions. Every call runs inside a tenant transaction, so RLS scopes it. */
import { and, desc, eq, ilike, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { budgetTemplates, budgetTemplateVersions } from '../../platform/db/schema.ts';
import type { TemplateDefaults, TemplateLine } from './templates.schema.ts';

export type TemplateRow = typeof budgetTemplates.$inferSelect;
export type NewTemplate = Omit<typeof budgetTemplates.$inferInsert, 'createdAt'>;
export type VersionRow = typeof budgetTemplateVersions.$inferSelect;

/** What one immutable version holds (the jsonb `content`). */
export interface TemplateContent {
  name: string;
  description: string | null;
  defaults: TemplateDefaults;
  lines: TemplateLine[];
}

/** A template row with the line count of its current version. */
export type TemplateWithCount = TemplateRow & { lineCount: number };

/** Inserts a template and returns it. */
export async function insertTemplate(tx: Queryable, row: NewTemplate): Promise<TemplateRow> {
  const [created] = await tx.insert(budgetTemplates).values(row).returning();
  return created!;
}

/** A live template, optionally locked for update. */
export async function findTemplate(tx: Queryable, id: string, forUpdate = false) {
  const q = tx
    .select()
    .from(budgetTemplates)
    .where(and(eq(budgetTemplates.id, id), eq(budgetTemplates.isDeleted, false)));
  const rows = await (forUpdate ? q.for('update') : q);
  return rows[0];
}

/** Whether another live template has this name (case-insensitive). */
export async function templateNameTaken(tx: Queryable, name: string, exceptId?: string): Promise<boolean> {
  const rows = await tx
    .select({ id: budgetTemplates.id })
    .from(budgetTemplates)
    .where(
      and(
        eq(budgetTemplates.isDeleted, false),
        sql`lower(${budgetTemplates.name}) = lower(${name})`,
        exceptId ? ne(budgetTemplates.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** Applies a patch, bumps the locking version and returns the new row. */
export async function updateTemplate(
  tx: Queryable,
  id: string,
  patch: Partial<NewTemplate>,
): Promise<TemplateRow> {
  const [row] = await tx
    .update(budgetTemplates)
    .set({ ...patch, updatedAt: new Date(), version: sql`${budgetTemplates.version} + 1` })
    .where(eq(budgetTemplates.id, id))
    .returning();
  return row!;
}

const lineCount = sql<number>`jsonb_array_length(${budgetTemplateVersions.content} -> 'lines')::int`;

export interface TemplateFilter {
  text?: string | undefined;
  budgetType?: TemplateRow['budgetType'] | undefined;
  afterId?: string | undefined;
  limit: number;
}

/** Lists live templates newest first with their current line count, keyset-paginated on the UUIDv7 id. */
export async function listTemplates(tx: Queryable, f: TemplateFilter): Promise<TemplateWithCount[]> {
  const where: (SQL | undefined)[] = [eq(budgetTemplates.isDeleted, false)];
  if (f.text) {
    const p = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(budgetTemplates.name, p), ilike(budgetTemplates.description, p)));
  }
  if (f.budgetType) where.push(eq(budgetTemplates.budgetType, f.budgetType));
  if (f.afterId) where.push(lt(budgetTemplates.id, f.afterId));
  const rows = await tx
    .select({ t: budgetTemplates, lineCount })
    .from(budgetTemplates)
    .innerJoin(
      budgetTemplateVersions,
      and(
        eq(budgetTemplateVersions.templateId, budgetTemplates.id),
        eq(budgetTemplateVersions.version, budgetTemplates.currentVersion),
      ),
    )
    .where(and(...where))
    .orderBy(desc(budgetTemplates.id))
    .limit(f.limit + 1);
  return rows.map((r) => ({ ...r.t, lineCount: r.lineCount }));
}

/** Inserts one immutable version. */
export async function insertVersion(
  tx: Queryable,
  row: Omit<typeof budgetTemplateVersions.$inferInsert, 'createdAt'>,
): Promise<VersionRow> {
  const [created] = await tx.insert(budgetTemplateVersions).values(row).returning();
  return created!;
}

/** One version of a template. */
export async function findVersion(tx: Queryable, templateId: string, version: number) {
  const rows = await tx
    .select()
    .from(budgetTemplateVersions)
    .where(
      and(eq(budgetTemplateVersions.templateId, templateId), eq(budgetTemplateVersions.version, version)),
    );
  return rows[0];
}

/** Version summaries (no lines), newest first, before the given version when paging. */
export function listVersions(tx: Queryable, templateId: string, limit: number, beforeVersion?: number) {
  return tx
    .select({
      templateId: budgetTemplateVersions.templateId,
      version: budgetTemplateVersions.version,
      name: sql<string>`${budgetTemplateVersions.content} ->> 'name'`,
      lineCount,
      comment: budgetTemplateVersions.comment,
      createdAt: budgetTemplateVersions.createdAt,
      createdBy: budgetTemplateVersions.createdBy,
    })
    .from(budgetTemplateVersions)
    .where(
      and(
        eq(budgetTemplateVersions.templateId, templateId),
        beforeVersion !== undefined ? lt(budgetTemplateVersions.version, beforeVersion) : undefined,
      ),
    )
    .orderBy(desc(budgetTemplateVersions.version))
    .limit(limit + 1);
}
export type VersionSummaryRow = Awaited<ReturnType<typeof listVersions>>[number];
