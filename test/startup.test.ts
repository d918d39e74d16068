/**
 * Start-up as an operator meets it: the real entry point (`npm start`'s src/main.ts) as child
 * processes on random ports and fresh DATA_DIRs. One embedded database per DATA_DIR (an
 * exclusive lock; the second process names the first's pid), one line and exit code 2 for
 * configuration errors, the lock released on SIGTERM and taken over after a SIGKILL.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;
// Generous: a fresh PGlite and its migrations take a few seconds alone, much longer on a busy machine.
const START_TIMEOUT = 180_000;
const RUN_TIMEOUT = 120_000;
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
const API = '/api/budgeting-forecasting';

/** The environment of a child: embedded database, quiet logs, whatever this shell has set. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn', PORT: '0', ...env };
}

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts src/main.ts and resolves once it prints its `listening on <url>` line. */
function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^listening on (http:\/\/\S+)$/m.exec(out);
      if (m) resolve({ child, url: m[1]!, stdout: () => out, exited });
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
}

/** Runs src/main.ts (or the CLI) to its end; start-up failures are expected here. */
function runToEnd(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ...args],
      { cwd: root, env: childEnv(env) },
      (e, stdout, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const run = promisify(execFile);

describe('one embedded database per DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bf-startup-'));
  let first: Started;

  beforeAll(async () => {
    first = await startServer({ DATA_DIR: dataDir });
  }, START_TIMEOUT);

  it(
    "a second server on the same DATA_DIR exits 2 with one line naming the first one's pid; the first keeps serving",
    async () => {
      const second = await runToEnd(['src/main.ts'], { DATA_DIR: dataDir });
      expect(second.code).toBe(2);
      expect(second.stderr.trim().split('\n')).toEqual([
        `DATA_DIR ${dataDir} is in use by another process (pid ${first.child.pid}): stop it, or set DATA_DIR to another folder`,
      ]);
      expect(second.stdout).toBe('');
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
    },
    RUN_TIMEOUT,
  );

  it(
    'bf import-actuals goes through the running server, which sees the rows; bf token keeps working; bf migrate refuses',
    async () => {
      const file = join(dataDir, 'ledger.csv');
      writeFileSync(
        file,
        'period,gl_account,amount,currency\n2026-01,6000,10.50,USD\n2026-02,6000,20.25,USD\n',
      );
      const imported = await run(
        process.execPath,
        ['--import', 'tsx', 'src/cli/index.ts', 'import-actuals', file, '--tenant', 'acme', '--batch', 'b1'],
        { cwd: root, env: childEnv({ DATA_DIR: dataDir }) },
      );
      expect(imported.stderr).toContain(`importing through its API`);
      expect(imported.stdout).toContain('imported 2 rows into batch "b1"');
      const token = (
        await run(
          process.execPath,
          ['--import', 'tsx', 'src/cli/index.ts', 'token', '--tenant', 'acme', '--user', 'ops'],
          { cwd: root, env: childEnv({ DATA_DIR: dataDir }) },
        )
      ).stdout.trim();
      const batches = await fetch(`${first.url}${API}/actuals/batches`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(batches.status).toBe(200);
      expect(((await batches.json()) as { items: { batch_key: string; row_count: number }[] }).items).toEqual(
        [expect.objectContaining({ batch_key: 'b1', row_count: 2 })],
      );
      const migrate = await runToEnd(['src/cli/index.ts', 'migrate'], { DATA_DIR: dataDir });
      expect(migrate.code).toBe(2);
      expect(migrate.stderr.trim()).toBe(
        `bf: DATA_DIR ${dataDir} is in use by another process (pid ${first.child.pid}): stop it, or set DATA_DIR to another folder`,
      );
    },
    RUN_TIMEOUT,
  );

  it(
    'a port in use exits 2 with one line naming PORT, before any demo credentials are printed',
    async () => {
      const port = new URL(first.url).port;
      const other = await runToEnd(['src/main.ts'], {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-startup-')),
        PORT: port,
      });
      expect(other.code).toBe(2);
      expect(other.stderr.trim().split('\n')).toEqual([
        `port ${port} is already in use (PORT=${port}): stop the other process or set PORT`,
      ]);
      expect(other.stdout).not.toMatch(/password|demo/i);
    },
    RUN_TIMEOUT,
  );

  it(
    "SIGTERM releases the lock; a SIGKILLed holder's stale lock is taken over by the next start",
    async () => {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
      const again = await startServer({ DATA_DIR: dataDir });
      expect((await fetch(`${again.url}/health`)).status).toBe(200);
      again.child.kill('SIGKILL');
      await again.exited;
      expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(true);
      const third = await startServer({ DATA_DIR: dataDir });
      try {
        expect((await fetch(`${third.url}/health`)).status).toBe(200);
      } finally {
        third.child.kill('SIGTERM');
        await third.exited;
      }
    },
    3 * START_TIMEOUT,
  );
});

describe('configuration errors at start-up', () => {
  it(
    'an unreachable DATABASE_URL exits 2 with one line naming the variable (password masked), no stack',
    async () => {
      const r = await runToEnd(['src/main.ts'], {
        DATABASE_URL: 'postgres://nobody:s3cret-pw@127.0.0.1:1/x',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-startup-')),
      });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        'cannot connect to PostgreSQL at DATABASE_URL=postgres://nobody:***@127.0.0.1:1/x: connection refused',
      ]);
      expect(r.stdout).toBe('');
    },
    RUN_TIMEOUT,
  );
});
