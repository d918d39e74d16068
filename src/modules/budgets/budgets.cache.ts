/**
 * Read cache for budgets. Keys are tenant-scoped. Every write replaces the budget's generation
 * token, and entries are keyed by the token they were read under, so an entry filled by a read
 * that raced a write is never served after that write returns.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Cache } from '../../platform/cache/cache.ts';
import type { BudgetView } from './budgets.presenter.ts';

export class BudgetCache {
  constructor(
    private readonly cache: Cache,
    private readonly enabled: boolean,
    private readonly ttlSeconds: number,
  ) {}

  private genKey(tenantId: string, id: string) {
    return `t:${tenantId}:budget:${id}:gen`;
  }

  /** Returns the cached view, or a `store` function to cache the view read now. */
  async lookup(
    tenantId: string,
    id: string,
    withLines: boolean,
  ): Promise<{ hit?: BudgetView; store: (v: BudgetView) => Promise<void> }> {
    if (!this.enabled) return { store: async () => {} };
    const gen = await this.cache.setIfAbsent(this.genKey(tenantId, id), uuidv7());
    const key = `t:${tenantId}:budget:${id}:${gen}:${withLines ? 'l' : 'b'}`;
    const raw = await this.cache.get(key);
    return {
      ...(raw ? { hit: JSON.parse(raw) as BudgetView } : {}),
      store: (v) => this.cache.set(key, JSON.stringify(v), this.ttlSeconds),
    };
  }

  /** Makes every cached view of the budget unreachable. Call after the write commits. */
  async invalidate(tenantId: string, id: string): Promise<void> {
    if (!this.enabled) return;
    await this.cache.set(this.genKey(tenantId, id), uuidv7(), 60 * 60 * 24 * 30);
  }
}
