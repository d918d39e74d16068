/** The `bf` operator commands, run as a user would run them. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SECRET = 'cli-test-secret-cli-test-secret-0123456789';
const bf = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...env },
  });

describe('bf CLI', () => {
  it('bf token prints a token the service accepts, with the asked tenant, user, roles and permissions', async () => {
    const { stdout } = await bf(
      ['token', '--tenant', 'acme', '--user', 'u-42', '--roles', 'viewer', '--permissions', 'audit:read'],
      {
        JWT_SECRET: SECRET,
      },
    );
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode(SECRET));
    expect(payload).toMatchObject({
      sub: 'u-42',
      tenant_id: 'acme',
      roles: ['viewer'],
      permissions: ['audit:read'],
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('bf token refuses an unknown role or permission with a message naming it', async () => {
    await expect(
      bf(['token', '--tenant', 'a', '--user', 'u', '--roles', 'wizard'], { JWT_SECRET: SECRET }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown role "wizard"'),
    });
    await expect(
      bf(['token', '--tenant', 'a', '--user', 'u', '--permissions', 'budgets:fly'], { JWT_SECRET: SECRET }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown permission "budgets:fly"'),
    });
  });

  it('a bad setting stops the command with a message naming the variable', async () => {
    await expect(
      bf(['token', '--tenant', 'a', '--user', 'u'], { JWT_SECRET: 'short' }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('JWT_SECRET: must be at least 32 characters'),
    });
  });

  it('bf migrate applies the migrations to the embedded database, and again is a no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bf-cli-'));
    const first = await bf(['migrate'], { DATA_DIR: dir });
    expect(first.stdout).toContain(join(dir, 'pglite'));
    const again = await bf(['migrate'], { DATA_DIR: dir });
    expect(again.stdout).toContain('migrations applied');
  });
});
