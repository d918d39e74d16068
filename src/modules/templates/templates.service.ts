/** Template use cases: CRUD where every change is a new immutable version, and budgets from a version. */
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/client.ts';
import { pgError } from '../../platform/db/errors.ts';
import {
  ConflictError,
  fieldError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { zodFieldErrors } from '../../platform/http/zod-errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { auditor } from '../audit/index.ts';
import type { BudgetService, BudgetView } from '../budgets/index.ts';
import { budgetCreateSchema } from '../budgets/index.ts';
import { lineCreateSchema, toNewLines } from '../lines/index.ts';
import { authorizeBudgetFromTemplate } from './templates.policy.ts';
import {
  presentTemplate,
  presentVersion,
  presentVersionSummary,
  type TemplateView,
} from './templates.presenter.ts';
import {
  findTemplate,
  findVersion,
  insertTemplate,
  insertVersion,
  listTemplates,
  listVersions,
  type TemplateContent,
  type TemplateRow,
  templateNameTaken,
  updateTemplate,
} from './templates.repository.ts';
import type {
  BudgetFromTemplateInput,
  TemplateCreateInput,
  TemplateLine,
  TemplateListQuery,
  TemplateUpdateInput,
} from './templates.schema.ts';

const duplicateName = (name: string) =>
  new ConflictError(
    'duplicate_template_name',
    'name',
    `A template named "${name}" already exists (names are compared case-insensitively)`,
  );

/** Turns the unique-index violation of a racing duplicate into the same 409 as the pre-check. */
function rethrowDuplicate(error: unknown, name: string): never {
  const pe = pgError(error);
  if (pe?.code === '23505' && pe.constraint === 'budget_templates_name_uq') throw duplicateName(name);
  throw error;
}

// Fields a budget line accepts today; spread fields pass through once the lines schema has them.
const LINE_FIELDS = new Set(Object.keys(lineCreateSchema.shape));
const asBudgetLine = (l: TemplateLine) =>
  Object.fromEntries(Object.entries(l).filter(([k, v]) => LINE_FIELDS.has(k) && v !== undefined));

export class TemplateService {
  private readonly audit = auditor('template');

  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgets: BudgetService,
  ) {}

  /** Creates a template and its version 1. */
  async create(ctx: TenantContext, input: TemplateCreateInput): Promise<TemplateView> {
    const lines = this.checkLines(ctx, input.lines);
    const content: TemplateContent = {
      name: input.name,
      description: input.description ?? null,
      defaults: input.defaults,
      lines,
    };
    return withTenant(this.deps.db, ctx, async (tx) => {
      if (await templateNameTaken(tx, input.name)) throw duplicateName(input.name);
      const id = uuidv7();
      const row = await insertTemplate(tx, {
        id,
        tenantId: ctx.tenantId,
        createdBy: ctx.userId,
        name: input.name,
        description: input.description ?? null,
        budgetType: input.defaults.budget_type ?? null,
        currentVersion: 1,
      }).catch((e: unknown) => rethrowDuplicate(e, input.name));
      await insertVersion(tx, {
        tenantId: ctx.tenantId,
        templateId: id,
        version: 1,
        content,
        comment: input.comment ?? null,
        createdBy: ctx.userId,
      });
      const view = presentTemplate(row, content);
      await this.audit(tx, ctx, 'template.created', id, null, { ...view, lines: undefined });
      return view;
    });
  }

  /** Lists live templates (no lines). */
  async list(ctx: TenantContext, q: TemplateListQuery) {
    const afterId = decodeCursor(q.cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const rows = await listTemplates(tx, {
        text: q.text,
        budgetType: q.budget_type,
        afterId,
        limit: q.limit,
      });
      const page = pageOf(rows, q.limit);
      return { items: page.items.map((t) => presentTemplate(t, t)), next_cursor: page.nextCursor };
    });
  }

  /** A live template with its current version's defaults and lines. */
  async get(ctx: TenantContext, id: string): Promise<TemplateView> {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const t = await this.mustFind(tx, id);
      return presentTemplate(t, await this.content(tx, t.id, t.currentVersion));
    });
  }

  /** Saves a change as a new immutable version if `version` is current; absent fields keep their value. */
  async update(ctx: TenantContext, id: string, input: TemplateUpdateInput): Promise<TemplateView> {
    const newLines = input.lines ? this.checkLines(ctx, input.lines) : undefined;
    return withTenant(this.deps.db, ctx, async (tx) => {
      const before = await this.mustFind(tx, id, true);
      if (before.version !== input.version)
        throw new VersionConflictError('Template', input.version, before.version);
      if (input.name !== undefined && (await templateNameTaken(tx, input.name, id)))
        throw duplicateName(input.name);
      const prev = await this.content(tx, id, before.currentVersion);
      const content: TemplateContent = {
        name: input.name ?? prev.name,
        description: input.description !== undefined ? input.description : prev.description,
        defaults: input.defaults ?? prev.defaults,
        lines: newLines ?? prev.lines,
      };
      const next = before.currentVersion + 1;
      await insertVersion(tx, {
        tenantId: ctx.tenantId,
        templateId: id,
        version: next,
        content,
        comment: input.comment ?? null,
        createdBy: ctx.userId,
      });
      const after = await updateTemplate(tx, id, {
        updatedBy: ctx.userId,
        name: content.name,
        description: content.description,
        budgetType: content.defaults.budget_type ?? null,
        currentVersion: next,
      }).catch((e: unknown) => rethrowDuplicate(e, content.name));
      const view = presentTemplate(after, content);
      await this.audit(
        tx,
        ctx,
        'template.updated',
        id,
        { ...presentTemplate(before, prev), lines: undefined },
        { ...view, lines: undefined },
      );
      return view;
    });
  }

  /** Soft-deletes a template (frees its name); its versions stay for the budgets that cite them. */
  async delete(ctx: TenantContext, id: string, version?: number): Promise<void> {
    await withTenant(this.deps.db, ctx, async (tx) => {
      const before = await this.mustFind(tx, id, true);
      if (version !== undefined && before.version !== version)
        throw new VersionConflictError('Template', version, before.version);
      await updateTemplate(tx, id, {
        isDeleted: true,
        deletedAt: new Date(),
        deletedBy: ctx.userId,
        updatedBy: ctx.userId,
      });
      await this.audit(tx, ctx, 'template.soft_deleted', id, presentTemplate(before, { lineCount: 0 }), null);
    });
  }

  /** Version summaries, newest first (cursor pagination). */
  async versions(ctx: TenantContext, id: string, limit: number, cursor?: string) {
    let before: number | undefined;
    if (cursor !== undefined) {
      before = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (!Number.isInteger(before) || before < 1)
        throw fieldError('query.cursor', 'invalid_cursor', 'cursor is not one this API returned');
    }
    return withTenant(this.deps.db, ctx, async (tx) => {
      await this.mustFind(tx, id);
      const rows = await listVersions(tx, id, limit, before);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(presentVersionSummary),
        next_cursor: rows.length > limit && last ? encodeCursor(String(last.version)) : null,
      };
    });
  }

  /** One version of a live template, with its content. */
  async version(ctx: TenantContext, id: string, version: number) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      await this.mustFind(tx, id);
      const v = await findVersion(tx, id, version);
      if (!v) throw new NotFoundError('Template version', String(version), 'params.version');
      return presentVersion(v);
    });
  }

  /**
   * Creates a draft budget from a version (default: the current one) in one transaction: the
   * budget is built from the version's defaults and lines, overridden by the request, and
   * created by the budgets service, recording template_id and template_version.
   */
  async createBudget(ctx: TenantContext, id: string, input: BudgetFromTemplateInput): Promise<BudgetView> {
    authorizeBudgetFromTemplate(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const t = await this.mustFind(tx, id);
      const { template_version, budget_name, fiscal_year, ...overrides } = input;
      const versionNo = template_version ?? t.currentVersion;
      const v = await findVersion(tx, id, versionNo);
      if (!v) throw new NotFoundError('Template version', String(versionNo), 'template_version');
      const c = v.content as TemplateContent;
      const defined = Object.fromEntries(Object.entries(overrides).filter(([, x]) => x !== undefined));
      const fields = { ...c.defaults, ...defined };
      const missing = (['budget_type', 'base_currency'] as const).filter((f) => fields[f] === undefined);
      if (missing.length)
        throw new ValidationError(
          missing.map((f) => ({
            path: f,
            code: 'required',
            message: `${f} is required: template version ${versionNo} has no default for it`,
          })),
        );
      const parsed = budgetCreateSchema.safeParse({
        total_amount: '0.00',
        ...fields,
        budget_name,
        fiscal_year,
        template_id: id,
        template_version: versionNo,
        budget_lines: c.lines.map(asBudgetLine),
      });
      if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
      const budget = await this.budgets.createIn(tx, ctx, parsed.data);
      await this.audit(tx, ctx, 'template.budget_created', id, null, {
        budget_id: budget.budget_id,
        template_version: versionNo,
      });
      return budget;
    });
  }

  /** Lines of a template obey the budget-line rules and the line limit; amounts come back resolved. */
  private checkLines(ctx: TenantContext, lines: TemplateLine[]): TemplateLine[] {
    const max = this.deps.config.MAX_BUDGET_LINES;
    if (lines.length > max)
      throw fieldError('lines', 'too_big', `A template may have at most ${max} lines; got ${lines.length}`);
    const rows = toNewLines(ctx, uuidv7(), lines.map(asBudgetLine) as never, 'lines');
    return lines.map((l, i) => ({ ...l, amount: rows[i]!.amount }));
  }

  private async content(tx: Tx, id: string, version: number): Promise<TemplateContent> {
    const v = await findVersion(tx, id, version);
    // The current version always exists: it is written in the same transaction as the pointer.
    return v!.content as TemplateContent;
  }

  private async mustFind(tx: Tx, id: string, forUpdate = false): Promise<TemplateRow> {
    const t = await findTemplate(tx, id, forUpdate);
    if (!t) throw new NotFoundError('Template', id);
    return t;
  }
}
