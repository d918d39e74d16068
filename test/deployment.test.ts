/**
 * Deployment checks that run without a container engine (docs/deployment.md): the image's start
 * command outside a container, docker-compose.yml under `docker compose config`, the tenancy
 * through a real PgBouncer in transaction mode, and the Citus rule that tenant_id leads every
 * primary and foreign key.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../src/platform/db/client.ts';
import { tenantIdFromKey, withTenant } from '../src/platform/tenancy/tenancy.ts';
import { freePort, parseListeningPort } from './e2e/server.ts';
import { budgetBody, newTenant, startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/databases.ts';

const ROOT = join(import.meta.dirname, '..');
const CI = process.env.CI === 'true';

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('is multi-stage, runs as a non-root user, ships production dependencies only and checks /ready', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/COPY --from=build .*web\/dist/);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/ready/m);
  });

  describe.runIf(process.env.DATABASE_URL)('its CMD outside a container', () => {
    it('starts with NODE_ENV=production against PostgreSQL and answers /ready', async () => {
      const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
      const db = await createTestDatabase('postgres', 2);
      let child: ChildProcess | undefined;
      try {
        const port = await freePort();
        let out = '';
        child = spawn(cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1), {
          cwd: ROOT,
          env: {
            ...process.env,
            NODE_ENV: 'production',
            HOST: '127.0.0.1',
            PORT: String(port),
            DATABASE_URL: db.url!,
            REDIS_URL: '',
            DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-cmd-')),
            JWT_SECRET: 'docker-cmd-test-secret-0123456789abcdef',
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.on('data', (d: Buffer) => (out += d));
        child.stderr!.on('data', (d: Buffer) => (out += d));
        const status = await until(
          '/ready',
          async () => {
            if (child!.exitCode !== null) throw new Error(`exited ${child!.exitCode}: ${out}`);
            const p = parseListeningPort(out) ?? port;
            const res = await fetch(`http://127.0.0.1:${p}/ready`);
            return res.status === 200 ? res.status : undefined;
          },
          120_000,
        ).catch((e: Error) => {
          throw new Error(`${e.message}; output:\n${out}`);
        });
        expect(status).toBe(200);
      } finally {
        child?.kill('SIGTERM');
        if (child && child.exitCode === null) await new Promise((r) => child!.once('exit', r));
        await db.drop();
      }
    }, 180_000);
  });
});

// The docker client here has no compose plugin and no engine: this runs where `docker compose` does.
describe.runIf(has('docker', ['compose', 'version']))('docker-compose.yml', () => {
  it('is valid under `docker compose config`', () => {
    const out = execFileSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), 'config'], {
      env: { ...process.env, JWT_SECRET: 'compose-config-test-secret-0123456789' },
    }).toString();
    for (const s of ['app:', 'worker:', 'postgres:', 'redis:', 'rabbitmq:']) expect(out).toContain(s);
  });
});

const pgbouncer = '/usr/sbin/pgbouncer';
const hasPgbouncer = has('test', ['-x', pgbouncer]);
if (CI && process.env.DATABASE_URL && !hasPgbouncer)
  throw new Error('pgbouncer is missing (apt-get install -y pgbouncer; .ci/run installs it)');

describe.runIf(process.env.DATABASE_URL && hasPgbouncer)('through PgBouncer in transaction mode', () => {
  it('keeps tenants apart: SET LOCAL role and tenant never leak between transactions sharing a server connection', async () => {
    const direct = await createTestDatabase('postgres', 2);
    const dir = mkdtempSync(join(tmpdir(), 'bf-pgbouncer-'));
    // Writable by nobody (PgBouncer drops to it when the tests run as root): its log and pid file.
    chmodSync(dir, 0o777);
    const port = await freePort();
    const upstream = new URL(process.env.DATABASE_URL!);
    const dbName = new URL(direct.url!).pathname.slice(1);
    writeFileSync(join(dir, 'users.txt'), `"${upstream.username || 'postgres'}" ""\n`, { mode: 0o644 });
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${dbName} = host=127.0.0.1 port=${upstream.port || 5432} dbname=${dbName}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(dir, 'users.txt')}`,
        'pool_mode = transaction',
        // Two server connections for many clients: transactions of both tenants share them.
        'default_pool_size = 2',
        'max_client_conn = 200',
        'ignore_startup_parameters = extra_float_digits,options',
        `logfile = ${join(dir, 'pgbouncer.log')}`,
        `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      ].join('\n'),
      { mode: 0o644 },
    );
    // PgBouncer refuses to run as root: drop to nobody when we are root.
    const args = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), join(dir, 'pgbouncer.ini')];
    const bouncer = spawn(pgbouncer, args, { stdio: 'ignore' });
    const url = `postgres://${upstream.username || 'postgres'}@127.0.0.1:${port}/${dbName}`;
    try {
      const database = await until(
        'PgBouncer',
        () => openDatabase({ databaseUrl: url, poolSize: 12 }),
        15_000,
      );
      const t = await startTestApp('postgres', {}, { database, url, drop: async () => {} });
      try {
        const tenants = [newTenant(), newTenant()];
        const tokens = await Promise.all(tenants.map((k) => t.token(k)));
        const counts = [3, 5];
        for (const [i, n] of counts.entries())
          for (let j = 0; j < n; j++)
            expect((await t.call('POST', '/budgets', tokens[i], budgetBody())).statusCode).toBe(201);
        // 40 interleaved transactions of both tenants over 2 server connections.
        const seen = await Promise.all(
          Array.from({ length: 40 }, (_, k) => {
            const i = k % 2;
            const tid = tenantIdFromKey(tenants[i]!);
            return withTenant(database.db, tid, async (tx) => {
              await tx.execute(sql`SELECT pg_sleep(0.005)`);
              const [row] = await queryRows<{ tenant: string; role: string; n: number }>(
                tx,
                sql`SELECT current_setting('app.tenant_id') AS tenant, current_user AS role,
                             (SELECT count(*)::int FROM budgets) AS n`,
              );
              return { expected: { tenant: tid, role: 'bf_app', n: counts[i] }, row };
            });
          }),
        );
        for (const s of seen) expect(s.row).toEqual(s.expected);
        // Outside a transaction, on the same server connections: no tenant, the owner role.
        const after = await Promise.all(
          Array.from({ length: 10 }, () =>
            queryRows<{ tenant: string | null; role: string }>(
              database.db,
              sql`SELECT nullif(current_setting('app.tenant_id', true), '') AS tenant, current_user AS role`,
            ),
          ),
        );
        for (const [row] of after)
          expect(row).toEqual({ tenant: null, role: upstream.username || 'postgres' });
        // And through the API: each tenant lists only its own budgets.
        for (const [i, n] of counts.entries())
          expect((await t.call('GET', '/budgets', tokens[i])).json().items).toHaveLength(n);
      } finally {
        await t.close();
      }
    } finally {
      bouncer.kill('SIGTERM');
      await direct.drop();
    }
  }, 180_000);
});

describe('Citus readiness: tenant_id leads every primary and foreign key', () => {
  it('holds for every table with a tenant_id (tenants is distributed by its id, the tenant id itself)', async () => {
    const db = await createTestDatabase('pglite');
    try {
      const rows = await queryRows<{ table: string; constraint: string; first: string }>(
        db.database.db,
        sql`SELECT c.relname AS table, con.conname AS constraint,
                   (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = con.conkey[1]) AS first
              FROM pg_constraint con
              JOIN pg_class c ON c.oid = con.conrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND con.contype IN ('p', 'f')`,
      );
      const offenders = rows.filter((r) => r.first !== 'tenant_id').map((r) => `${r.table}.${r.constraint}`);
      expect(offenders).toEqual(['tenants.tenants_pkey']);
      // Every table but tenants has tenant_id.
      const without = await queryRows<{ table: string }>(
        db.database.db,
        sql`SELECT t.table_name AS table FROM information_schema.tables t
             WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                                WHERE c.table_schema = 'public' AND c.table_name = t.table_name
                                  AND c.column_name = 'tenant_id')`,
      );
      expect(without.map((r) => r.table)).toEqual(['tenants']);
    } finally {
      await db.drop();
    }
  });
});
