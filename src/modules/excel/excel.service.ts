/** Spreadsheet use cases: budget and variance workbooks out, budget lines in. */
import { ValidationError } from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { mustFindBudget } from '../budgets/budget-lookup.ts';
import { toNewLines } from '../lines/lines.input.ts';
import type { LineService } from '../lines/lines.service.ts';
import { budgetMonths } from '../variance/variance.repository.ts';
import type { VarianceQuery } from '../variance/variance.schema.ts';
import type { VarianceService } from '../variance/variance.service.ts';
import { budgetWorkbook } from './excel.budget-workbook.ts';
import { readSheet, refuseIfAny, type SheetFormat, toFileRowErrors, toLineInputs } from './excel.import.ts';
import { exportLines } from './excel.repository.ts';
import type { LineImportQuery } from './excel.schema.ts';
import { varianceWorkbook } from './excel.variance-workbook.ts';

/** A file to send: its bytes and a download name. */
export interface Download {
  bytes: Buffer;
  fileName: string;
}

const fileStem = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'budget';

export class ExcelService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly lines: LineService,
    private readonly variance: VarianceService,
  ) {}

  /** The budget workbook: a summary sheet and the budget's lines x months with formula totals. */
  async exportBudget(ctx: TenantContext, id: string): Promise<Download> {
    const input = await withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      const b = await mustFindBudget(tx, id);
      const months = (await budgetMonths(tx, id)).map((m) => m.slice(0, 7));
      return {
        budget: {
          name: b.budgetName,
          fiscalYear: b.fiscalYear,
          type: b.budgetType,
          status: b.status,
          baseCurrency: b.baseCurrency,
        },
        months,
        lines: await exportLines(tx, id, b.baseCurrency),
      };
    });
    return { bytes: await budgetWorkbook([input]), fileName: `${fileStem(input.budget.name)}.xlsx` };
  }

  /** The variance report of a budget as a workbook. */
  async exportVariance(ctx: TenantContext, id: string, q: VarianceQuery): Promise<Download> {
    const report = await this.variance.report(ctx, id, q);
    const name = await withTenant(
      this.deps.db,
      ctx.tenantId,
      async (tx) => (await mustFindBudget(tx, id)).budgetName,
    );
    return {
      bytes: await varianceWorkbook(name, report),
      fileName: `${fileStem(name)}-variance-${report.as_of}.xlsx`,
    };
  }

  /** Imports lines from a CSV or XLSX file into an editable budget: every row valid, or nothing stored. */
  async importLines(ctx: TenantContext, id: string, bytes: Buffer, format: SheetFormat, q: LineImportQuery) {
    // Another tenant's budget is a 404 whatever the file holds.
    await withTenant(this.deps.db, ctx.tenantId, (tx) => mustFindBudget(tx, id));
    const { inputs, fileRows, errors } = toLineInputs(await readSheet(bytes, format, this.deps.config));
    // The lines API's own rules (amount from quantity x unit cost, allocation, spread), run on
    // the rows the schema accepted, so one answer lists every bad row.
    try {
      toNewLines(ctx, id, inputs, 'lines');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...toFileRowErrors(error.errors, fileRows));
    }
    refuseIfAny(errors);
    try {
      const result = await this.lines.addMany(ctx, id, inputs, q.mode, 'lines');
      return { rows: inputs.length, ...result };
    } catch (error) {
      if (error instanceof ValidationError) refuseIfAny(toFileRowErrors(error.errors, fileRows));
      throw error;
    }
  }
}
