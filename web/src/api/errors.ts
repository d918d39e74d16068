/**
 * The API's one error shape (`{ message, code, errors: [{ path, code, message }], request_id,
 * ...extra }`, src/platform/http/error-handler.ts) as a thrown error, and its explanation in
 * words a finance user understands.
 */
import type { components } from '../../../src/shared/api-types.ts';

export type ApiErrorBody = components['schemas']['Error'];
export type FieldProblem = ApiErrorBody['errors'][number];

/** A non-2xx answer from the API (or no answer at all: status 0). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly errors: FieldProblem[];
  readonly requestId: string | undefined;
  /** Everything else the body carried (current_version, retry hints, ...). */
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Partial<ApiErrorBody> & Record<string, unknown>) {
    super(body.message ?? `The server answered ${status}`);
    this.status = status;
    this.code = body.code ?? (status === 0 ? 'network_error' : `http_${status}`);
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.requestId = typeof body.request_id === 'string' ? body.request_id : undefined;
    this.body = body;
  }

  /** The problems whose path is `path` or lies under it (`budget_lines.3` for `budget_lines.3.amount`). */
  fieldErrors(path: string): FieldProblem[] {
    return this.errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`));
  }
}

export interface ExplainedError {
  /** A short headline ("Someone else changed this budget"). */
  title: string;
  /** What happened and what to do, in plain words. */
  message: string;
  /** Field-level problems, for showing next to the field or cell they name. */
  fields: FieldProblem[];
  /** The request id to quote to support, when the server sent one. */
  reference?: string;
}

const TITLES: Record<string, string> = {
  validation_failed: 'Some values need fixing',
  version_conflict: 'Someone else changed this in the meantime',
  stale_version: 'Someone else changed this in the meantime',
  forbidden: 'You do not have permission for this',
  grant_not_allowed: 'You cannot grant that role',
  unauthorized: 'Please sign in again',
  invalid_credentials: 'The email or password is not right',
  not_found: 'This no longer exists',
  route_not_found: 'This no longer exists',
  rate_limited: 'Too many attempts',
  dependency_unavailable: 'A service is temporarily unavailable',
  login_disabled: 'Sign in with your identity provider',
  network_error: 'The server cannot be reached',
  internal_error: 'Something went wrong on the server',
};

/** Words for any error: an ApiError by its code and status, anything else by its message. */
export function explainError(error: unknown): ExplainedError {
  if (!(error instanceof ApiError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { title: 'Something went wrong', message, fields: [] };
  }
  const reference = error.requestId;
  const base = { fields: error.errors, ...(reference ? { reference } : {}) };
  const title =
    TITLES[error.code] ??
    (error.status === 403
      ? TITLES.forbidden!
      : error.status === 404
        ? TITLES.not_found!
        : error.status === 409
          ? 'This conflicts with the current data'
          : error.status === 422
            ? 'This is not allowed right now'
            : error.status >= 500
              ? TITLES.internal_error!
              : 'The request was not accepted');
  let message = error.message;
  switch (error.code) {
    case 'version_conflict':
    case 'stale_version':
      message =
        'Your copy is out of date because another user saved a newer version. Reload to see their changes, then apply yours again.';
      break;
    case 'forbidden':
    case 'missing_permission': {
      const permission = /'([^']+)'/.exec(error.message)?.[1];
      message = permission
        ? `Your role does not include "${permission}". Ask an administrator if you need it.`
        : 'Your role does not allow this. Ask an administrator if you need it.';
      break;
    }
    case 'unauthorized':
      message = 'Your session has ended. Sign in again to continue.';
      break;
    case 'rate_limited':
      message = 'Wait a minute, then try again.';
      break;
    case 'network_error':
      message = 'Check your connection. Nothing was lost on the server; try again in a moment.';
      break;
    case 'internal_error':
      message = 'The server could not complete this. Try again; if it keeps happening, quote the reference.';
      break;
    case 'validation_failed':
      message =
        error.errors.length === 1
          ? describeField(error.errors[0]!)
          : `${error.errors.length} values need fixing: ${error.errors
              .slice(0, 3)
              .map(describeField)
              .join('; ')}${error.errors.length > 3 ? '; …' : ''}`;
      break;
    default:
      break;
  }
  return { title, message, ...base };
}

/** "Amount (budget_lines.3.amount): must have at most 2 decimals" → readable field words. */
export function describeField(problem: FieldProblem): string {
  const field = fieldLabel(problem.path);
  return field ? `${field}: ${problem.message}` : problem.message;
}

const FIELD_WORDS: Record<string, string> = {
  budget_name: 'Budget name',
  fiscal_year: 'Fiscal year',
  total_amount: 'Total amount',
  base_currency: 'Currency',
  line_name: 'Line name',
  line_type: 'Line type',
  gl_account: 'GL account',
  cost_center: 'Cost centre',
  department: 'Department',
  unit_cost: 'Unit cost',
  spread_method: 'Spread method',
  amount: 'Amount',
  version: 'Version',
};

/** A human label for an error path: its last named segment, with its row number if any. */
export function fieldLabel(path: string): string {
  if (!path || path.startsWith('(')) return '';
  const parts = path.split('.');
  const name = [...parts].reverse().find((p) => !/^\d+$/.test(p)) ?? path;
  const index = parts.find((p) => /^\d+$/.test(p));
  const label = FIELD_WORDS[name] ?? name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return index !== undefined ? `${label} (row ${Number(index) + 1})` : label;
}
