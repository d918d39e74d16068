/** Budget line use cases: list, add, bulk add/replace, update (own version), delete. */
import { authorize } from '../../platform/auth/policy.ts';
import type { Tx } from '../../platform/db/client.ts';
import type { BudgetChange } from '../../platform/events/change-hooks.ts';
import { NotFoundError, ValidationError, VersionConflictError } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { auditor } from '../audit/audit.repository.ts';
import { mustFindBudget } from '../budgets/budget-lookup.ts';
import type { BudgetCache } from '../budgets/budgets.cache.ts';
import { assertEditable } from '../budgets/budgets.policy.ts';
import type { BudgetRow } from '../budgets/budgets.repository.ts';
import { spreadFieldErrors } from '../periods/periods.domain.ts';
import { writeLinePeriods } from '../periods/periods.spreading.ts';
import { resolveLineAmount } from './lines.domain.ts';
import { toNewLines } from './lines.input.ts';
import { presentLine } from './lines.presenter.ts';
import {
  countLines,
  findLine,
  hardDeleteLine,
  insertLines,
  type LineRow,
  type NewLine,
  pageLines,
  softDeleteAllLines,
  updateLine,
} from './lines.repository.ts';
import type { LineCreateInput, LineUpdateInput } from './lines.schema.ts';

