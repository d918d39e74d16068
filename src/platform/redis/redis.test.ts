import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../http/errors.ts';
import { isRedisUnavailable } from './redis.ts';

describe('isRedisUnavailable', () => {
  it("recognises ioredis's could-not-send and no-reply errors and our own 503", () => {
    for (const message of [
      'Connection is closed.',
      "Stream isn't writeable and enableOfflineQueue options is false",
      'Command timed out',
    ])
      expect(isRedisUnavailable(new Error(message)), message).toBe(true);
    expect(isRedisUnavailable(new DependencyUnavailableError('Redis', 'the cache'))).toBe(true);
  });

  it('does not blame Redis for a PostgreSQL connection error, a bad command or a bug', () => {
    expect(isRedisUnavailable(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
    expect(isRedisUnavailable(new Error('ERR wrong number of arguments for command'))).toBe(false);
    expect(isRedisUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isRedisUnavailable('Connection is closed.')).toBe(false);
  });
});
