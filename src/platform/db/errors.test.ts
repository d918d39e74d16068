import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, markDatabaseUnavailable } from './errors.ts';

describe('isDatabaseUnavailable', () => {
  it('recognises a lost or refused PostgreSQL connection through drizzle wrappers', () => {
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: shutdown }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(markDatabaseUnavailable(new Error('connect ECONNREFUSED')))).toBe(true);
  });

  it('does not blame PostgreSQL for query errors or other engines’ sockets', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(
      isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isDatabaseUnavailable(new Error('Connection is closed.'))).toBe(false);
  });
});
