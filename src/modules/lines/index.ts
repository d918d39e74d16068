/**
 * The public surface of the lines module (budget lines and their periods: spreading, phasing).
 * Other modules, src/app, src/cli, the benches and test/ import it only through this file, its
 * zod schemas too (biome.json, noRestrictedImports; docs/architecture.md, module boundaries).
 */
export { BatchFallback, LineEditBatch } from './lines.batch.ts';
export type { BudgetAccess, ParentBudget } from './lines.budgets.ts';
export { lineSignErrors, negativeLinesRefused, resolveLineAmount } from './lines.domain.ts';
export { toNewLines } from './lines.input.ts';
export { linesModule } from './lines.module.ts';
export type { LineView } from './lines.presenter.ts';
export { presentLine } from './lines.presenter.ts';
export type { LineRow } from './lines.repository.ts';
export {
  allLines,
  findLine,
  findLines,
  insertLines,
  linesJson,
  setManualAmounts,
  updateLine,
} from './lines.repository.ts';
export type { LineCreateInput } from './lines.schema.ts';
export { lineCreateSchema, lineResponse, lineUpdateSchema } from './lines.schema.ts';
export { LineService } from './lines.service.ts';
export { fiscalYearStart, spreadByWeights, spreadEven, spreadFieldErrors } from './periods.domain.ts';
export { PeriodService } from './periods.service.ts';
export { resolveBudgetRange, respreadBudget, writeLinePeriods } from './periods.spreading.ts';
