/**
 * Names in the OpenAPI document: the operationId of every operation (derived from method and
 * path, so that a new route gets a stable one without anyone remembering to name it) and the
 * tags with their descriptions.
 */

/** Tags in display order, each with what its operations are about. */
export const API_TAGS = [
  { name: 'health', description: 'Liveness and readiness probes (no token needed)' },
  { name: 'auth', description: 'Password login, the current identity, and user management' },
  { name: 'budgets', description: 'Budgets: create (optionally with lines), read, list, update, delete' },
  { name: 'budget lines', description: "A budget's lines: add, bulk add or replace, update, delete" },
  {
    name: 'periods',
    description: 'Monthly phasing of budget lines: the lines x periods grid and manual edits',
  },
  {
    name: 'workflow',
    description: 'The approval workflow: submit, approve, reject, reopen, activate, lock, unlock, archive',
  },
  { name: 'settings', description: "The tenant's settings (fiscal year start month)" },
  { name: 'templates', description: 'Versioned budget templates, and budgets created from them' },
  { name: 'scenarios', description: 'What-if scenarios over a budget: adjustments, comparison, promotion' },
  { name: 'actuals', description: 'Actuals: CSV/XLSX imports (inline or as jobs), batches, column mappings' },
  { name: 'fx-rates', description: 'Monthly FX rates and currency conversion' },
  { name: 'variance', description: 'Budget vs actual: variance reports and thresholds' },
  {
    name: 'dimensions',
    description:
      'Trees of departments, cost centres, GL accounts and funds; budget and variance roll-ups along them',
  },
  { name: 'excel', description: 'Spreadsheets: budget and variance workbooks (XLSX), line imports' },
  {
    name: 'forecasting',
    description: 'Forecasting models: create, train (background job), forecast; rolling forecasts',
  },
  { name: 'recommendations', description: 'Ranked recommendations with their evidence, and benchmarks' },
  {
    name: 'collaboration',
    description: 'Real-time collaboration sessions (the WebSocket is described in docs/collaboration.md)',
  },
  { name: 'audit', description: 'The append-only audit log of every change' },
  { name: 'jobs', description: 'Background jobs: status, progress, result or error' },
  {
    name: 'events',
    description: 'Domain events from the transactional outbox, published or not (docs/events.md)',
  },
] as const;

/**
 * Operations whose derived name reads badly, keyed by "METHOD /path" (path without the API
 * prefix, parameters as {name}). Every key must match a route: a stale one fails the document.
 */
export const OPERATION_ID_OVERRIDES: Readonly<Record<string, string>> = {
  'GET /ready': 'getReadiness',
  'POST /auth/login': 'login',
  'GET /auth/me': 'getCurrentUser',
  'GET /auth/config': 'getSignInConfig',
  'POST /budgets/{id}/lines/bulk': 'bulkWriteBudgetLines',
  'POST /templates/{id}/budgets': 'createBudgetFromTemplate',
  'POST /budgets/{id}/recommendations': 'generateBudgetRecommendations',
  'GET /budgets/{id}/recommendations': 'listBudgetRecommendationBundles',
  'GET /recommendations/{bundleId}': 'getRecommendationBundle',
  'GET /audit': 'listAuditEntries',
  'GET /events': 'listDomainEvents',
  'POST /collaboration/join/{id}': 'joinCollaborationSessionById',
  'POST /actuals/imports': 'importActuals',
  'DELETE /fx-rates': 'deleteFxRate',
  'PUT /fx-rates': 'upsertFxRates',
  'GET /fx-rates/convert': 'convertFxAmount',
  'POST /fx-rates/imports': 'importFxRates',
};

/** Last path segments that name an action on what precedes them (POST /budgets/{id}/submit). */
const ACTIONS = new Set([
  'accept',
  'activate',
  'apply',
  'approve',
  'archive',
  'bulk',
  'close',
  'compare',
  'convert',
  'dismiss',
  'export',
  'import',
  'join',
  'leave',
  'lock',
  'login',
  'promote',
  'reject',
  'reopen',
  'resolve',
  'submit',
  'train',
  'unlock',
]);

/** Plural-looking nouns that name one thing: read with get, written with update. */
const SINGLETONS = new Set(['settings', 'thresholds', 'benchmarks', 'periods']);

const isParam = (segment: string) => segment.startsWith('{');
const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const singular = (word: string) => {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ch|sh|x|ss)es$/.test(word)) return word.slice(0, -2);
  return word.endsWith('s') ? word.slice(0, -1) : word;
};
/** `fx-rates` -> `FxRates`, `export.xlsx` -> `ExportXlsx`. */
const pascal = (segment: string) => segment.split(/[-_.]/).filter(Boolean).map(capitalise).join('');

/** The path as the document shows it: `/budgets/:id` -> `/budgets/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * A camelCase operationId from the method and the path (without the API prefix), e.g.
 * `GET /budgets/{id}/lines` -> `listBudgetLines`, `POST /budgets/{id}/submit` -> `submitBudget`.
 */
export function deriveOperationId(method: string, path: string): string {
  const override = OPERATION_ID_OVERRIDES[`${method} ${path}`];
  if (override) return override;
  const segments = path.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  const [lastWord = '', ...lastRest] = last.split('.');
  const action = !isParam(last) && ACTIONS.has(lastWord) ? lastWord : undefined;
  const nouns = action ? segments.slice(0, -1) : segments;
  const words = nouns.flatMap((segment, i) => {
    if (isParam(segment)) return [];
    const next = nouns[i + 1];
    return [pascal(next !== undefined && isParam(next) ? singular(segment) : segment)];
  });
  if (action) return action + words.join('') + lastRest.map(pascal).join('');
  let verb: string;
  if (isParam(last)) {
    verb = { GET: 'get', PUT: 'update', PATCH: 'update', DELETE: 'delete' }[method] ?? method.toLowerCase();
  } else if (SINGLETONS.has(last) || !last.endsWith('s')) {
    verb = { GET: 'get', PUT: 'update', PATCH: 'update', DELETE: 'delete', POST: 'create' }[method] ?? '';
  } else {
    verb = { GET: 'list', PUT: 'replace', PATCH: 'update', DELETE: 'delete', POST: 'create' }[method] ?? '';
    // One new item of the collection: POST /budgets -> createBudget.
    if (method === 'POST' && words.length) words[words.length - 1] = pascal(singular(last));
  }
  return (verb || method.toLowerCase()) + words.join('');
}
