/**
 * Read cache for budgets. Keys are tenant-scoped. Every write replaces the budget's generation
 * token, and entries are keyed by the token they were read under, so an entry filled by a read
 * that raced a write is never served after that write returns.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Cache } from '../../platform/cache/cache.ts';

export class BudgetCache {
  constructor(
    private readonly cache: Cache,
    private readonly enabled: boolean,
    private readonly ttlSeconds: number,
  ) {}

  private genKey(tenantId: string, id: string) {
    return `t:${tenantId}:budget:${id}:gen`;
  }

  /** Returns the cached JSON, or a `store` function to cache the JSON read now. */
  async lookup(
    tenantId: string,
    id: string,
    withLines: boolean,
  ): Promise<{ hit?: string; store: (json: string) => Promise<void> }> {
    if (!this.enabled) return { store: async () => {} };
    const gen = await this.cache.setIfAbsent(this.genKey(tenantId, id), uuidv7());
    const key = `t:${tenantId}:budget:${id}:${gen}:${withLines ? 'l' : 'b'}`;
    const raw = await this.cache.get(key);
    return {
      ...(raw ? { hit: raw } : {}),
      store: (json) => this.cache.set(key, json, this.ttlSeconds),
    };
  }

  /** Makes every cached view of the budget unreachable. Call after the write commits. */
  async invalidate(tenantId: string, id: string): Promise<void> {
    if (!this.enabled) return;
    await this.cache.set(this.genKey(tenantId, id), uuidv7(), 60 * 60 * 24 * 30);
  }
}
