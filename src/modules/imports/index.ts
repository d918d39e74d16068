/**
 * The public surface of the imports module: the one mapping engine of the actuals and the
 * budget-lines imports (readers, amounts, periods, column mapping, derived fields, suggestions).
 * Other modules import it only through this file.
 */
export { type AmountResult, parseAmountNumber, parseAmountText } from './imports.amounts.ts';
export { ImportRejectedError, MAX_REPORTED_ERRORS, RowErrors } from './imports.errors.ts';
export {
  cellText,
  describeField,
  fieldValue,
  HIGH_CONFIDENCE,
  type ResolvedColumns,
  type ResolvedField,
  resolveColumns,
  type Suggestion,
  suggestColumns,
} from './imports.mapping.ts';
export {
  type DateOrderState,
  fiscalYearEnd,
  type PeriodFormat,
  parsePeriodDate,
  parsePeriodText,
} from './imports.periods.ts';
export { columnsOut, type FileHead, previewColumns, readFileHead } from './imports.preview.ts';
export {
  type ByteSource,
  type Cell,
  csvRows,
  type FileFormat,
  type SourceInfo,
  type SourceRow,
  UnreadableFileError,
  xlsxRows,
} from './imports.readers.ts';
export type { ImportTarget, Mapping, MappingInput } from './imports.schema.ts';
export { ACTUAL_FIELDS, completeMappingSchema, LINE_FIELDS, mappingSchema } from './imports.schema.ts';
