import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type E2eServer, START_TIMEOUT_MS, startServer } from '../../../test/e2e/server.ts';

const root = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bf-dimensions-'));

/** Runs `bf` to its end: exit code, stdout, stderr (never throws on a non-zero exit). */
function bf(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/index.ts'), ...args],
      {
        cwd: root,
        // The embedded database of this test, whatever the environment says.
        env: {
          ...process.env,
          DATABASE_URL: '',
          REDIS_URL: '',
          DATA_DIR: join(dir, 'data'),
          LOG_LEVEL: 'silent',
          SEED_DEMO: 'false',
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('bf dimensions', () => {
  const tenant = ['--tenant', 'acme'];

  it('imports a CSV (a dry run first; a bad parent is refused by row, exit 1) and lists it flat and as a tree', async () => {
    const bad = await bf([
      'dimensions',
      'import',
      'department',
      file('bad.csv', 'code,name,parent_code\n310,Library,NOPE\n'),
      '--dry-run',
      ...tenant,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Import rejected, nothing stored: 1 error in 1 data rows');
    expect(bad.stderr).toContain('row 2: parent_code "NOPE" is not a member of this dimension');
    const csv = file(
      'departments.csv',
      'code,name,parent_code\n110,Roads,OPS\nOPS,Operations,CITY\nCITY,City,\n120,Parks,OPS\n',
    );
    const dry = await bf(['dimensions', 'import', 'department', csv, '--dry-run', ...tenant]);
    expect(dry.stdout).toBe(
      'dry run, nothing stored: department: 4 rows: 4 to create, 0 to update, 0 unchanged\n',
    );
    const done = await bf(['dimensions', 'import', 'department', csv, ...tenant]);
    expect(done.stdout).toBe('department: 4 rows: 4 created, 0 updated, 0 unchanged\n');
    const tree = await bf(['dimensions', 'list', 'department', '--tree', ...tenant]);
    expect(tree.stdout).toBe(
      [
        'CITY  City (1 child)',
        '└── OPS  Operations (2 children)',
        '    ├── 110  Roads',
        '    └── 120  Parks',
        '',
      ].join('\n'),
    );
    const flat = await bf(['dimensions', 'list', 'department', ...tenant]);
    expect(flat.stdout.split('\n')[0]).toMatch(/^code\s+name\s+parent\s+children$/);
    expect(flat.stdout).toMatch(/\n110\s+Roads\s+OPS\s+0\n/);
  }, 180_000);

  it('set creates, renames (keeping the parent) and refuses a cycle; delete asks for --cascade', async () => {
    const created = await bf([
      'dimensions',
      'set',
      'department',
      '130',
      '--name',
      'Water',
      '--parent',
      'OPS',
      ...tenant,
    ]);
    expect(created.stdout).toBe('created department 130 (Water) under OPS: CITY > OPS > 130\n');
    const renamed = await bf(['dimensions', 'set', 'department', '130', '--name', 'Water works', ...tenant]);
    expect(renamed.stdout).toBe('updated department 130 (Water works) under OPS: CITY > OPS > 130\n');
    const cycle = await bf(['dimensions', 'set', 'department', 'OPS', '--parent', '130', ...tenant]);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toBe('parent_code makes a cycle: OPS → 130 → OPS\n');
    const noName = await bf(['dimensions', 'set', 'gl_account', '4000', ...tenant]);
    expect(noName.code).toBe(1);
    expect(noName.stderr).toContain('gl_account 4000 does not exist yet: give --name to create it');
    const refused = await bf(['dimensions', 'delete', 'department', 'OPS', ...tenant]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'department member OPS has 3 child members (110, 120, 130): delete them first or use --cascade\n',
    );
    const cascaded = await bf(['dimensions', 'delete', 'department', 'OPS', '--cascade', ...tenant]);
    expect(cascaded.stdout).toBe('deleted 4 department members: 110, 120, 130, OPS\n');
    const unknown = await bf(['dimensions', 'list', 'region', ...tenant]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      "argument 'dimension'. Allowed choices are department, cost_center, gl_account, fund",
    );
  }, 180_000);

  describe('while a server holds the embedded database', () => {
    let server: E2eServer | undefined;
    afterAll(() => server?.stop());

    it(
      'goes through its API: the server answers the members at once',
      async () => {
        server = await startServer('pglite', { redisDb: 14 });
        const env = { DATA_DIR: server.dataDir, JWT_SECRET: server.secret };
        const who = ['--tenant', server.tenant];
        const gl = file(
          'gl.csv',
          'code;name;parent_code;account_type\n4000;Revenue;;revenue\n4100;Subscriptions;4000;revenue\n',
        );
        const imported = await bf(['dimensions', 'import', 'gl_account', gl, ...who], env);
        expect(imported.stderr).toContain('working through its API');
        expect(imported.stdout).toBe('gl_account: 2 rows: 2 created, 0 updated, 0 unchanged\n');
        const moved = await bf(['dimensions', 'set', 'gl_account', '4100', '--root', ...who], env);
        expect(moved.stdout).toBe('updated gl_account 4100 (Subscriptions) as a root: 4100\n');
        const typeMissing = await bf(
          ['dimensions', 'set', 'gl_account', '4200', '--name', 'Services', ...who],
          env,
        );
        expect(typeMissing.code).toBe(1);
        expect(typeMissing.stderr).toContain('account_type: account_type is required for gl_account members');
        const token = await server.token();
        const list = await server.call('GET', '/dimensions/gl_account/members', { token });
        expect(
          list.json.items.map((m: { code: string; parent_code: string | null }) => [m.code, m.parent_code]),
        ).toEqual([
          ['4000', null],
          ['4100', null],
        ]);
      },
      START_TIMEOUT_MS + 60_000,
    );
  });
});