export class LineService {
  private readonly audit = auditor((action) =>
    action.startsWith('budget_lines') ? 'budget' : 'budget_line',
  );

  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgetCache: BudgetCache,
  ) {}

  /** One page of a budget's lines. */
  async list(ctx: TenantContext, budgetId: string, limit: number, cursor?: string) {
    const afterId = decodeCursor(cursor);
    return withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      await mustFindBudget(tx, budgetId);
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
  ) {
    const rows = toNewLines(ctx, budgetId, inputs, pathPrefix);
    const result = await this.write(ctx, budgetId, async (tx, budget) => {
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
      await this.emit(
        tx,
        ctx,
        one
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
            },
      );
      return { added: rows.length, removed, line_ids: rows.map((r) => r.id) };
    });
    return result;
  }

  /** Adds one line and returns it. */
  async addOne(ctx: TenantContext, budgetId: string, input: LineCreateInput) {
    const { line_ids } = await this.addMany(ctx, budgetId, [input], 'append', '');
    return withTenant(this.deps.db, ctx.tenantId, async (tx) =>
      presentLine((await findLine(tx, budgetId, line_ids[0]!))!),
    );
  }

  /** Updates a line if its `version` is current. */
  async update(ctx: TenantContext, budgetId: string, lineId: string, input: LineUpdateInput) {
    const { version, ...fields } = input;
    return this.write(ctx, budgetId, async (tx, budget) => {
      const before = await this.mustFindLine(tx, budgetId, lineId);
      if (before.version !== version) throw new VersionConflictError('Budget line', version, before.version);
      const spreadMethod = fields.spread_method ?? before.spreadMethod;
      // Leaving the seasonal method drops the profile; otherwise an absent profile keeps the stored one.
      const spreadProfile =
        fields.spread_profile !== undefined
          ? fields.spread_profile
          : spreadMethod === 'seasonal'
            ? before.spreadProfile
            : null;
      const spreadErrors = spreadFieldErrors(spreadMethod, spreadProfile, '');
      if (spreadErrors.length) throw new ValidationError(spreadErrors);
      const merged = {
        amount:
          fields.amount !== undefined
            ? fields.amount
            : fields.quantity !== undefined || fields.unit_cost !== undefined
              ? undefined
              : before.amount,
        quantity: fields.quantity !== undefined ? fields.quantity : before.quantity,
        unit_cost: fields.unit_cost !== undefined ? fields.unit_cost : before.unitCost,
        allocation_method: fields.allocation_method ?? before.allocationMethod,
        allocation_percentage:
          fields.allocation_percentage !== undefined
            ? fields.allocation_percentage
            : before.allocationPercentage,
      };
      const resolved = resolveLineAmount(merged);
      if (resolved.errors.length) throw new ValidationError(resolved.errors);
      const pick = <T>(v: T | undefined, f: (x: T) => Partial<NewLine>) => (v !== undefined ? f(v) : {});
      const after = await updateLine(tx, lineId, {
        updatedBy: ctx.userId,
        amount: resolved.amount!,
        quantity: merged.quantity ?? null,
        unitCost: merged.unit_cost ?? null,
        allocationPercentage: merged.allocation_percentage ?? null,
        spreadMethod,
        spreadProfile,
        ...pick(fields.line_name, (v) => ({ lineName: v })),
        ...pick(fields.line_type, (v) => ({ lineType: v })),
        ...pick(fields.category, (v) => ({ category: v })),
        ...pick(fields.subcategory, (v) => ({ subcategory: v })),
        ...pick(fields.allocation_method, (v) => ({ allocationMethod: v })),
        ...pick(fields.allocation_driver, (v) => ({ allocationDriver: v })),
        ...pick(fields.department_id, (v) => ({ departmentId: v })),
        ...pick(fields.cost_center_id, (v) => ({ costCenterId: v })),
        ...pick(fields.gl_account_id, (v) => ({ glAccountId: v })),
        ...pick(fields.description, (v) => ({ description: v })),
        ...pick(fields.notes, (v) => ({ notes: v })),
        ...pick(fields.requires_approval, (v) => ({ requiresApproval: v })),
        ...pick(fields.approval_threshold, (v) => ({ approvalThreshold: v })),
        ...pick(fields.line_order, (v) => ({ lineOrder: v })),
        ...pick(fields.metadata, (v) => ({ metadata: v })),
      });
      // The periods follow the line: re-spread when anything they depend on changed.
      const keys = (l: LineRow) =>
        JSON.stringify([
          l.amount,
          l.spreadMethod,
          l.spreadProfile,
          l.glAccountId,
          l.departmentId,
          l.category,
        ]);
      if (keys(before) !== keys(after)) await writeLinePeriods(tx, budget, [after], { replace: true });
      await this.audit(tx, ctx, 'budget_line.updated', lineId, presentLine(before), presentLine(after));
      const view = presentLine(after);
      await this.emit(tx, ctx, {
        budgetId,
        kind: 'line_updated',
        targetType: 'budget_line',
        targetId: lineId,
        before: presentLine(before),
        after: view,
      });
      return view;
    });
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
      await this.emit(tx, ctx, {
        budgetId,
        kind: 'line_deleted',
        targetType: 'budget_line',
        targetId: lineId,
        before: presentLine(before),
        after: null,
      });
    });
  }

  /** Runs a line write: the budget must exist and be editable; the budget's cache is invalidated after commit. */
  private async write<T>(
    ctx: TenantContext,
    budgetId: string,
    fn: (tx: Tx, budget: BudgetRow) => Promise<T>,
  ): Promise<T> {
    return withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      // Locking the budget row serialises line writes of one budget (line-count limit, totals).
      const budget = await mustFindBudget(tx, budgetId, true);
      assertEditable(budget);
      this.budgetCache.invalidateAfterCommit(tx, ctx.tenantId, budgetId);
      return fn(tx, budget);
    });
  }

  /** Tells the change hooks (collaboration) inside the transaction; their publishing runs after commit. */
  private async emit(tx: Tx, ctx: TenantContext, change: BudgetChange): Promise<void> {
    await this.deps.changes?.record(tx, ctx, change);
  }

  private async mustFindLine(tx: Tx, budgetId: string, lineId: string): Promise<LineRow> {
    const line = await findLine(tx, budgetId, lineId, true);
    if (!line) throw new NotFoundError('Budget line', lineId, 'params.lineId');
    return line;
  }
}
