/** What every service gets: the database, the cache and the configuration. */
import type { AppConfig } from '../config/env.ts';
import type { Cache } from './cache/cache.ts';
import type { Db } from './db/client.ts';

export interface ServiceDeps {
  db: Db;
  cache: Cache;
  config: AppConfig;
}
