/**
 * A PostgreSQL cluster of the test's own (Debian's PostgreSQL 15 binaries, a mkdtemp data
 * directory, a random port) that a fault test may crash and start again: never the machine's
 * shared server. As root, initdb and postgres run as the `postgres` system user (initdb refuses
 * root), through spawn's uid/gid so the child is postgres itself and its pid is ours to signal.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis-server.ts';

const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

interface RunAs {
  uid?: number;
  gid?: number;
}

/** The user to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Why a cluster of our own cannot be started here, or undefined when it can. */
export function pgClusterMissing(): string | undefined {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'postgres')))
    return `PostgreSQL binaries not found in ${BIN} (apt-get install postgresql-15, or set PG_BIN_DIR)`;
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root and there is no postgres user to run initdb as';
  return undefined;
}

export class TestPgCluster {
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly user: RunAs,
  ) {}

  /** initdb in a fresh directory, then start the server on a free port and wait until it answers. */
  static async start(): Promise<TestPgCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'bf-pg-'));
    const user = runAs();
    if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
    const data = join(dir, 'data');
    const r = spawnSync(
      join(BIN, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
      { ...user, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
    const cluster = new TestPgCluster(dir, await freePort(), user);
    await cluster.restart();
    return cluster;
  }

  /** postgres://postgres@127.0.0.1:PORT/db */
  url(db = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }

  /** What the server logged (for failure messages). */
  output(): string {
    return this.log;
  }

  /** Starts the server again on the same port and data, and waits until it accepts queries. */
  async restart(): Promise<void> {
    const child = spawn(
      join(BIN, 'postgres'),
      [
        '-D',
        join(this.dir, 'data'),
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${this.dir}`,
        '-c',
        'fsync=off',
        '-c',
        'max_connections=100',
      ],
      { ...this.user, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const append = (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-64 * 1024);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    // Never outlive the test process.
    process.once('exit', () => child.kill('SIGKILL'));
    await this.waitUntilAnswering();
  }

  /**
   * Stops the server. SIGQUIT by default: the immediate shutdown, which drops every client
   * connection at once without a checkpoint, as a crash does (SIGKILL of the postmaster alone
   * would leave its backends holding the shared memory, and no restart on the same data).
   */
  async stop(signal: NodeJS.Signals = 'SIGQUIT'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Creates a database on the cluster; returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const c = new pg.Client({ connectionString: this.url() });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilAnswering(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.query('select 1');
        return;
      } catch (error) {
        if (this.child?.exitCode !== null) throw new Error(`postgres exited before answering: ${this.log}`);
        if (Date.now() > deadline)
          throw new Error(`postgres on port ${this.port} did not answer: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        await c.end().catch(() => {});
      }
    }
  }
}
