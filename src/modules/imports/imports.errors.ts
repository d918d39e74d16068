/** The one rejection of a file import (actuals and lines): every bad row counted, the first 100 listed. */
import { AppError, type FieldError } from '../../platform/http/errors.ts';

/** Errors kept in a rejection (all are counted). */
export const MAX_REPORTED_ERRORS = 100;

const rowOf = (e: FieldError) => Number(/^rows\.(\d+)/.exec(e.path)?.[1] ?? 0);

/** 422: the file has bad rows (or cannot be read); nothing was stored. */
export class ImportRejectedError extends AppError {
  override name = 'ImportRejectedError';
  constructor(errors: FieldError[], errorCount: number, rowsRead: number, failedRows?: number) {
    const rows = failedRows ?? new Set(errors.map(rowOf).filter((r) => r > 0)).size;
    super(
      422,
      'import_rejected',
      `Import rejected, nothing stored: ${errorCount} error${errorCount === 1 ? '' : 's'} in ${rowsRead} data rows${
        rows > 0 || errorCount > errors.length
          ? ` (${[
              rows > 0 ? `${rows} row${rows === 1 ? '' : 's'} failed` : '',
              errorCount > errors.length
                ? `first ${Math.min(errors.length, MAX_REPORTED_ERRORS)} listed`
                : '',
            ]
              .filter(Boolean)
              .join('; ')})`
          : ''
      }`,
      errors.slice(0, MAX_REPORTED_ERRORS),
      { error_count: errorCount, failed_rows: rows, data_rows: rowsRead },
    );
  }
}

/** Collects row errors: counts all of them and the rows they are on, keeps the first 100. */
export class RowErrors {
  readonly kept: FieldError[] = [];
  count = 0;
  private readonly rows = new Set<number>();

  /** Adds one row's errors. */
  add(row: number, errors: FieldError[]): void {
    if (errors.length === 0) return;
    this.rows.add(row);
    this.count += errors.length;
    for (const e of errors) if (this.kept.length < MAX_REPORTED_ERRORS) this.kept.push(e);
  }

  /** Rows with at least one error. */
  get failedRows(): number {
    return this.rows.size;
  }

  /** Throws the rejection when any row failed. */
  throwIfAny(rowsRead: number): void {
    if (this.count > 0) throw new ImportRejectedError(this.kept, this.count, rowsRead, this.failedRows);
  }
}
