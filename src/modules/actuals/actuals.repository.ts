/** SQL of actuals: batches, rows (bulk-written with jsonb_to_recordset), staged uploads, mappings. */
import { and, asc, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import { actualBatches, actualUploads, importMappings } from '../../platform/db/schema.ts';

export type BatchRow = typeof actualBatches.$inferSelect;
export type MappingRow = typeof importMappings.$inferSelect;

/** One validated row, in the shape jsonb_to_recordset reads. */
export interface ActualInsert {
  row_number: number;
  period: string;
  gl_account_id: string | null;
  department_id: string | null;
  cost_center_id: string | null;
  category: string | null;
  amount: string;
  currency: string;
  description: string | null;
}

/** Serializes imports of one batch key (two uploads of the same key never both win). */
export async function lockBatchKey(tx: Queryable, batchKey: string): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(current_setting('app.tenant_id') || '/' || ${batchKey}, 7))`,
  );
}

/** The batch of a key, if any. */
export async function findBatchByKey(tx: Queryable, batchKey: string): Promise<BatchRow | undefined> {
  const [row] = await tx.select().from(actualBatches).where(eq(actualBatches.batchKey, batchKey));
  return row;
}

/** One batch by id. */
export async function findBatch(tx: Queryable, id: string): Promise<BatchRow | undefined> {
  const [row] = await tx.select().from(actualBatches).where(eq(actualBatches.id, id));
  return row;
}

/** Deletes a batch; its rows go with it (ON DELETE CASCADE). */
export async function deleteBatch(tx: Queryable, id: string): Promise<boolean> {
  const rows = await tx
    .delete(actualBatches)
    .where(eq(actualBatches.id, id))
    .returning({ id: actualBatches.id });
  return rows.length > 0;
}

/** Inserts a batch row (before its actuals, for the foreign key). */
export async function insertBatch(tx: Queryable, row: typeof actualBatches.$inferInsert): Promise<void> {
  await tx.insert(actualBatches).values(row);
}

/** Stores the final count and report of a batch. */
export async function finishBatch(
  tx: Queryable,
  id: string,
  rowCount: number,
  report: object,
): Promise<BatchRow> {
  const [row] = await tx
    .update(actualBatches)
    .set({ rowCount, report })
    .where(eq(actualBatches.id, id))
    .returning();
  return row!;
}

/** Batches newest first (UUIDv7 ids are time-ordered). */
export function listBatches(tx: Queryable, limit: number, afterId?: string) {
  return tx
    .select({
      id: actualBatches.id,
      batchKey: actualBatches.batchKey,
      fileName: actualBatches.fileName,
      format: actualBatches.format,
      rowCount: actualBatches.rowCount,
      createdAt: actualBatches.createdAt,
      createdBy: actualBatches.createdBy,
    })
    .from(actualBatches)
    .where(afterId ? lt(actualBatches.id, afterId) : undefined)
    .orderBy(desc(actualBatches.id))
    .limit(limit + 1);
}

/** Writes a chunk of rows in one statement: one JSON parameter, whatever the row count. */
export async function insertActuals(
  tx: Queryable,
  tenantId: string,
  batchId: string,
  rows: ActualInsert[],
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO actuals (tenant_id, batch_id, row_number, period, gl_account_id, department_id,
                         cost_center_id, category, amount, currency, description)
    SELECT ${tenantId}::uuid, ${batchId}::uuid, r.row_number, r.period, r.gl_account_id, r.department_id,
           r.cost_center_id, r.category, r.amount, r.currency, r.description
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
      row_number int, period date, gl_account_id varchar, department_id varchar, cost_center_id varchar,
      category varchar, amount numeric, currency varchar, description varchar)`);
}

export interface ActualsFilter {
  periodFrom?: string | undefined;
  periodTo?: string | undefined;
  glAccount?: string | undefined;
  department?: string | undefined;
  category?: string | undefined;
  currency?: string | undefined;
  batchId?: string | undefined;
}

function filterSql(f: ActualsFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.periodFrom) parts.push(sql`a.period >= ${f.periodFrom}::date`);
  if (f.periodTo) parts.push(sql`a.period <= ${f.periodTo}::date`);
  if (f.glAccount) parts.push(sql`a.gl_account_id = ${f.glAccount}`);
  if (f.department) parts.push(sql`a.department_id = ${f.department}`);
  if (f.category) parts.push(sql`a.category = ${f.category}`);
  if (f.currency) parts.push(sql`a.currency = ${f.currency}`);
  if (f.batchId) parts.push(sql`a.batch_id = ${f.batchId}::uuid`);
  return sql.join(parts, sql` AND `);
}

export interface ActualRowOut {
  batch_id: string;
  row_number: number;
  period: string;
  gl_account_id: string | null;
  department_id: string | null;
  cost_center_id: string | null;
  category: string | null;
  amount: string;
  currency: string;
  description: string | null;
}

