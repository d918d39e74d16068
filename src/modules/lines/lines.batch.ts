/**
 * A batch of line edits in one transaction (live co-editing: docs/collaboration.md, "Edit
 * batches"). The budget and the lines are locked once; each edit is validated and applied in
 * memory on the line's state after the previous ones (the same rules as LineService.update);
 * then one UPDATE writes every line's final state, one UPDATE the re-spread periods in place,
 * one INSERT the audit rows, one the outbox events, and the change hooks log the n changes
 * (the session sequence bumped once by n). Hand-written SQL with one JSON parameter per
 * statement: the statement text does not depend on the batch size.
 *
 * What the batch does not do itself (a negative amount, which needs the tenant's settings; the
 * `last_year` and `manual` spreads, which read actuals or the stored months; periods that are
 * not where expected) throws BatchFallback: the caller rolls back and applies the edits one by
 * one through LineService.update.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import type { ChangeOf } from '../../platform/events/change-hooks.ts';
import { emitMany } from '../../platform/events/outbox.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAuditsOf } from '../audit/index.ts';
import type { BudgetAccess, ParentBudget } from './lines.budgets.ts';
import { type LineFields, linePatch, patchedLine, spreadKey } from './lines.edit.ts';
import { type LineView, presentLine } from './lines.presenter.ts';
import { findLines, type LineRow } from './lines.repository.ts';
import { spreadLine } from './periods.domain.ts';
import { budgetPeriodStarts } from './periods.spreading.ts';

/** The batch cannot write these edits itself: roll back and apply them one by one. */
export class BatchFallback extends Error {
  constructor(reason: string) {
    super(`edit batch falls back to single edits: ${reason}`);
  }
}

interface Step {
  ctx: TenantContext;
  before: LineRow;
  after: LineRow;
}

/** The locked lines of a batch and the edits applied to them so far. */
export class LineEditBatch {
  private readonly current = new Map<string, LineRow>();
  private readonly original = new Map<string, LineRow>();
  readonly steps: Step[] = [];
  private readonly at = new Date();

  constructor(
    readonly tx: Tx,
    readonly budget: ParentBudget,
    lines: LineRow[],
  ) {
    for (const l of lines) {
      this.current.set(l.id, l);
      this.original.set(l.id, l);
    }
  }

  /** The line's state after the edits applied so far (undefined: not a live line of the budget). */
  line(id: string): LineRow | undefined {
    return this.current.get(id);
  }

  /**
   * Applies one edit on the line's current state (NotFoundError, ValidationError: nothing of it
   * is applied) and returns the line after it.
   */
  apply(ctx: TenantContext, lineId: string, fields: LineFields): LineView {
    const before = this.current.get(lineId);
    if (!before) throw new NotFoundError('Budget line', lineId, 'target_id');
    const after = patchedLine(before, linePatch(before, fields, ctx.userId), this.at);
    if (after.amount.startsWith('-')) throw new BatchFallback('negative amount (tenant setting)');
    // A new code must be a member of its dimension tree: LineService.update checks it.
    if (codesOf(before) !== codesOf(after)) throw new BatchFallback('dimension code changed');
    if (spreadKey(before) !== spreadKey(after)) {
      if (after.spreadMethod === 'last_year' || after.spreadMethod === 'manual')
        throw new BatchFallback(`spread method ${after.spreadMethod}`);
    }
    this.current.set(lineId, after);
    this.steps.push({ ctx, before, after });
    return presentLine(after);
  }

  /** Writes the batch: lines, periods, audit, outbox, change hooks. */
  async flush(deps: ServiceDeps): Promise<void> {
    if (this.steps.length === 0) return;
    const { tx, budget } = this;
    const finals = [...this.current.values()].filter((l) => l !== this.original.get(l.id));
    await tx.execute(sql`
      UPDATE budget_lines AS b SET
        line_name = x.line_name, line_type = x.line_type::bf_line_type, category = x.category,
        subcategory = x.subcategory, amount = x.amount, quantity = x.quantity, unit_cost = x.unit_cost,
        allocation_method = x.allocation_method::bf_allocation_method,
        allocation_percentage = x.allocation_percentage, allocation_driver = x.allocation_driver,
        department_id = x.department_id, cost_center_id = x.cost_center_id, gl_account_id = x.gl_account_id,
        description = x.description, notes = x.notes, requires_approval = x.requires_approval,
        approval_threshold = x.approval_threshold, line_order = x.line_order, metadata = x.metadata,
        spread_method = x.spread_method::bf_spread_method, spread_profile = x.spread_profile,
        is_contra = x.is_contra, updated_by = x.updated_by, updated_at = x.updated_at, version = x.version
      FROM jsonb_to_recordset(${JSON.stringify(finals.map(lineRecord))}::jsonb) AS x(
        id uuid, line_name text, line_type text, category text, subcategory text, amount numeric,
        quantity numeric, unit_cost numeric, allocation_method text, allocation_percentage numeric,
        allocation_driver text, department_id text, cost_center_id text, gl_account_id text,
        description text, notes text, requires_approval boolean, approval_threshold numeric,
        line_order integer, metadata jsonb, spread_method text, spread_profile jsonb, is_contra boolean,
        updated_by text, updated_at timestamptz, version integer)
      WHERE b.id = x.id`);
    await this.writePeriods(finals);
    const tenantId = budget.tenantId;
    await recordAuditsOf(
      tx,
      tenantId,
      this.steps.map((s) => ({
        ctx: s.ctx,
        action: 'budget_line.updated',
        entityType: 'budget_line',
        entityId: s.after.id,
        before: presentLine(s.before),
        after: presentLine(s.after),
      })),
    );
    await emitMany(
      tx,
      tenantId,
      this.steps.map((s) => ({
        ctx: s.ctx,
        type: 'lines.changed' as const,
        subjectId: budget.id,
        data: {
          budget_id: budget.id,
          change: 'updated',
          added: 0,
          updated: 1,
          deleted: 0,
          line_ids: [s.after.id],
        },
      })),
    );
    const changes: ChangeOf[] = this.steps.map((s) => ({
      ctx: s.ctx,
      change: {
        budgetId: budget.id,
        kind: 'line_updated',
        targetType: 'budget_line',
        targetId: s.after.id,
        before: presentLine(s.before),
        after: presentLine(s.after),
      },
    }));
    await deps.changes?.recordMany(tx, changes);
  }

