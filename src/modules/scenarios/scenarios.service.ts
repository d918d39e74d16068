/** Scenario use cases: CRUD, comparison with the base budget (computed, never written) and promotion. */
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/client.ts';
import { pgError } from '../../platform/db/errors.ts';
import { emit } from '../../platform/events/outbox.ts';
import {
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { zodFieldErrors } from '../../platform/http/zod-errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { MAX_AMOUNT } from '../../shared/money.ts';
import { auditor } from '../audit/index.ts';
import type { BudgetService, BudgetView } from '../budgets/index.ts';
import { budgetCreateSchema, mustFindBudget } from '../budgets/index.ts';
import { allLines, type LineRow, lineCreateSchema } from '../lines/index.ts';
import { type AdjustedLine, applyAdjustments, type CalcLine } from './scenarios.domain.ts';
import { assertPromotable, authorizePromote, authorizeScenarioRead } from './scenarios.policy.ts';
import { presentScenario, presentTotals, sumTotals } from './scenarios.presenter.ts';
import {
  calcLines,
  findScenario,
  findScenarios,
  insertScenario,
  listScenarios,
  periodCells,
  type ScenarioRow,
  scenarioNameTaken,
  updateScenario,
} from './scenarios.repository.ts';
import type {
  Adjustment,
  PromoteInput,
  ScenarioCreateInput,
  ScenarioUpdateInput,
} from './scenarios.schema.ts';

export const ROUNDING_RULE =
  'percent adjustments: per line, (affected amount x percent / 100) rounded half-up to the cent; ' +
  'a line never crosses 0.00 (clamped: below it, or above it for a contra line); adjustments apply in order';

const duplicateName = (name: string) =>
  new ConflictError('duplicate_scenario_name', 'name', `This budget already has a scenario named "${name}"`);

function rethrowDuplicate(error: unknown, name: string): never {
  const pe = pgError(error);
  if (pe?.code === '23505' && pe.constraint === 'scenarios_name_uq') throw duplicateName(name);
  throw error;
}

const LINE_FIELDS = new Set(Object.keys(lineCreateSchema.shape));

/** A line of the promoted budget: the source line with its adjusted amount. */
function promotedLine(l: LineRow, a: AdjustedLine): Record<string, unknown> {
  const changed = !a.amount.eq(l.amount);
  const wire: Record<string, unknown> = {
    line_name: l.lineName,
    line_type: l.lineType,
    category: l.category,
    subcategory: l.subcategory,
    amount: a.amount.toFixed(2),
    is_contra: l.isContra,
    // quantity x unit_cost no longer explains a changed amount, so they are dropped then.
    quantity: changed ? null : l.quantity,
    unit_cost: changed ? null : l.unitCost,
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
  };
  // Spread fields go along once the lines schema accepts them (the periods module adds them).
  return Object.fromEntries(Object.entries(wire).filter(([k, v]) => LINE_FIELDS.has(k) && v !== null));
}

export class ScenarioService {
  private readonly audit = auditor('scenario');

  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgets: BudgetService,
  ) {}

  /** Creates a scenario on a budget; the budget itself is not touched. */
  async create(ctx: TenantContext, budgetId: string, input: ScenarioCreateInput) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      if (await scenarioNameTaken(tx, budgetId, input.name)) throw duplicateName(input.name);
      const row = await insertScenario(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        budgetId,
        createdBy: ctx.userId,
        name: input.name,
        description: input.description ?? null,
        adjustments: input.adjustments,
      }).catch((e: unknown) => rethrowDuplicate(e, input.name));
      const view = presentScenario(row);
      await this.audit(tx, ctx, 'scenario.created', row.id, null, view);
      return view;
    });
  }

  /** Scenarios of a budget, newest first. */
  async list(ctx: TenantContext, budgetId: string, limit: number, cursor?: string) {
    authorizeScenarioRead(ctx);
    const afterId = decodeCursor(cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const page = pageOf(await listScenarios(tx, budgetId, limit, afterId), limit);
      return { items: page.items.map(presentScenario), next_cursor: page.nextCursor };
    });
  }

  /** One scenario. */
  async get(ctx: TenantContext, budgetId: string, id: string) {
    authorizeScenarioRead(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      return presentScenario(await this.mustFind(tx, budgetId, id));
    });
  }

  /** Updates a scenario if `version` is current. */
  async update(ctx: TenantContext, budgetId: string, id: string, input: ScenarioUpdateInput) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const before = await this.mustFind(tx, budgetId, id, true);
      if (before.version !== input.version)
        throw new VersionConflictError('Scenario', input.version, before.version);
      if (input.name !== undefined && (await scenarioNameTaken(tx, budgetId, input.name, id)))
        throw duplicateName(input.name);
      const after = await updateScenario(tx, id, {
        updatedBy: ctx.userId,
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.adjustments !== undefined ? { adjustments: input.adjustments } : {}),
      }).catch((e: unknown) => rethrowDuplicate(e, input.name ?? ''));
      await this.audit(tx, ctx, 'scenario.updated', id, presentScenario(before), presentScenario(after));
      return presentScenario(after);
    });
  }

  /** Soft-deletes a scenario (frees its name); a budget promoted from it stays. */
  async delete(ctx: TenantContext, budgetId: string, id: string, version?: number) {
    await withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const before = await this.mustFind(tx, budgetId, id, true);
      if (version !== undefined && before.version !== version)
        throw new VersionConflictError('Scenario', version, before.version);
      await updateScenario(tx, id, {
        isDeleted: true,
        deletedAt: new Date(),
        deletedBy: ctx.userId,
        updatedBy: ctx.userId,
      });
      await this.audit(tx, ctx, 'scenario.soft_deleted', id, presentScenario(before), null);
    });
  }

  /** The base budget and each scenario side by side, with deltas against the base. */
  async compare(ctx: TenantContext, budgetId: string, ids: string[] | undefined) {
    authorizeScenarioRead(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const found = await findScenarios(tx, budgetId, ids, 10);
      const missing = ids?.filter((id) => !found.some((s) => s.id === id)) ?? [];
      if (missing.length) throw new NotFoundError('Scenario', missing.join(','), 'query.scenario_ids');
      const byId = new Map(found.map((s) => [s.id, s]));
      const chosen = ids ? ids.map((id) => byId.get(id)!) : found;
      const { lines, periodsAvailable } = await this.loadLines(tx, budgetId);
      const baseRaw = sumTotals(lines, applyAdjustments(lines, []));
      return {
        budget_id: budgetId,
        periods_available: periodsAvailable,
        rounding: ROUNDING_RULE,
        base: { totals: presentTotals(baseRaw, baseRaw) },
        scenarios: chosen.map((s) => {
          const adjusted = applyAdjustments(lines, s.adjustments as Adjustment[]);
          const raw = sumTotals(lines, adjusted);
          return {
            scenario_id: s.id,
            name: s.name,
            totals: presentTotals(raw, baseRaw),
            deltas: presentTotals(raw, baseRaw, baseRaw),
            changed_lines: adjusted.filter((a, i) => !a.amount.eq(lines[i]!.amount)).length,
            clamped_lines: adjusted.filter((a) => a.clamped).length,
            warnings: this.warnings(s, periodsAvailable),
          };
        }),
      };
    });
  }

  /** Creates a new draft budget with the scenario's adjusted lines and records it on the scenario. */
  async promote(ctx: TenantContext, budgetId: string, id: string, input: PromoteInput): Promise<BudgetView> {
    authorizePromote(ctx);
    const view = await withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await mustFindBudget(tx, budgetId);
      const scenario = await this.mustFind(tx, budgetId, id, true);
      assertPromotable(scenario);
      const { lines } = await this.loadLines(tx, budgetId);
      const adjusted = applyAdjustments(lines, scenario.adjustments as Adjustment[]);
      const tooBig = adjusted.findIndex((a) => a.amount.abs().gt(MAX_AMOUNT));
      if (tooBig >= 0)
        throw new BusinessRuleError(
          'amount_out_of_range',
          `Line ${lines[tooBig]!.id} would be ${adjusted[tooBig]!.amount.toFixed(2)}, beyond ±999999999999.99`,
          'adjustments',
        );
      const source = new Map((await allLines(tx, budgetId)).map((l) => [l.id, l]));
      const parsed = budgetCreateSchema.safeParse({
        budget_name: input.budget_name ?? `${budget.budgetName} – ${scenario.name}`.slice(0, 255),
        budget_type: budget.budgetType,
        fiscal_year: input.fiscal_year ?? budget.fiscalYear,
        total_amount: input.total_amount ?? budget.totalAmount,
        base_currency: budget.baseCurrency,
        department_id: budget.departmentId,
        cost_center_id: budget.costCenterId,
        project_id: budget.projectId,
        description: budget.description,
        notes: budget.notes,
        tags: budget.tags,
        metadata: { ...budget.metadata, promoted_from: { budget_id: budgetId, scenario_id: id } },
        ...(budget.templateId
          ? { template_id: budget.templateId, template_version: budget.templateVersion }
          : {}),
        budget_lines: adjusted.map((a) => promotedLine(source.get(a.id)!, a)),
      });
      if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
      const created = await this.budgets.createIn(tx, ctx, parsed.data);
      const after = await updateScenario(tx, id, {
        promotedBudgetId: created.budget_id,
        updatedBy: ctx.userId,
      });
      await this.audit(tx, ctx, 'scenario.promoted', id, presentScenario(scenario), presentScenario(after));
      await emit(tx, ctx, {
        type: 'scenario.promoted',
        subjectId: id,
        data: { scenario_id: id, source_budget_id: budgetId, budget_id: created.budget_id },
      });
      return created;
    });
    return view;
  }

  /** Lines with their periods when every line has them; otherwise period-less. */
  private async loadLines(
    tx: Tx,
    budgetId: string,
  ): Promise<{ lines: CalcLine[]; periodsAvailable: boolean }> {
    const rows = await calcLines(tx, budgetId);
    const cells = new Map<string, { index: number; start: string; amount: string }[]>();
    for (const c of await periodCells(tx, budgetId)) {
      const list = cells.get(c.lineId) ?? [];
      list.push({ index: c.index, start: c.start, amount: c.amount });
      cells.set(c.lineId, list);
    }
    const periodsAvailable = rows.length > 0 && rows.every((r) => cells.has(r.id));
    return {
      periodsAvailable,
      lines: rows.map((r) => ({ ...r, periods: periodsAvailable ? cells.get(r.id)! : null })),
    };
  }

  private warnings(s: ScenarioRow, periodsAvailable: boolean): string[] {
    const adj = s.adjustments as Adjustment[];
    if (periodsAvailable || !adj.some((a) => a.from_period !== undefined)) return [];
    return [
      'from_period was not applied: the budget has no per-period amounts, so adjustments apply to whole lines',
    ];
  }

  private async mustFind(tx: Tx, budgetId: string, id: string, forUpdate = false): Promise<ScenarioRow> {
    const s = await findScenario(tx, budgetId, id, forUpdate);
    if (!s) throw new NotFoundError('Scenario', id, 'params.scenarioId');
    return s;
  }
}
