/**
 * Exactly one process may open the embedded database: an exclusive lock on DATA_DIR
 * (proper-lockfile: an atomic `mkdir` of DATA_DIR/pglite.lock whose mtime the holder refreshes
 * every second). A lock not refreshed for 5 s is stale (its holder was killed) and is taken
 * over. The holder's pid (and, once it listens, its URL) is kept in DATA_DIR/pglite.lock.json
 * so that the second process can name it, and `bf import-actuals` can reach it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import lockfile from 'proper-lockfile';
import { ConfigError } from '../../config/env.ts';

/** Refresh interval and staleness of the lock (proper-lockfile's `update` and `stale`). */
const UPDATE_MS = 1000;
const STALE_MS = 5000;

/** What the holder writes beside the lock. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  started_at: string;
  /** Where the holder serves HTTP, once it listens. */
  url?: string;
}

/** DATA_DIR as the user would write it: relative to the working directory when inside it. */
export function displayDir(dir: string): string {
  const rel = relative(process.cwd(), dir);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? dir : `./${rel}`;
}

/** Thrown (exit code 2) when another live process holds DATA_DIR. */
export class DataDirInUseError extends ConfigError {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `DATA_DIR ${displayDir(dataDir)} is in use by another process (${holder ? `pid ${holder.pid}` : 'pid unknown'}): stop it, or set DATA_DIR to another folder`,
    );
  }
}

const holderFile = (dataDir: string) => join(dataDir, 'pglite.lock.json');

/** The process holding DATA_DIR, as it described itself (undefined if unknown). */
export function readLockHolder(dataDir: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(holderFile(dataDir), 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder that is certainly gone: a dead pid on this host, or our own pid (a restarted container). */
function certainlyGone(h: LockHolder | undefined): boolean {
  return h !== undefined && h.host === hostname() && (h.pid === process.pid || !isAlive(h.pid));
}

/** The held lock of one process. */
export interface DataDirLock {
  /** Records where this process serves HTTP (read by `bf import-actuals`). */
  setUrl(url: string): void;
  release(): Promise<void>;
}

/**
 * Takes the exclusive lock on `dataDir`, or throws DataDirInUseError naming the holder. A lock
 * left by a killed process on this host is waited for until it is stale (at most ~5 s).
 */
export async function lockDataDir(
  dataDir: string,
  onCompromised: (error: Error) => void,
): Promise<DataDirLock> {
  const lockPath = join(dataDir, 'pglite.lock');
  const deadline = Date.now() + STALE_MS + 2 * UPDATE_MS;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        onCompromised,
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const holder = readLockHolder(dataDir);
      // A live holder: refuse at once. A dead one (or one that has not written its pid yet):
      // poll until proper-lockfile finds the lock stale and takes it over.
      if ((!certainlyGone(holder) && holder) || Date.now() > deadline)
        throw new DataDirInUseError(dataDir, holder);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(1).join(' ').slice(0, 500),
    started_at: new Date().toISOString(),
  };
  const write = () => writeFileSync(holderFile(dataDir), `${JSON.stringify(me)}\n`, { mode: 0o600 });
  write();
  return {
    setUrl(url) {
      me.url = url;
      write();
    },
    async release() {
      // The holder file first: a newcomer never reads our pid after the lock is gone.
      rmSync(holderFile(dataDir), { force: true });
      await release().catch(() => {});
    },
  };
}
