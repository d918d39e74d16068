/**
 * Creates the sample company's tenant through the application's own services (the same
 * validation, phasing, workflow rules and audit trail as the API): users, FX rates, a saved
 * mapping, two ledger imports, the current year's plan taken through review to approval, a
 * versioned template, the next year's draft built from it, two scenarios and a project budget
 * awaiting approval. Refuses (changing nothing) when the tenant already has users or budgets.
 */

import { effectivePermissions } from '../../platform/auth/permissions.ts';
import { type TenantContext, tenantIdFromKey } from '../../platform/tenancy/tenancy.ts';
import { Decimal } from '../../shared/money.ts';
import type { ActualsService, MappingService } from '../actuals/index.ts';
import { mappingCreateSchema } from '../actuals/index.ts';
import type { BudgetService } from '../budgets/index.ts';
import { budgetCreateSchema, budgetListQuery } from '../budgets/index.ts';
import type { FxService } from '../fx/index.ts';
import { putRatesBody } from '../fx/index.ts';
import type { LineService } from '../lines/index.ts';
import type { ScenarioService } from '../scenarios/index.ts';
import { scenarioCreateSchema } from '../scenarios/index.ts';
import type { TemplateService } from '../templates/index.ts';
import { budgetFromTemplateSchema, templateCreateSchema, templateUpdateSchema } from '../templates/index.ts';
import type { UserService } from '../users/index.ts';
import type { WorkflowService } from '../workflow/index.ts';
import { BASE_CURRENCY, SAMPLE_COMPANY, SAMPLE_TENANT, SAMPLE_USERS } from './sample.company.ts';
import {
  CSV_HEADERS,
  currentYearLines,
  fxRates,
  generateLedger,
  nextYearLines,
  type SampleShape,
  toCsv,
} from './sample.generate.ts';

/** The services the sample is created with (what buildApp returns). */
export interface SampleServices {
  users: UserService;
  budgets: BudgetService;
  lines: LineService;
  workflow: WorkflowService;
  templates: TemplateService;
  scenarios: ScenarioService;
  actuals: ActualsService;
  importMappings: MappingService;
  fx: FxService;
}

export interface SampleOptions {
  tenant?: string;
  seed?: number;
  /** The last month with actuals, YYYY-MM; its year is the current fiscal year. Default: last month. */
  asOf?: string;
  /** Told of each step (the CLI prints them). */
  onStep?: (step: string) => void;
}

export interface SampleResult {
  created: boolean;
  tenant: string;
  /** Why nothing was created. */
  reason?: string;
  seed: number;
  asOf: string;
  users: { email: string; password: string; roles: readonly string[] }[];
  budgets: { current: string; next: string; project: string };
  actualRows: number;
}

