/** Reads PostgreSQL error details through drizzle's error wrappers. */

interface PgErrorLike {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

/** The SQLSTATE and constraint of a database error, if it is one. */
export function pgError(error: unknown): { code: string; constraint?: string | undefined } | undefined {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const pe = e as PgErrorLike;
    if (typeof pe.code === 'string' && /^[0-9A-Z]{5}$/.test(pe.code))
      return { code: pe.code, constraint: pe.constraint };
    e = pe.cause;
  }
  return undefined;
}
