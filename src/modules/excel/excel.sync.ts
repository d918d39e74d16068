/**
 * Applying a line import in one transaction: the plan (excel.sync-plan.ts) is made against the
 * budget's lines read under the budget's row lock, then deletions, inserts and in-place updates
 * are written with their periods, audit rows, collaboration changes and one `lines.changed`
 * event. A stale version refuses the whole file (409 naming every stale line); a bad row
 * refuses it too (400 naming row and column). Unchanged lines are not written at all.
 */
import { analyzeAfterBulkWrite, LINE_TABLES, type Tx } from '../../platform/db/client.ts';
import type { BudgetChange } from '../../platform/events/change-hooks.ts';
import { emit } from '../../platform/events/outbox.ts';
import { AppError, ValidationError } from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { afterCommit, type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudits } from '../audit/index.ts';
import type { BudgetCache } from '../budgets/index.ts';
import { assertEditable, mustFindBudget } from '../budgets/index.ts';
import { checkLineMembers } from '../dimensions/index.ts';
import type { LineCreateInput } from '../lines/index.ts';
import {
  allLines,
  findLines,
  insertLines,
  presentLine,
  toNewLines,
  updateLine,
  writeLinePeriods,
} from '../lines/index.ts';
import { budgetMonths } from '../variance/index.ts';
import { refuseIfAny, type SheetData, toFileRowErrors } from './excel.import.ts';
import { deletedLineIds, periodsByLine, softDeleteLines } from './excel.repository.ts';
import { type ImportMode, type ImportPlan, planImport } from './excel.sync-plan.ts';

/** What an import changed: counts, and the ids of each kind of line. */
export interface ImportResult {
  mode: ImportMode;
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  line_ids: string[];
  changes: { inserted: string[]; updated: string[]; unchanged: string[]; deleted: string[]; kept: string[] };
}

// Up to this many changed lines, collaborators get one change per line; above, one summary.
const PER_LINE_CHANGES = 100;

function refuseConflicts(plan: ImportPlan): void {
  if (plan.conflicts.length === 0) return;
  const errors = plan.conflicts.slice(0, 100).map((c) => {
    const what = c.line_name ? `line "${c.line_name}" (${c.line_id})` : `line ${c.line_id}`;
    const message =
      c.current_version === null
        ? `row ${c.row}: ${what} was deleted since the workbook was exported`
        : `${c.row ? `row ${c.row}` : 'not in the file'}: ${what} has been modified by another user: version ${c.version} is stale, the current version is ${c.current_version}`;
    return {
      path: c.row ? `rows.${c.row}.version` : `lines.${c.line_id}.version`,
      code: c.current_version === null ? 'line_deleted' : 'stale_version',
      message,
    };
  });
  throw new AppError(
    409,
    'version_conflict',
    `Import refused: ${plan.conflicts.length} line(s) changed since the workbook was exported; export again and redo the edits`,
    errors,
    { conflicts: plan.conflicts.slice(0, 100) },
  );
}

