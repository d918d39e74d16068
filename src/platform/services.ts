/** What every service gets: the database, the cache and the configuration. */
import type { AppConfig } from '../config/env.ts';
import type { Cache } from './cache/cache.ts';
import type { Db } from './db/client.ts';
import type { ChangeHooks } from './events/change-hooks.ts';

export interface ServiceDeps {
  db: Db;
  cache: Cache;
  config: AppConfig;
  /** Listeners told of every budget change inside its transaction (collaboration). */
  changes?: ChangeHooks;
}
