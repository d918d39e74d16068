/** Reads PostgreSQL error details through drizzle's error wrappers. */

interface PgErrorLike {
  code?: string;
  constraint?: string;
  message?: string;
  cause?: unknown;
}

/** The SQLSTATE and constraint of a database error, if it is one. */
export function pgError(
  error: unknown,
): { code: string; constraint?: string | undefined; message?: string | undefined } | undefined {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const pe = e as PgErrorLike;
    if (typeof pe.code === 'string' && /^[0-9A-Z]{5}$/.test(pe.code))
      return { code: pe.code, constraint: pe.constraint, message: pe.message };
    e = pe.cause;
  }
  return undefined;
}

/** SQLSTATEs that say the server went away or refuses connections, not that the query was wrong. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P01|57P02|57P03|53300)$/;
/** node-postgres's and pg-pool's own wording for a connection lost or never made. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;

/**
 * Whether an error says PostgreSQL could not be reached or dropped the connection (a 503, the
 * client may retry) rather than refused the query. Walks drizzle's `cause` chain. Bare socket
 * codes (ECONNREFUSED) are not enough: they may come from Redis or a broker; the pool marks its
 * own connect failures instead (`markDatabaseUnavailable`).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const pe = e as PgErrorLike & { message?: string; databaseUnavailable?: boolean };
    if (pe.databaseUnavailable === true) return true;
    if (typeof pe.code === 'string' && UNAVAILABLE_SQLSTATE.test(pe.code)) return true;
    if (typeof pe.message === 'string' && UNAVAILABLE_MESSAGE.test(pe.message)) return true;
    e = pe.cause;
  }
  return false;
}

/** Marks an error of the pool's connect as "PostgreSQL unavailable" (for `isDatabaseUnavailable`). */
export function markDatabaseUnavailable<E>(error: E): E {
  if (error && typeof error === 'object')
    (error as { databaseUnavailable?: boolean }).databaseUnavailable = true;
  return error;
}