/** Imports a parsed sheet into a budget: the whole file or nothing. */
export async function applyImport(
  deps: ServiceDeps,
  cache: BudgetCache,
  ctx: TenantContext,
  budgetId: string,
  data: SheetData,
  mode: ImportMode,
  deleteMissing: boolean,
): Promise<ImportResult> {
  return withTenant(deps.db, ctx, async (tx) => {
    // The budget's row lock serialises line writes (the same lock LineService takes).
    const budget = await mustFindBudget(tx, budgetId, true);
    assertEditable(budget);
    const lines = await allLines(tx, budgetId);
    const named = data.rows
      .map((r) => r.cells.line_id?.toLowerCase())
      .filter((id): id is string => !!id && /^[0-9a-f-]{36}$/.test(id));
    const plan = planImport(data, mode, deleteMissing, {
      months: (await budgetMonths(tx, budgetId)).map((m) => m.slice(0, 7)),
      baseCurrency: budget.baseCurrency,
      lines,
      periods: await periodsByLine(tx, budgetId),
      deleted: mode === 'update' ? await deletedLineIds(tx, budgetId, named) : new Set(),
    });
    refuseConflicts(plan);
    const fileRows = plan.inserts.map((i) => i.row);
    let newRows: ReturnType<typeof toNewLines> = [];
    try {
      newRows = toNewLines(
        ctx,
        budgetId,
        plan.inserts.map((i) => i.input as LineCreateInput),
        'lines',
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      plan.errors.push(...toFileRowErrors(error.errors, fileRows));
    }
    // Codes of added and changed lines must be members of the tenant's trees (docs/dimensions.md).
    try {
      await checkLineMembers(
        tx,
        ctx,
        [...newRows, ...plan.updates.map((u) => ({ ...u.before, ...u.patch }))],
        'lines',
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      plan.errors.push(...toFileRowErrors(error.errors, [...fileRows, ...plan.updates.map((u) => u.row)]));
    }
    refuseIfAny(plan.errors);
    const max = deps.config.MAX_BUDGET_LINES;
    const count = lines.length - plan.deletes.length + newRows.length;
    if (count > max)
      throw new ValidationError([
        {
          path: 'rows',
          code: 'too_big',
          message: `A budget may have at most ${max} lines: the import would leave ${count}`,
        },
      ]);
    const changed = plan.deletes.length + newRows.length + plan.updates.length;
    if (changed > 0) {
      cache.invalidateAfterCommit(tx, ctx.tenantId, budgetId);
      await write(tx, ctx, budget, plan, newRows, fileRows);
    }
    const inserted = newRows.map((r) => r.id);
    return {
      mode,
      rows: data.rows.length,
      added: inserted.length,
      updated: plan.updates.length,
      unchanged: plan.unchanged.length,
      removed: plan.deletes.length,
      line_ids: inserted,
      changes: {
        inserted,
        updated: plan.updates.map((u) => u.before.id),
        unchanged: plan.unchanged,
        deleted: plan.deletes.map((d) => d.id),
        kept: plan.missing,
      },
    };
  });

  async function write(
    tx: Tx,
    ctx: TenantContext,
    budget: Awaited<ReturnType<typeof mustFindBudget>>,
    plan: ImportPlan,
    newRows: ReturnType<typeof toNewLines>,
    fileRows: number[],
  ) {
    const onRows = async (rows: number[], fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (error) {
        if (error instanceof ValidationError) refuseIfAny(toFileRowErrors(error.errors, rows));
        throw error;
      }
    };
    await softDeleteLines(
      tx,
      plan.deletes.map((d) => d.id),
      ctx.userId,
    );
    await insertLines(tx, newRows);
    afterCommit(tx, () => analyzeAfterBulkWrite(deps.db, LINE_TABLES, newRows.length + plan.updates.length));
    const explicit = new Map<string, string[]>();
    plan.inserts.forEach((p, i) => {
      if (p.months) explicit.set(newRows[i]!.id, p.months);
    });
    await onRows(fileRows, () => writeLinePeriods(tx, budget, newRows, { pathPrefix: 'lines', explicit }));
    const afters: Awaited<ReturnType<typeof updateLine>>[] = [];
    for (const u of plan.updates) {
      afters.push(await updateLine(tx, u.before.id, { ...u.patch, updatedBy: ctx.userId }));
      if (u.months) explicit.set(u.before.id, u.months);
    }
    const respread = plan.updates.flatMap((u, i) => (u.respread ? [{ row: u.row, after: afters[i]! }] : []));
    await onRows(
      respread.map((r) => r.row),
      () =>
        writeLinePeriods(
          tx,
          budget,
          respread.map((r) => r.after),
          { replace: true, pathPrefix: 'lines', explicit },
        ),
    );
    const inserted = await findLines(
      tx,
      budget.id,
      newRows.map((r) => r.id),
    );
    await recordAudits(tx, ctx, [
      ...plan.updates.map((u, i) => ({
        action: 'budget_line.updated',
        entityType: 'budget_line',
        entityId: u.before.id,
        before: presentLine(u.before),
        after: presentLine(afters[i]!),
      })),
      ...plan.deletes.map((d) => ({
        action: 'budget_line.soft_deleted',
        entityType: 'budget_line',
        entityId: d.id,
        before: presentLine(d),
        after: null,
      })),
      ...(newRows.length
        ? [
            {
              action: 'budget_lines.added',
              entityType: 'budget',
              entityId: budget.id,
              before: null,
              after: {
                added: newRows.length,
                source: 'import',
                line_ids: newRows.length <= 100 ? newRows.map((r) => r.id) : undefined,
              },
            },
          ]
        : []),
    ]);
    const total = plan.deletes.length + newRows.length + plan.updates.length;
    const changes: BudgetChange[] =
      total <= PER_LINE_CHANGES
        ? [
            ...plan.deletes.map((d) => lineChange(budget.id, 'line_deleted', d.id, presentLine(d), null)),
            ...inserted.map((l) => lineChange(budget.id, 'line_added', l.id, null, presentLine(l))),
            ...plan.updates.map((u, i) =>
              lineChange(
                budget.id,
                'line_updated',
                u.before.id,
                presentLine(u.before),
                presentLine(afters[i]!),
              ),
            ),
          ]
        : [
            {
              budgetId: budget.id,
              kind: 'lines_replaced',
              targetType: 'budget',
              targetId: budget.id,
              before: null,
              after: { added: newRows.length, updated: plan.updates.length, removed: plan.deletes.length },
            },
          ];
    for (const c of changes) await deps.changes?.record(tx, ctx, c);
    const ids = [
      ...newRows.map((r) => r.id),
      ...plan.updates.map((u) => u.before.id),
      ...plan.deletes.map((d) => d.id),
    ];
    const only = (n: number) => n === total;
    await emit(tx, ctx, {
      type: 'lines.changed',
      subjectId: budget.id,
      data: {
        budget_id: budget.id,
        change:
          plan.mode === 'replace'
            ? 'replaced'
            : only(newRows.length)
              ? 'added'
              : only(plan.deletes.length)
                ? 'deleted'
                : 'updated',
        added: newRows.length,
        updated: plan.updates.length,
        deleted: plan.deletes.length,
        ...(ids.length <= 100 ? { line_ids: ids } : {}),
      },
    });
  }
}

const lineChange = (
  budgetId: string,
  kind: BudgetChange['kind'],
  targetId: string,
  before: unknown,
  after: unknown,
): BudgetChange => ({ budgetId, kind, targetType: 'budget_line', targetId, before, after });
