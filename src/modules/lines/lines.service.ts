/** Budget line use cases: list, add, bulk add/replace, update (own version), delete. */
import { authorize } from '../../platform/auth/policy.ts';
import { analyzeAfterBulkWrite, LINE_TABLES, type Tx } from '../../platform/db/client.ts';
import type { BudgetChange } from '../../platform/events/change-hooks.ts';
import { emit as emitEvent } from '../../platform/events/outbox.ts';
import { NotFoundError, ValidationError, VersionConflictError } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { afterCommit, type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { auditor } from '../audit/index.ts';
import { checkLineMembers, type MemberCheckOptions } from '../dimensions/index.ts';
import { type LineEditBatch, runLineEditBatch } from './lines.batch.ts';
import type { BudgetAccess, ParentBudget } from './lines.budgets.ts';
import { linePatch, spreadKey } from './lines.edit.ts';
import { toNewLines } from './lines.input.ts';
import { presentLine } from './lines.presenter.ts';
import {
  countLines,
  findLine,
  hardDeleteLine,
  insertLines,
  type LineRow,
  pageLines,
  softDeleteAllLines,
  updateLine,
} from './lines.repository.ts';
import type { LineCreateInput, LineUpdateInput } from './lines.schema.ts';
import { writeLinePeriods } from './periods.spreading.ts';

export class LineService {
  private readonly audit = auditor((action) =>
    action.startsWith('budget_lines') ? 'budget' : 'budget_line',
  );

  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgets: BudgetAccess,
  ) {}

  /** 404 for a budget the caller cannot see (another tenant's), before a file is read. */
  async assertBudgetVisible(ctx: TenantContext, budgetId: string): Promise<void> {
    await withTenant(this.deps.db, ctx, (tx) => this.budgets.find(tx, budgetId));
  }

  /** One page of a budget's lines. */
  async list(ctx: TenantContext, budgetId: string, limit: number, cursor?: string) {
    const afterId = decodeCursor(cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await this.budgets.find(tx, budgetId);
      const after = afterId ? await findLine(tx, budgetId, afterId) : undefined;
      if (afterId && !after)
        throw new ValidationError([
          {
            path: 'query.cursor',
            code: 'invalid_cursor',
            message: 'cursor refers to a line that no longer exists',
          },
        ]);
      const rows = await pageLines(tx, budgetId, limit, after);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(presentLine),
        next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    });
  }

  /** Adds lines (append) or replaces all lines (replace) in one transaction. */
  async addMany(
    ctx: TenantContext,
    budgetId: string,
    inputs: LineCreateInput[],
    mode: 'append' | 'replace',
    pathPrefix: string,
    members: MemberCheckOptions = {},
  ) {
    const rows = toNewLines(ctx, budgetId, inputs, pathPrefix);
    const result = await this.write(ctx, budgetId, async (tx, budget) => {
      // Codes must be members of the tenant's dimension trees, where it keeps any (docs/dimensions.md).
      await checkLineMembers(tx, ctx, rows, pathPrefix, members);
      const removed = mode === 'replace' ? await softDeleteAllLines(tx, budgetId, ctx.userId) : 0;
      const existing = mode === 'replace' ? 0 : await countLines(tx, budgetId);
      const max = this.deps.config.MAX_BUDGET_LINES;
      if (existing + rows.length > max) {
        throw new ValidationError([
          {
            path: pathPrefix || '(root)',
            code: 'too_big',
            message: `A budget may have at most ${max} lines: it has ${existing}, adding ${rows.length}`,
          },
        ]);
      }
      await insertLines(tx, rows);
      await writeLinePeriods(tx, budget, rows, { pathPrefix });
      afterCommit(tx, () => analyzeAfterBulkWrite(this.deps.db, LINE_TABLES, rows.length));
      await this.audit(
        tx,
        ctx,
        mode === 'replace' ? 'budget_lines.replaced' : 'budget_lines.added',
        budgetId,
        removed ? { removed } : null,
        {
          added: rows.length,
          line_ids: rows.length <= 100 ? rows.map((r) => r.id) : undefined,
        },
      );
      const one =
        mode === 'append' && rows.length === 1 ? await findLine(tx, budgetId, rows[0]!.id) : undefined;
      const change: BudgetChange = one
        ? {
            budgetId,
            kind: 'line_added',
            targetType: 'budget_line',
            targetId: one.id,
            before: null,
            after: presentLine(one),
          }
        : {
            budgetId,
            kind: mode === 'replace' ? 'lines_replaced' : 'lines_added',
            targetType: 'budget',
            targetId: budgetId,
            before: null,
            after: { added: rows.length, removed },
          };
      await this.deps.changes?.record(tx, ctx, change);
      await this.linesChanged(
        tx,
        ctx,
        change,
        rows.map((r) => r.id),
      );
      return { added: rows.length, removed, line_ids: rows.map((r) => r.id) };
    });
    return result;
  }

  /** Adds one line and returns it. */
  async addOne(ctx: TenantContext, budgetId: string, input: LineCreateInput) {
    const { line_ids } = await this.addMany(ctx, budgetId, [input], 'append', '');
    return withTenant(this.deps.db, ctx, async (tx) =>
      presentLine((await findLine(tx, budgetId, line_ids[0]!))!),
    );
  }

  /** Updates a line if its `version` is current. */
  async update(ctx: TenantContext, budgetId: string, lineId: string, input: LineUpdateInput) {
    const { version, ...fields } = input;
    return this.write(ctx, budgetId, async (tx, budget) => {
      const before = await this.mustFindLine(tx, budgetId, lineId);
      if (before.version !== version)
        throw new VersionConflictError('Budget line', version, before.version, before);
      const patch = linePatch(before, fields, ctx.userId);
      await checkLineMembers(tx, ctx, [{ ...before, ...patch }], '');
      const after = await updateLine(tx, lineId, patch);
      // The periods follow the line: re-spread when anything they depend on changed.
      if (spreadKey(before) !== spreadKey(after))
        await writeLinePeriods(tx, budget, [after], { replace: true });
      await this.audit(tx, ctx, 'budget_line.updated', lineId, presentLine(before), presentLine(after));
      const view = presentLine(after);
      const change: BudgetChange = {
        budgetId,
        kind: 'line_updated',
        targetType: 'budget_line',
        targetId: lineId,
        before: presentLine(before),
        after: view,
      };
      await this.deps.changes?.record(tx, ctx, change);
      await this.linesChanged(tx, ctx, change);
      return view;
    });
  }

  /** Edits of many lines in one transaction (live co-editing): lines.batch.ts. */
  editBatch<T>(
    ctx: TenantContext,
    budgetId: string,
    lineIds: string[],
    fn: (batch: LineEditBatch) => Promise<T>,
  ) {
    return runLineEditBatch(this.deps, this.budgets, ctx, budgetId, lineIds, fn);
  }

  /** Soft-deletes (default) or removes a line; `version`, when given, must be current. */
  async delete(ctx: TenantContext, budgetId: string, lineId: string, soft: boolean, version?: number) {
    if (!soft) authorize(ctx, 'budgets:hard_delete');
    await this.write(ctx, budgetId, async (tx) => {
      const before = await this.mustFindLine(tx, budgetId, lineId);
      if (version !== undefined && before.version !== version)
        throw new VersionConflictError('Budget line', version, before.version);
      if (soft)
        await updateLine(tx, lineId, {
          isDeleted: true,
          deletedAt: new Date(),
          deletedBy: ctx.userId,
          updatedBy: ctx.userId,
        });
      else await hardDeleteLine(tx, lineId);
      await this.audit(
        tx,
        ctx,
        soft ? 'budget_line.soft_deleted' : 'budget_line.hard_deleted',
        lineId,
        presentLine(before),
        null,
      );
      const change: BudgetChange = {
        budgetId,
        kind: 'line_deleted',
        targetType: 'budget_line',
        targetId: lineId,
        before: presentLine(before),
        after: null,
      };
      await this.deps.changes?.record(tx, ctx, change);
      await this.linesChanged(tx, ctx, change);
    });
  }

  /** Runs a line write: the budget must exist and be editable; the budget's cache is invalidated after commit. */
  private async write<T>(
    ctx: TenantContext,
    budgetId: string,
    fn: (tx: Tx, budget: ParentBudget) => Promise<T>,
  ): Promise<T> {
    return withTenant(this.deps.db, ctx, async (tx) => {
      // Locking the budget row serialises line writes of one budget (line-count limit, totals).
      const budget = await this.budgets.openForEdit(tx, ctx.tenantId, budgetId);
      return fn(tx, budget);
    });
  }

  /** Writes the `lines.changed` domain event of a line write (a summary, once per write) to the outbox. */
  private async linesChanged(
    tx: Tx,
    ctx: TenantContext,
    change: BudgetChange,
    lineIds?: string[],
  ): Promise<void> {
    const counts = change.after as { added?: number; removed?: number } | null;
    const ids = lineIds ?? [change.targetId];
    const summary =
      change.kind === 'lines_replaced'
        ? {
            change: 'replaced' as const,
            added: counts?.added ?? 0,
            updated: 0,
            deleted: counts?.removed ?? 0,
          }
        : change.kind === 'lines_added' || change.kind === 'line_added'
          ? { change: 'added' as const, added: ids.length, updated: 0, deleted: 0 }
          : change.kind === 'line_updated'
            ? { change: 'updated' as const, added: 0, updated: 1, deleted: 0 }
            : { change: 'deleted' as const, added: 0, updated: 0, deleted: 1 };
    await emitEvent(tx, ctx, {
      type: 'lines.changed',
      subjectId: change.budgetId,
      data: {
        budget_id: change.budgetId,
        ...summary,
        ...(ids.length <= 100 ? { line_ids: ids } : {}),
      },
    });
  }

  private async mustFindLine(tx: Tx, budgetId: string, lineId: string): Promise<LineRow> {
    const line = await findLine(tx, budgetId, lineId, true);
    if (!line) throw new NotFoundError('Budget line', lineId, 'params.lineId');
    return line;
  }
}