  /** Re-spreads the lines whose spread inputs changed, updating their months in place. */
  private async writePeriods(finals: LineRow[]): Promise<void> {
    const moved = finals.filter((l) => spreadKey(l) !== spreadKey(this.original.get(l.id)!));
    if (moved.length === 0) return;
    const starts = await budgetPeriodStarts(this.tx, this.budget);
    const rows: { l: string; i: number; s: string; a: string }[] = [];
    for (const line of moved) {
      let amounts: string[];
      try {
        amounts = spreadLine(
          { amount: line.amount, spreadMethod: line.spreadMethod, spreadProfile: line.spreadProfile ?? null },
          starts.length,
        );
      } catch {
        // The single-edit path names the field and the rule.
        throw new BatchFallback('spread refused');
      }
      amounts.forEach((a, i) => {
        rows.push({ l: line.id, i, s: starts[i]!, a });
      });
    }
    const result = (await this.tx.execute(sql`
      UPDATE budget_periods AS p SET amount = x.a
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(l uuid, i smallint, s date, a numeric)
      WHERE p.budget_id = ${this.budget.id}::uuid AND p.line_id = x.l AND p.period_index = x.i
        AND p.period_start = x.s`)) as unknown as { rowCount?: number | null; affectedRows?: number };
    const updated = result.rowCount ?? result.affectedRows;
    // Periods missing or dated otherwise (a budget re-dated before periods existed): re-spread them whole.
    if (updated !== rows.length) throw new BatchFallback('periods not in place');
  }
}

/** The row's editable columns as the UPDATE's JSON record. */
function lineRecord(l: LineRow) {
  return {
    id: l.id,
    line_name: l.lineName,
    line_type: l.lineType,
    category: l.category,
    subcategory: l.subcategory,
    amount: l.amount,
    quantity: l.quantity,
    unit_cost: l.unitCost,
    allocation_method: l.allocationMethod,
    allocation_percentage: l.allocationPercentage,
    allocation_driver: l.allocationDriver,
    department_id: l.departmentId,
    cost_center_id: l.costCenterId,
    gl_account_id: l.glAccountId,
    description: l.description,
    notes: l.notes,
    requires_approval: l.requiresApproval,
    approval_threshold: l.approvalThreshold,
    line_order: l.lineOrder,
    metadata: l.metadata,
    spread_method: l.spreadMethod,
    spread_profile: l.spreadProfile,
    is_contra: l.isContra,
    updated_by: l.updatedBy,
    updated_at: l.updatedAt?.toISOString() ?? null,
    version: l.version,
  };
}

/**
 * Runs fn on the batch of a budget's lines `lineIds`, locked (budget first, then lines, as every
 * line write does), then writes what fn applied; the budget's cache is invalidated once after
 * commit (budgets.openForEdit). A budget whose status locks it refuses the whole batch (budget_not_editable).
 */
export async function runLineEditBatch<T>(
  deps: ServiceDeps,
  budgets: BudgetAccess,
  ctx: TenantContext,
  budgetId: string,
  lineIds: string[],
  fn: (batch: LineEditBatch) => Promise<T>,
): Promise<T> {
  const { tenantId } = ctx;
  // Under the first edit's user (department scope applies; a batch that mixes users of which one
  // is scoped is replayed edit by edit, collaboration.edit-batch.ts).
  return withTenant(deps.db, ctx, async (tx) => {
    // Locked (serialises the line writes of the budget), 422 when its status forbids edits, and
    // its cached views invalidated after commit.
    const budget = await budgets.openForEdit(tx, tenantId, budgetId);
    const lines = await findLines(tx, budgetId, [...new Set(lineIds)].sort(), true);
    const batch = new LineEditBatch(tx, budget, lines);
    const result = await fn(batch);
    await batch.flush(deps);
    return result;
  });
}

/** The codes a line carries for the dimension trees (dimensions/dimensions.references.ts). */
function codesOf(l: LineRow): string {
  return JSON.stringify([l.departmentId, l.costCenterId, l.glAccountId, l.metadata?.fund ?? null]);
}
