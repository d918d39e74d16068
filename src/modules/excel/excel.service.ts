/** Spreadsheet use cases: budget and variance workbooks out, budget lines in. */
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { presentFile, type StoredFileRow, type StoredFiles } from '../../platform/storage/index.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { type BudgetCache, mustFindBudget } from '../budgets/index.ts';
import type { VarianceQuery, VarianceService } from '../variance/index.ts';
import { budgetMonths } from '../variance/index.ts';
import { budgetWorkbook } from './excel.budget-workbook.ts';
import { readSheet, type SheetFormat } from './excel.import.ts';
import { exportLines } from './excel.repository.ts';
import { type LineImportQuery, XLSX_TYPE } from './excel.schema.ts';
import { applyImport } from './excel.sync.ts';
import { varianceWorkbook } from './excel.variance-workbook.ts';

/** A file to send: its bytes and a download name. */
export interface Download {
  bytes: Buffer;
  fileName: string;
}

const isWorkbook = (f: StoredFileRow) => (WORKBOOK_KINDS as readonly string[]).includes(f.kind);

const fileStem = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'budget';

/** The kinds of stored workbook (docs/storage.md). */
export const WORKBOOK_KINDS = ['budget_workbook', 'variance_workbook'] as const;
export type WorkbookKind = (typeof WORKBOOK_KINDS)[number];

export class ExcelService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgetCache: BudgetCache,
    private readonly variance: VarianceService,
    private readonly files: StoredFiles,
  ) {}

  /**
   * Keeps an exported workbook in the file store (STORAGE: the database or S3), belonging to its
   * budget: the version sent to the board, kept as it was. Keeping is a write: budgets:write.
   */
  async keepWorkbook(ctx: TenantContext, budgetId: string, kind: WorkbookKind, file: Download) {
    // Keeping a copy is a write (the download itself needs only budgets:read).
    if (!ctx.permissions.has('budgets:write')) throw new ForbiddenError('budgets:write');
    const row = await this.files.save(
      ctx,
      { kind, name: file.fileName, contentType: XLSX_TYPE },
      [file.bytes],
      { type: 'budget', id: budgetId },
    );
    return presentFile(row);
  }

  /** The budget's kept workbooks, newest first (404 for a budget the caller cannot see). */
  async listWorkbooks(ctx: TenantContext, budgetId: string, limit: number, cursor?: string) {
    await withTenant(this.deps.db, ctx, (tx) => mustFindBudget(tx, budgetId));
    const page = await this.files.list(ctx, { refId: budgetId }, limit, cursor);
    return {
      items: page.items.filter((f) => isWorkbook(f)).map(presentFile),
      next_cursor: page.nextCursor,
    };
  }

  /** One kept workbook of the budget and its bytes: 404 for another budget's file or another tenant's. */
  async workbook(ctx: TenantContext, budgetId: string, fileId: string) {
    await withTenant(this.deps.db, ctx, (tx) => mustFindBudget(tx, budgetId));
    const row = await this.files.get(ctx, fileId, 'params.fileId');
    if (row.refId !== budgetId || !isWorkbook(row))
      throw new NotFoundError('Workbook', fileId, 'params.fileId');
    return { row, body: await this.files.open(row) };
  }

  /** The budget workbook: a summary sheet and the budget's lines x months with formula totals, importable back. */
  async exportBudget(ctx: TenantContext, id: string): Promise<Download> {
    const input = await withTenant(this.deps.db, ctx, async (tx) => {
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
    return { bytes: await budgetWorkbook(input), fileName: `${fileStem(input.budget.name)}.xlsx` };
  }

  /** The variance report of a budget as a workbook. */
  async exportVariance(ctx: TenantContext, id: string, q: VarianceQuery): Promise<Download> {
    const report = await this.variance.report(ctx, id, q);
    const name = await withTenant(this.deps.db, ctx, async (tx) => (await mustFindBudget(tx, id)).budgetName);
    return {
      bytes: await varianceWorkbook(name, report),
      fileName: `${fileStem(name)}-variance-${report.as_of}.xlsx`,
    };
  }

  /**
   * Imports lines from a CSV or XLSX file into an editable budget, the whole file or nothing:
   * an exported workbook updates its lines in place (see excel.sync.ts).
   */
  async importLines(ctx: TenantContext, id: string, bytes: Buffer, format: SheetFormat, q: LineImportQuery) {
    // Another tenant's budget is a 404 whatever the file holds.
    await withTenant(this.deps.db, ctx, (tx) => mustFindBudget(tx, id));
    const data = await readSheet(bytes, format, this.deps.config);
    const mode = q.mode ?? (data.columns.includes('line_id') ? 'update' : 'append');
    if (q.delete_missing && mode !== 'update')
      throw new ValidationError([
        {
          path: 'query.delete_missing',
          code: 'needs_update_mode',
          message: `delete_missing applies to mode=update only (the mode is ${mode})`,
        },
      ]);
    return applyImport(this.deps, this.budgetCache, ctx, id, data, mode, q.delete_missing);
  }
}
