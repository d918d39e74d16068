/**
 * The one error vocabulary. Services throw these; the HTTP error handler maps them to the
 * single response shape `{ message, code, errors: [{ path, code, message }] }`.
 */

/** One field-level problem: which field, which rule, in words. */
export interface FieldError {
  path: string;
  code: string;
  message: string;
}

/** Base of every error a client may see. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** 400: the request breaks a validation rule. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(errors: FieldError[], message = 'Request validation failed') {
    super(400, 'validation_failed', message, errors);
  }
}

/** Shortcut for a single-field validation error. */
export function fieldError(path: string, code: string, message: string): ValidationError {
  return new ValidationError([{ path, code, message }]);
}

export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(
    message = 'Authentication required: send Authorization: Bearer <token>',
    path = 'headers.authorization',
  ) {
    super(401, 'unauthorized', message, [{ path, code: 'invalid_token', message }]);
  }
}

export class ForbiddenError extends AppError {
  override name = 'ForbiddenError';
  constructor(permission: string) {
    super(403, 'forbidden', `Permission '${permission}' required`, [
      { path: 'permissions', code: 'missing_permission', message: `Permission '${permission}' required` },
    ]);
  }
}

/** 404, also for another tenant's ids: existence is never revealed across tenants. */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(entity: string, id: string, path = 'params.id') {
    const message = `${entity} ${id} not found`;
    super(404, 'not_found', message, [{ path, code: 'not_found', message }]);
  }
}

/** 409: optimistic locking failed; carries the current version. */
export class VersionConflictError extends AppError {
  override name = 'VersionConflictError';
  /** `current`, when given, says who changed it last and when (`updated_by`, `updated_at` in the body). */
  constructor(
    entity: string,
    sentVersion: number,
    currentVersion: number,
    current?: { updatedBy?: string | null; updatedAt?: Date | null },
  ) {
    const message = `${entity} has been modified by another user: version ${sentVersion} is stale, the current version is ${currentVersion}`;
    super(409, 'version_conflict', message, [{ path: 'version', code: 'stale_version', message }], {
      current_version: currentVersion,
      ...(current
        ? { updated_by: current.updatedBy ?? null, updated_at: current.updatedAt?.toISOString() ?? null }
        : {}),
    });
  }
}

/** 409: a uniqueness rule. */
export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(code: string, path: string, message: string, extra: Record<string, unknown> = {}) {
    super(409, code, message, [{ path, code, message }], extra);
  }
}

/** 422: the request is well-formed but a business rule forbids it. */
export class BusinessRuleError extends AppError {
  override name = 'BusinessRuleError';
  constructor(code: string, message: string, path = '', extra: Record<string, unknown> = {}) {
    super(422, code, message, [{ path, code, message }], extra);
  }
}

/**
 * 503: a dependency the request needs (Redis for the job queue and collaboration fan-out) is
 * unreachable. Nothing was committed; the client may retry after `retry_after_seconds`.
 */
export class DependencyUnavailableError extends AppError {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: string,
    feature: string,
    readonly retryAfterSeconds = 5,
  ) {
    const message = `${dependency} is unavailable: ${feature} cannot be used until it returns; retry later`;
    super(503, 'dependency_unavailable', message, [
      { path: dependency.toLowerCase(), code: 'unreachable', message },
    ]);
  }
}
