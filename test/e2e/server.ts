/**
 * The black-box suite's server: the real `npm start` entry point (src/main.ts through tsx) as a
 * child process on a free port with a fresh DATA_DIR (and, on PostgreSQL, a fresh database and
 * its own Redis logical database and queue name), plus a small HTTP client over real sockets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { beforeEach } from 'vitest';

export const API = '/api/budgeting-forecasting';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where the server's code lives: this checkout, or E2E_SERVER_ROOT (another checkout, read only). */
const SERVER_ROOT = resolve(process.env.E2E_SERVER_ROOT ?? join(import.meta.dirname, '..', '..'));
// PGlite's WebAssembly start alone took 27 s on the 2-core machine under load (5 s idle).
const READY_TIMEOUT_MS = 180_000;
/** Timeout of the hooks that start a server (the config's 120 s hook timeout is too short under load). */
export const START_TIMEOUT_MS = READY_TIMEOUT_MS + 60_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LIMIT = 1024 * 1024;

export type E2eBackend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL (with Redis when REDIS_URL is set) too when DATABASE_URL is set. */
export function e2eBackends(): E2eBackend[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TokenOptions {
  user?: string;
  roles?: string[];
  permissions?: string[];
  ttl?: number;
  tenant?: string;
}

export interface RequestOptions {
  token?: string | undefined;
  /** A JSON body (sent with content-type application/json). */
  json?: unknown;
  /** A raw body, sent with `contentType`. */
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: responses are free-form JSON in tests
  json: any;
}

export interface E2eServer {
  backend: E2eBackend;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** ws://127.0.0.1:PORT */
  wsUrl: string;
  dataDir: string;
  /** The tenant this file works in (fresh per server, so files never share data). */
  tenant: string;
  secret: string;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** Signs an HS256 token the server accepts (admin of `tenant` by default). */
  token(options?: TokenOptions): Promise<string>;
  /** Calls `API + path` over HTTP. */
  call(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /** Sends `signal` (SIGKILL: a crash) and waits for the exit; leaves the database and DATA_DIR. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes (SIGSTOP) or resumes (SIGCONT) the process, so a test can look at a state that holds still. */
  pause(paused: boolean): void;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

/**
 * The port from a "listening" line: our own `listening on http://HOST:PORT`, or pino's JSON
 * `"msg":"Server listening at http://HOST:PORT"` (printed at LOG_LEVEL info and below).
 */
export function parseListeningPort(output: string): number | undefined {
  const m =
    /listening on https?:\/\/[^\s:"]+:(\d+)/i.exec(output) ??
    /Server listening at https?:\/\/[^\s:"]+:(\d+)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL!;
  const name = `bf_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** REDIS_URL with another logical database: the server has no key-prefix setting. */
function redisUrlWithDb(base: string, db: number): string {
  const url = new URL(base);
  url.pathname = `/${db}`;
  return url.toString();
}

const waitFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Launched {
  child: ChildProcess;
  port: number;
  ready: boolean;
  portInUse: boolean;
  failure: string;
  output(): string;
}

/** Spawns `npm start`'s entry point and waits until /health answers, the child exits, or the deadline. */
async function launch(env: Record<string, string>, requestedPort: number): Promise<Launched> {
  let port = requestedPort;
  let chunks = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (d: Buffer) => {
    chunks += d.toString();
    if (chunks.length > OUTPUT_LIMIT) chunks = chunks.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ready = false;
  while (!ready && !exited() && Date.now() < deadline) {
    const announced = parseListeningPort(chunks);
    if (port === 0 && announced) port = announced;
    if (port !== 0) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
        ready = res.status === 200;
      } catch {
        // not listening yet
      }
    }
    if (!ready) await waitFor(100);
  }
  let failure = '';
  if (!ready && !exited()) {
    child.kill('SIGKILL');
    failure = `server not ready after ${READY_TIMEOUT_MS} ms; its output:\n${chunks}`;
  } else if (!ready) {
    failure = `server exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready; its output:\n${chunks}`;
  }
  return { child, port, ready, portInUse: /EADDRINUSE/.test(chunks), failure, output: () => chunks };
}

export interface StartOptions {
  /** Extra settings for the child. */
  env?: Record<string, string>;
  /** Redis logical database of this file (1-15) on the postgres backend. */
  redisDb: number;
  /** 0: let the server choose and read the port from its listening line. */
  port?: number;
}

/** Starts the real server as a child process and waits until /health answers. */
export async function startServer(backend: E2eBackend, options: StartOptions): Promise<E2eServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bf-e2e-'));
  const secret = `e2e-${randomBytes(24).toString('hex')}`;
  const tenant = `e2e-${randomBytes(6).toString('hex')}`;
  const database = backend === 'postgres' ? await createPostgresDatabase() : undefined;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    JOB_RETRY_BASE_MS: '50',
    JOB_QUEUE_NAME: `bf-e2e-${randomBytes(4).toString('hex')}`,
    // The sample company costs every first start seconds of CPU: only sample.e2e.test.ts asks for it.
    SEED_SAMPLE: 'false',
    DATABASE_URL: database?.url ?? '',
    REDIS_URL:
      backend === 'postgres' && process.env.REDIS_URL
        ? redisUrlWithDb(process.env.REDIS_URL, options.redisDb)
        : '',
    ...options.env,
  };
  let launched: Launched | undefined;
  try {
    // A port found free may be taken before the child binds it: try again with another one.
    for (let attempt = 0; !launched; attempt++) {
      const port = options.port ?? (await freePort());
      const l = await launch(env, port);
      if (l.ready) launched = l;
      else if (!l.portInUse || options.port !== undefined || attempt === 2) throw new Error(l.failure);
    }
  } catch (error) {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { child: proc, port } = launched;
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  const chunks = () => launched.output();
  const baseUrl = `http://127.0.0.1:${port}`;

  const server: E2eServer = {
    backend,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    dataDir,
    tenant,
    secret,
    output: () => chunks(),
    token: (o = {}) =>
      new SignJWT({
        tenant_id: o.tenant ?? tenant,
        roles: o.roles ?? (o.permissions ? [] : ['admin']),
        permissions: o.permissions ?? [],
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(o.user ?? 'e2e-admin')
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (o.ttl ?? 900))
        .sign(new TextEncoder().encode(secret)),
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | Uint8Array | undefined;
      // A content-type only with a body: some routes refuse one on an empty body.
      if (o.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(o.json);
      } else if (o.body !== undefined) {
        headers['content-type'] = o.contentType ?? 'application/octet-stream';
        body = o.body;
      }
      const res = await fetch(`${baseUrl}${API}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString('utf8');
      let json: unknown;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) json = JSON.parse(text);
      return { status: res.status, headers: res.headers, text, bytes, json };
    },
    async kill(signal = 'SIGKILL') {
      if (exited()) return;
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      await gone;
    },
    pause(paused) {
      if (!exited()) proc.kill(paused ? 'SIGSTOP' : 'SIGCONT');
    },
    async stop() {
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      if (!exited()) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await gone;
        clearTimeout(timer);
      }
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Prints the server's output written during a failed test (and whether the server died). */
export function printOutputOnFailure(get: () => E2eServer | undefined): void {
  beforeEach(({ onTestFailed }) => {
    const from = get()?.output().length ?? 0;
    onTestFailed(() => {
      const s = get();
      if (!s) return;
      const out = s.output();
      const during = out.slice(Math.min(from, out.length));
      process.stderr.write(
        `\n--- server output (${s.backend}, ${s.baseUrl}) during the failed test ---\n${during.slice(-20_000) || '(nothing)'}\n--- end of server output ---\n`,
      );
    });
  });
}

/** The demo admin's credentials written by the server into DATA_DIR on PGlite. */
export function demoCredentials(dataDir: string): { tenant: string; email: string; password: string } {
  const text = readFileSync(join(dataDir, 'demo-credentials.txt'), 'utf8');
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  return { tenant: get('tenant'), email: get('email'), password: get('password') };
}

/** Polls `check` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms`);
    await waitFor(delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** Polls GET /jobs/:id until the job is completed or failed (calling `onPoll` each round); returns it. */
export async function waitForJob(
  s: E2eServer,
  token: string,
  jobId: string,
  timeoutMs = 60_000,
  onPoll?: () => Promise<void>,
  // biome-ignore lint/suspicious/noExplicitAny: job results are free-form JSON
): Promise<any> {
  return until(
    `job ${jobId}`,
    async () => {
      await onPoll?.();
      const res = await s.call('GET', `/jobs/${jobId}`, { token });
      if (res.status !== 200) throw new Error(`GET /jobs/${jobId}: ${res.status} ${res.text}`);
      return ['completed', 'failed'].includes(res.json.status) ? res.json : undefined;
    },
    timeoutMs,
  );
}

/** Creates a user over the users API and logs in with its password; returns its id and token. */
export async function createUserAndLogin(
  s: E2eServer,
  adminToken: string,
  roles: string[],
): Promise<{ userId: string; email: string; token: string }> {
  const email = `${roles.join('-')}-${randomBytes(4).toString('hex')}@e2e.test`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const created = await s.call('POST', '/users', { token: adminToken, json: { email, password, roles } });
  if (created.status !== 201) throw new Error(`POST /users: ${created.status} ${created.text}`);
  const login = await s.call('POST', '/auth/login', { json: { tenant: s.tenant, email, password } });
  if (login.status !== 200) throw new Error(`POST /auth/login: ${login.status} ${login.text}`);
  return { userId: created.json.user_id, email, token: login.json.access_token };
}