/** The month before `now`, as YYYY-MM: the last closed month of the ledger. */
export function lastClosedMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Parses --as-of / asOf: a month YYYY-MM. */
export function parseAsOf(asOf: string): { year: number; month: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(asOf);
  if (!m) throw new Error(`as-of must be a month YYYY-MM, got "${asOf}"`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** What to tell the user after a run (also printed by the server on first start). */
export function describeSample(r: SampleResult): string {
  if (!r.created) return `sample company not created: ${r.reason}`;
  return [
    `Created the sample company "${SAMPLE_COMPANY}" in tenant "${r.tenant}" (seed ${r.seed}, actuals through ${r.asOf}, ${r.actualRows} ledger postings). Sign in with:`,
    ...r.users.map((u) => `  ${u.email.padEnd(24)} ${u.password.padEnd(18)} ${u.roles.join(', ')}`),
  ].join('\n');
}

const sum = (xs: string[]) => xs.reduce((s, x) => s.add(x), new Decimal(0)).toFixed(2);

/** Creates the sample tenant; `created: false` with a reason when it exists already. */
export async function seedSample(s: SampleServices, o: SampleOptions = {}): Promise<SampleResult> {
  const tenant = o.tenant ?? SAMPLE_TENANT;
  const seed = o.seed ?? 42;
  const asOf = o.asOf ?? lastClosedMonth();
  const { year, month } = parseAsOf(asOf);
  const shape: SampleShape = { seed, year, asOfMonth: month };
  const step = o.onStep ?? (() => {});
  const users = SAMPLE_USERS.map((u) => ({ email: u.email, password: u.password, roles: u.roles }));
  const base = { tenant, seed, asOf, users, budgets: { current: '', next: '', project: '' }, actualRows: 0 };
  const tenantId = tenantIdFromKey(tenant);
  const system: TenantContext = {
    tenantId,
    tenantKey: tenant,
    userId: 'system',
    roles: ['admin'],
    permissions: effectivePermissions(['admin'], []),
  };
  if (await s.users.hasUsers(tenant))
    return { ...base, created: false, reason: `tenant "${tenant}" already has users; nothing was changed` };
  const existing = await s.budgets.list(system, budgetListQuery.parse({ limit: 1 }));
  if (existing.items.length)
    return { ...base, created: false, reason: `tenant "${tenant}" already has budgets; nothing was changed` };

  step(`users: ${SAMPLE_USERS.map((u) => `${u.email} (${u.roles.join(', ')})`).join(', ')}`);
  const ctx: Record<string, TenantContext> = {};
  for (const u of SAMPLE_USERS) {
    const created = await s.users.create(tenant, 'system', { ...u, roles: [...u.roles] });
    ctx[u.roles[0]] = {
      tenantId,
      tenantKey: tenant,
      userId: created.id,
      email: u.email,
      roles: [...u.roles],
      permissions: effectivePermissions(u.roles, []),
    };
  }
  const { planner, approver, admin } = ctx as Record<'planner' | 'approver' | 'admin', TenantContext>;

  const rates = fxRates(shape);
  step(`FX rates: ${rates.length} monthly rates into ${BASE_CURRENCY}`);
  const source = `${SAMPLE_COMPANY} treasury (sample)`;
  await s.fx.put(admin, putRatesBody.parse({ rates: rates.map((r) => ({ ...r, source })) }).rates);

  const mappingName = 'ERP ledger export (CSV)';
  const [period, gl, department, category, description, amount, currency] = CSV_HEADERS as [
    string,
    ...string[],
  ];
  const saved = mappingCreateSchema.parse({
    name: mappingName,
    mapping: { columns: { period, gl_account: gl, department, category, description, amount, currency } },
  });
  await s.importMappings.create(admin, saved);
  const mapping = saved.mapping;

  const ledger = generateLedger(shape);
  for (const { year: y, postings } of ledger.years) {
    const key = y === year ? `gl-${y}-ytd` : `gl-${y}`;
    step(`actuals: batch ${key}, ${postings.length} postings`);
    await s.actuals.importNow(admin, [Buffer.from(toCsv(postings))], {
      batchKey: key,
      fileName: `${key}.csv`,
      format: 'csv',
      mapping,
      mappingName,
    });
  }

  // The current year: submitted, sent back over travel, corrected, resubmitted and approved.
  const lines = currentYearLines(shape, ledger, rates);
  const expense = sum(lines.filter((l) => l.line_type === 'expense').map(lineAmount));
  step(`budget: Operating plan ${year} (${lines.length} lines)`);
  let current = await s.budgets.create(
    planner,
    budgetCreateSchema.parse({
      budget_name: `Operating plan ${year}`,
      budget_type: 'annual',
      fiscal_year: String(year),
      total_amount: expense,
      base_currency: BASE_CURRENCY,
      description: `${SAMPLE_COMPANY}: company plan for ${year}, built from ${year - 1} actuals`,
      tags: ['company', 'sample'],
      budget_lines: lines,
    }),
  );
  const id = current.budget_id;
  current = await s.workflow.transition(planner, id, 'submit', {
    version: current.version,
    comment: 'Plan for review',
  });
  current = await s.workflow.transition(approver, id, 'reject', {
    version: current.version,
    reason: 'Travel grows while sales travel fell last year: keep travel flat on last year',
  });
  current = await s.workflow.transition(planner, id, 'reopen', { version: current.version });
  const withLines = JSON.parse(await s.budgets.getJson(planner, id, true)) as {
    budget_lines: { line_id: string; gl_account_id: string; amount: string; version: number }[];
  };
  const travel = withLines.budget_lines.find((l) => l.gl_account_id === '6200')!;
  const flat = new Decimal(travel.amount).div('1.05').div(100).toDecimalPlaces(0).mul(100).toFixed(2);
  await s.lines.update(planner, id, travel.line_id, { version: travel.version, amount: flat });
  current = JSON.parse(await s.budgets.getJson(planner, id, false));
  current = await s.workflow.transition(planner, id, 'submit', {
    version: current.version,
    comment: 'Travel held flat on last year',
  });
  current = await s.workflow.transition(approver, id, 'approve', {
    version: current.version,
    comment: 'Approved by the management board',
  });

  // The next year: a template with two versions, and the draft built from the second.
  step('template: Annual operating plan (versions 1 and 2)');
  const template = await s.templates.create(
    planner,
    templateCreateSchema.parse({
      name: 'Annual operating plan',
      description: 'Company plan: every ledger account, phased by its season',
      defaults: { budget_type: 'annual', base_currency: BASE_CURRENCY, tags: ['company'] },
      lines: nextYearLines(lines, 1),
      comment: `From the ${year} plan, grown by the planned rates`,
    }),
  );
  await s.templates.update(
    planner,
    template.template_id,
    templateUpdateSchema.parse({
      version: template.version,
      lines: nextYearLines(lines, 2),
      comment: 'Merit increase 4 % on payroll; travel cut by 10 %',
    }),
  );
  step(`budget: Operating plan ${year + 1} (draft, from the template's version 2)`);
  const next = await s.templates.createBudget(
    planner,
    template.template_id,
    budgetFromTemplateSchema.parse({
      budget_name: `Operating plan ${year + 1}`,
      fiscal_year: String(year + 1),
      template_version: 2,
      description: `${SAMPLE_COMPANY}: draft plan for ${year + 1}`,
    }),
  );

  step('scenarios: Downturn, Growth push');
  await s.scenarios.create(
    planner,
    next.budget_id,
    scenarioCreateSchema.parse({
      name: 'Downturn',
      description: 'Demand falls from July; cost of sales follows',
      adjustments: [
        { kind: 'percent', value: '-12', filter: { line_type: 'revenue' }, from_period: `${year + 1}-07` },
        {
          kind: 'percent',
          value: '-8',
          filter: { category: 'Cost of sales' },
          from_period: `${year + 1}-07`,
        },
      ],
    }),
  );
  await s.scenarios.create(
    planner,
    next.budget_id,
    scenarioCreateSchema.parse({
      name: 'Growth push',
      description: 'Two more engineers and 15 % more advertising',
      adjustments: [
        { kind: 'absolute', value: '130000.00', filter: { gl_account_id: '6030' } },
        { kind: 'percent', value: '15', filter: { gl_account_id: '6100' } },
        { kind: 'percent', value: '4', filter: { line_type: 'revenue' } },
      ],
    }),
  );

  step(`budget: Trade-show programme ${year + 1} (under review)`);
  let project = await s.budgets.create(
    planner,
    budgetCreateSchema.parse({
      budget_name: `Trade-show programme ${year + 1}`,
      budget_type: 'project',
      fiscal_year: String(year + 1),
      total_amount: '142000.00',
      base_currency: BASE_CURRENCY,
      department_id: 'Marketing',
      period_start: `${year + 1}-03-01`,
      period_end: `${year + 1}-10-31`,
      description: 'OutDoor Friedrichshafen, ISPO Munich and two regional fairs',
      budget_lines: [
        {
          line_name: 'Booth space',
          line_type: 'expense',
          category: 'Marketing',
          gl_account_id: '6110',
          department_id: 'Marketing',
          amount: '64000.00',
        },
        {
          line_name: 'Booth build & logistics',
          line_type: 'expense',
          category: 'Marketing',
          gl_account_id: '6110',
          department_id: 'Marketing',
          amount: '38500.00',
        },
        {
          line_name: 'Staff travel to fairs',
          line_type: 'expense',
          category: 'Travel',
          gl_account_id: '6200',
          department_id: 'Marketing',
          quantity: '24',
          unit_cost: '1250.00',
        },
        {
          line_name: 'Leads from fairs',
          line_type: 'revenue',
          category: 'Product revenue',
          department_id: 'Sales',
          amount: '410000.00',
          description: 'Orders attributed to the fairs',
        },
      ],
    }),
  );
  project = await s.workflow.transition(planner, project.budget_id, 'submit', {
    version: project.version,
    comment: 'Ready for approval',
  });

  return {
    ...base,
    created: true,
    budgets: { current: id, next: next.budget_id, project: project.budget_id },
    actualRows: ledger.years.reduce((n, y) => n + y.postings.length, 0),
  };
}

/** A plan line's amount (given, or headcount × cost per head, as the API computes it). */
function lineAmount(l: { amount?: string; quantity?: string; unit_cost?: string }): string {
  if (l.amount) return l.amount;
  return new Decimal(l.quantity!).mul(l.unit_cost!).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}
