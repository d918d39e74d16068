/** Budget use cases: create (with lines), read (cached), list, update (optimistic locking), delete. */
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import { analyzeAfterBulkWrite, LINE_TABLES, type Tx } from '../../platform/db/client.ts';
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
import {
  gunzipText,
  gzipText,
  type JsonBody,
  PRECOMPRESS_MIN_BYTES,
} from '../../platform/http/precompressed.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { ScopeKeys } from '../../platform/tenancy/scope-keys.ts';
import { afterCommit, type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { auditor } from '../audit/index.ts';
import { checkLineMembers } from '../dimensions/index.ts';
import {
  insertLines,
  linesJson,
  resolveBudgetRange,
  respreadBudget,
  toNewLines,
  writeLinePeriods,
} from '../lines/index.ts';
import { mustFindBudget } from './budget-lookup.ts';
import { BudgetCache } from './budgets.cache.ts';
import { assertDeletable, assertEditable, authorizeDelete } from './budgets.policy.ts';
import { type BudgetView, presentBudget } from './budgets.presenter.ts';
import {
  type BudgetRow,
  findAnyBudget,
  hardDeleteBudget,
  insertBudget,
  listBudgets,
  nameTaken,
  templateVersionExists,
  totalsFor,
  updateBudget,
} from './budgets.repository.ts';
import type { BudgetCreateInput, BudgetListQuery, BudgetUpdateInput } from './budgets.schema.ts';

const duplicateName = (name: string, year: string) =>
  new ConflictError(
    'duplicate_budget_name',
    'budget_name',
    `A budget named "${name}" already exists for fiscal year ${year} (names are compared case-insensitively)`,
  );

/** Turns the unique-index violation of a racing duplicate into the same 409 as the pre-check. */
function rethrowDuplicate(error: unknown, name: string, year: string): never {
  const pe = pgError(error);
  if (pe?.code === '23505' && pe.constraint === 'budgets_name_year_uq') throw duplicateName(name, year);
  throw error;
}

export class BudgetService {
  private readonly audit = auditor('budget');

  readonly cache: BudgetCache;

  constructor(private readonly deps: ServiceDeps) {
    const c = deps.config;
    this.cache = new BudgetCache(
      deps.cache,
      c.CACHE_ENABLED,
      c.CACHE_TTL_SECONDS,
      new ScopeKeys(deps.db, deps.cache),
    );
  }

  /** Creates a budget and its lines in one transaction: all or nothing. */
  async create(ctx: TenantContext, input: BudgetCreateInput): Promise<BudgetView> {
    return withTenant(this.deps.db, ctx, async (tx) => {
      // A client-given reference must resolve in the caller's tenant: never store a foreign or dangling id.
      if (input.template_id !== undefined)
        await assertTemplateVersion(tx, input.template_id, input.template_version!);
      return this.createIn(tx, ctx, input);
    });
  }

  /** Creates a budget and its lines inside the caller's tenant transaction (templates, scenario promotion). */
  async createIn(tx: Tx, ctx: TenantContext, input: BudgetCreateInput): Promise<BudgetView> {
    const max = this.deps.config.MAX_BUDGET_LINES;
    if (input.budget_lines.length > max) {
      throw new ValidationError([
        {
          path: 'budget_lines',
          code: 'too_big',
          message: `A budget may have at most ${max} lines; got ${input.budget_lines.length}`,
        },
      ]);
    }
    const id = uuidv7();
    const lines = toNewLines(ctx, id, input.budget_lines, 'budget_lines');
    if (await nameTaken(tx, input.budget_name, input.fiscal_year)) {
      throw duplicateName(input.budget_name, input.fiscal_year);
    }
    const range = await resolveBudgetRange(tx, ctx.tenantId, {
      budgetType: input.budget_type,
      fiscalYear: input.fiscal_year,
      periodStart: input.period_start,
      periodEnd: input.period_end,
    });
    const budget = await insertBudget(tx, {
      id,
      tenantId: ctx.tenantId,
      createdBy: ctx.userId,
      budgetName: input.budget_name,
      budgetType: input.budget_type,
      fiscalYear: input.fiscal_year,
      totalAmount: input.total_amount,
      baseCurrency: input.base_currency,
      departmentId: input.department_id ?? null,
      costCenterId: input.cost_center_id ?? null,
      projectId: input.project_id ?? null,
      description: input.description ?? null,
      notes: input.notes ?? null,
      tags: input.tags ?? [],
      metadata: input.metadata ?? {},
      templateId: input.template_id ?? null,
      templateVersion: input.template_version ?? null,
      ...range,
    }).catch((error: unknown) => rethrowDuplicate(error, input.budget_name, input.fiscal_year));
    // Codes must be members of the tenant's trees, where it keeps any (docs/dimensions.md).
    await checkLineMembers(
      tx,
      ctx,
      [{ departmentId: budget.departmentId, costCenterId: budget.costCenterId, lineType: 'expense' }],
      '',
    );
    await checkLineMembers(tx, ctx, lines, 'budget_lines');
    await insertLines(tx, lines);
    await writeLinePeriods(tx, budget, lines, { pathPrefix: 'budget_lines' });
    afterCommit(tx, () => analyzeAfterBulkWrite(this.deps.db, LINE_TABLES, lines.length));
    const view = presentBudget(budget, await totalsFor(tx, [id]));
    const { totals: _t, ...after } = view;
    await this.audit(tx, ctx, 'budget.created', id, null, { ...after, line_count: lines.length });
    await emit(tx, ctx, {
      type: 'budget.created',
      subjectId: id,
      data: { ...eventSummary(view), line_count: lines.length, template_id: view.template_id },
    });
    return view;
  }

  /** A live budget as response JSON text, from the cache when possible (no parse/stringify round trip). */
  async getJson(ctx: TenantContext, id: string, includeLines: boolean): Promise<string> {
    const body = await this.read(ctx, id, includeLines, false);
    return body.json ?? gunzipText(body.gzip);
  }

  /**
   * The budget as its JSON body, gzipped when `gzip` (the client takes it) and the body is
   * large. Large bodies are cached as their gzip: a hit is sent as it is, without compressing
   * or even reading the 4.8 MB of a 10,000-line budget (precompressed.ts).
   */
  async read(ctx: TenantContext, id: string, includeLines: boolean, gzip: boolean): Promise<JsonBody> {
    // The cached JSON is what this user's department scope sees: the scope is part of the key.
    const cached = await this.cache.lookup(ctx, id, includeLines);
    if (cached.hit) {
      if (cached.hit.gzip && !gzip) return { json: await gunzipText(cached.hit.gzip) };
      return cached.hit;
    }
    const json = await withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await mustFindBudget(tx, id);
      const head = JSON.stringify(presentBudget(budget, await totalsFor(tx, [id])));
      if (!includeLines) return head;
      return `${head.slice(0, -1)},"budget_lines":${await linesJson(tx, id)}}`;
    });
    // Not awaited: no reader waits for a multi-megabyte cache write (it never throws). The key
    // carries the generation read before the database, so a write committing meanwhile still
    // makes this entry unreachable.
    if (json.length < PRECOMPRESS_MIN_BYTES) {
      void cached.store({ json });
      return { json };
    }
    if (gzip) {
      const gzipped = await gzipText(json);
      void cached.store({ gzip: gzipped });
      return { gzip: gzipped };
    }
    void gzipText(json)
      .then((gzipped) => cached.store({ gzip: gzipped }))
      .catch(() => {});
    return { json };
  }

  /** Lists budgets with filters and cursor pagination. */
  async list(ctx: TenantContext, q: BudgetListQuery) {
    const afterId = decodeCursor(q.cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const rows = await listBudgets(tx, {
        fiscalYear: q.fiscal_year,
        status: q.status,
        budgetType: q.budget_type,
        departmentId: q.department_id,
        text: q.text,
        deleted: q.deleted,
        afterId,
        limit: q.limit,
      });
      const page = pageOf(rows, q.limit);
      const totals = await totalsFor(
        tx,
        page.items.map((b) => b.id),
      );
      return {
        items: page.items.map((b) =>
          presentBudget(
            b,
            totals.filter((t) => t.budgetId === b.id),
          ),
        ),
        next_cursor: page.nextCursor,
      };
    });
  }

  /** Updates fields of a budget if `version` is current; 409 with the current version otherwise. */
  async update(ctx: TenantContext, id: string, input: BudgetUpdateInput): Promise<BudgetView> {
    const { version, ...fields } = input;
    const name = fields.budget_name;
    try {
      return await withTenant(this.deps.db, ctx, async (tx) => {
        const before = await mustFindBudget(tx, id, true);
        if (before.version !== version) throw new VersionConflictError('Budget', version, before.version);
        this.cache.invalidateAfterCommit(tx, ctx.tenantId, id);
        assertEditable(before);
        const redated = ['budget_type', 'fiscal_year', 'period_start', 'period_end'].some((k) => k in fields);
        const range = redated ? await this.rangeAfter(tx, ctx, before, fields) : undefined;
        const year = fields.fiscal_year ?? before.fiscalYear;
        if (
          (name !== undefined || fields.fiscal_year !== undefined) &&
          (await nameTaken(tx, name ?? before.budgetName, year, id))
        ) {
          throw duplicateName(name ?? before.budgetName, year);
        }
        const after = await updateBudget(tx, id, {
          updatedBy: ctx.userId,
          ...(name !== undefined ? { budgetName: name } : {}),
          ...(fields.budget_type !== undefined ? { budgetType: fields.budget_type } : {}),
          ...(fields.fiscal_year !== undefined ? { fiscalYear: fields.fiscal_year } : {}),
          ...(fields.total_amount !== undefined ? { totalAmount: fields.total_amount } : {}),
          ...(fields.base_currency !== undefined ? { baseCurrency: fields.base_currency } : {}),
          ...(fields.department_id !== undefined ? { departmentId: fields.department_id } : {}),
          ...(fields.cost_center_id !== undefined ? { costCenterId: fields.cost_center_id } : {}),
          ...(fields.project_id !== undefined ? { projectId: fields.project_id } : {}),
          ...(fields.description !== undefined ? { description: fields.description } : {}),
          ...(fields.notes !== undefined ? { notes: fields.notes } : {}),
          ...(fields.tags !== undefined ? { tags: fields.tags } : {}),
          ...(fields.metadata !== undefined ? { metadata: fields.metadata } : {}),
          ...(range ?? {}),
        });
        if (after.departmentId !== before.departmentId || after.costCenterId !== before.costCenterId)
          await checkLineMembers(
            tx,
            ctx,
            [{ departmentId: after.departmentId, costCenterId: after.costCenterId, lineType: 'expense' }],
            '',
          );
        if (range && (range.periodStart !== before.periodStart || range.periodEnd !== before.periodEnd)) {
          await respreadBudget(tx, after);
        }
        const totals = await totalsFor(tx, [id]);
        await this.audit(
          tx,
          ctx,
          'budget.updated',
          id,
          presentBudget(before, totals),
          presentBudget(after, totals),
        );
        const view = presentBudget(after, totals);
        await emit(tx, ctx, {
          type: 'budget.updated',
          subjectId: id,
          data: { ...eventSummary(view), changed: Object.keys(fields).sort() },
        });
        // Change hooks (collaboration) log it in this transaction and publish after commit.
        await this.deps.changes?.record(tx, ctx, {
          budgetId: id,
          kind: 'budget_updated',
          targetType: 'budget',
          targetId: id,
          before: presentBudget(before, totals),
          after: view,
        });
        return view;
      });
    } catch (error) {
      rethrowDuplicate(error, name ?? '', fields.fiscal_year ?? '');
    }
  }

  /** Soft-deletes (default) or removes a budget. */
  async delete(ctx: TenantContext, id: string, soft: boolean): Promise<void> {
    authorizeDelete(ctx, soft);
    await withTenant(this.deps.db, ctx, async (tx) => {
      const before = await mustFindBudget(tx, id, true);
      assertDeletable(ctx, before);
      this.cache.invalidateAfterCommit(tx, ctx.tenantId, id);
      // Before the delete, while its sessions exist: the feed logs it and closes them.
      await this.deps.changes?.record(tx, ctx, {
        budgetId: id,
        kind: 'budget_deleted',
        targetType: 'budget',
        targetId: id,
        before: presentBudget(before, []),
        after: null,
      });
      if (soft) {
        await updateBudget(tx, id, {
          isDeleted: true,
          deletedAt: new Date(),
          deletedBy: ctx.userId,
          updatedBy: ctx.userId,
        });
      } else {
        await hardDeleteBudget(tx, id);
      }
      await this.audit(
        tx,
        ctx,
        soft ? 'budget.soft_deleted' : 'budget.hard_deleted',
        id,
        presentBudget(before, []),
        null,
      );
      await emit(tx, ctx, { type: 'budget.deleted', subjectId: id, data: { budget_id: id, soft } });
    });
  }

  /**
   * Restores a soft-deleted budget (permission as for deleting it): 404 when it does not exist
   * in this tenant (or was removed for good), 409 `not_deleted` when it is live, 409
   * `duplicate_budget_name` when a live budget of its fiscal year took its name meanwhile.
   */
  async restore(ctx: TenantContext, id: string): Promise<BudgetView> {
    authorizeDelete(ctx, true);
    await withTenant(this.deps.db, ctx, async (tx) => {
      const before = await findAnyBudget(tx, id, true);
      if (!before) throw new NotFoundError('Budget', id);
      if (!before.isDeleted)
        throw new ConflictError(
          'not_deleted',
          'params.id',
          `Budget ${id} is not deleted; there is nothing to restore`,
        );
      if (await nameTaken(tx, before.budgetName, before.fiscalYear, id))
        throw duplicateName(before.budgetName, before.fiscalYear);
      this.cache.invalidateAfterCommit(tx, ctx.tenantId, id);
      const after = await updateBudget(tx, id, {
        isDeleted: false,
        deletedAt: null,
        deletedBy: null,
        updatedBy: ctx.userId,
      });
      await this.audit(
        tx,
        ctx,
        'budget.restored',
        id,
        {
          is_deleted: true,
          deleted_at: before.deletedAt?.toISOString() ?? null,
          deleted_by: before.deletedBy,
        },
        presentBudget(after, []),
      );
    });
    return JSON.parse(await this.getJson(ctx, id, false)) as BudgetView;
  }

  /** Dates after an update: given dates win; fixed-length types re-derive theirs, project/rolling keep theirs. */
  private rangeAfter(tx: Tx, ctx: TenantContext, before: BudgetRow, f: Omit<BudgetUpdateInput, 'version'>) {
    const budgetType = f.budget_type ?? before.budgetType;
    const keeps = budgetType === 'project' || budgetType === 'rolling';
    return resolveBudgetRange(
      tx,
      ctx.tenantId,
      {
        budgetType,
        fiscalYear: f.fiscal_year ?? before.fiscalYear,
        periodStart: f.period_start ?? (keeps ? before.periodStart : undefined),
        periodEnd: f.period_end ?? (keeps ? before.periodEnd : undefined),
      },
      { checkWindow: f.fiscal_year !== undefined },
    );
  }
}

/** 422 naming template_id unless the template version exists, live, in the caller's tenant. */
async function assertTemplateVersion(tx: Tx, templateId: string, version: number): Promise<void> {
  if (isUuid(templateId) && (await templateVersionExists(tx, templateId, version))) return;
  const message = `template_id ${templateId} with template_version ${version} is not a template of your tenant`;
  throw new BusinessRuleError('unknown_reference', message, 'template_id', { field: 'template_id' });
}

/** The fields every budget event carries (catalog.ts `budgetSummary`). */
function eventSummary(view: BudgetView) {
  return {
    budget_id: view.budget_id,
    budget_name: view.budget_name,
    budget_type: view.budget_type,
    fiscal_year: view.fiscal_year,
    status: view.status,
    base_currency: view.base_currency,
    total_amount: view.total_amount,
    version: view.version,
  };
}