/** A page of actuals in (period, batch, row) order, after the keyset position. */
export function listActuals(
  tx: Queryable,
  f: ActualsFilter,
  limit: number,
  after?: { period: string; batchId: string; rowNumber: number },
) {
  const keyset = after
    ? sql`AND (a.period, a.batch_id, a.row_number) > (${after.period}::date, ${after.batchId}::uuid, ${after.rowNumber})`
    : sql``;
  return queryRows<ActualRowOut>(
    tx,
    sql`SELECT a.batch_id, a.row_number, to_char(a.period, 'YYYY-MM-DD') AS period, a.gl_account_id,
               a.department_id, a.cost_center_id, a.category, a.amount::text AS amount, a.currency, a.description
        FROM actuals a WHERE ${filterSql(f)} ${keyset}
        ORDER BY a.period, a.batch_id, a.row_number LIMIT ${limit + 1}`,
  );
}

/** Exact totals per currency of everything the filter selects (not just one page). */
export function actualsTotals(tx: Queryable, f: ActualsFilter) {
  return queryRows<{ currency: string; amount: string; row_count: number }>(
    tx,
    sql`SELECT a.currency, sum(a.amount)::text AS amount, count(*)::int AS row_count
        FROM actuals a WHERE ${filterSql(f)} GROUP BY a.currency ORDER BY a.currency`,
  );
}

/** Appends one chunk of an upload's bytes. */
export async function insertUploadChunk(
  tx: Queryable,
  tenantId: string,
  id: string,
  seq: number,
  data: Buffer,
) {
  // As base64 text: PGlite serialises a bytea parameter byte by byte (1.2 s per MiB here, 0.2 s as base64).
  await tx
    .insert(actualUploads)
    .values({ tenantId, id, seq, data: sql`decode(${data.toString('base64')}, 'base64')` });
}

/** One chunk of a staged upload, or undefined past the end. */
export async function uploadChunk(tx: Queryable, id: string, seq: number): Promise<Buffer | undefined> {
  // Base64 for the same reason as above (PGlite reads bytea slowly too); Buffer.from skips its line breaks.
  const [row] = await tx
    .select({ data: sql<string>`encode(${actualUploads.data}, 'base64')` })
    .from(actualUploads)
    .where(and(eq(actualUploads.id, id), eq(actualUploads.seq, seq)));
  return row ? Buffer.from(row.data, 'base64') : undefined;
}

/** Sizes of a staged upload's chunks in order (for random access to an XLSX's zip directory). */
export async function uploadChunkSizes(tx: Queryable, id: string): Promise<number[]> {
  const rows = await tx
    .select({ bytes: sql<number>`octet_length(${actualUploads.data})`.mapWith(Number) })
    .from(actualUploads)
    .where(eq(actualUploads.id, id))
    .orderBy(asc(actualUploads.seq));
  return rows.map((r) => r.bytes);
}

/** Removes a staged upload. */
export async function deleteUpload(tx: Queryable, id: string): Promise<void> {
  await tx.delete(actualUploads).where(eq(actualUploads.id, id));
}

/** Saved mappings by name. */
export function listMappings(tx: Queryable) {
  return tx
    .select()
    .from(importMappings)
    .orderBy(asc(sql`lower(${importMappings.name})`));
}

/** A saved mapping by id. */
export async function findMapping(tx: Queryable, id: string): Promise<MappingRow | undefined> {
  const [row] = await tx.select().from(importMappings).where(eq(importMappings.id, id));
  return row;
}

/** A saved mapping by name (case-insensitive). */
export async function findMappingByName(tx: Queryable, name: string): Promise<MappingRow | undefined> {
  const [row] = await tx
    .select()
    .from(importMappings)
    .where(sql`lower(${importMappings.name}) = lower(${name})`);
  return row;
}

/** Inserts a mapping. */
export async function insertMapping(
  tx: Queryable,
  row: typeof importMappings.$inferInsert,
): Promise<MappingRow> {
  const [created] = await tx.insert(importMappings).values(row).returning();
  return created!;
}

/** Updates a mapping's name and content. */
export async function updateMapping(tx: Queryable, id: string, patch: { name: string; mapping: object }) {
  const [row] = await tx
    .update(importMappings)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(importMappings.id, id))
    .returning();
  return row;
}

/** Deletes a mapping. */
export async function deleteMapping(tx: Queryable, id: string): Promise<boolean> {
  const rows = await tx
    .delete(importMappings)
    .where(eq(importMappings.id, id))
    .returning({ id: importMappings.id });
  return rows.length > 0;
}

/** SELECT seq, data of a staged upload, in order (copied into the file store by the database). */
export function stagedChunksSql(uploadId: string): SQL {
  return sql`SELECT seq, data FROM actual_uploads WHERE id = ${uploadId}::uuid ORDER BY seq`;
}
