import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bf-import-'));
// The embedded database of this test, whatever the environment says.
const bf = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/index.ts'), ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
    },
  });

describe('bf import-actuals', () => {
  const rows = Array.from(
    { length: 5_000 },
    (_, i) =>
      `2026-${String((i % 12) + 1).padStart(2, '0')};${4000 + (i % 9)};"1.000,${String(i % 100).padStart(2, '0')}"`,
  );
  const good = join(dir, 'ledger.csv');
  writeFileSync(good, `Monat;Konto;Betrag\n${rows.join('\n')}\n`);
  const mappingFile = join(dir, 'mapping.json');
  writeFileSync(
    mappingFile,
    JSON.stringify({
      columns: { period: 'Monat', gl_account: 'Konto', amount: 'Betrag' },
      decimal_separator: ',',
      default_currency: 'EUR',
    }),
  );

  it('imports a file with a progress bar on stderr and a summary on stdout; the same batch again replaces it', async () => {
    const first = await bf([
      'import-actuals',
      good,
      '--batch',
      'ledger-2026',
      '--mapping',
      mappingFile,
      '--tenant',
      'acme',
    ]);
    expect(first.stderr).toMatch(/importing .*100% \| \d+\/\d+ bytes/);
    expect(first.stdout).toContain('imported 5000 rows into batch "ledger-2026"');
    expect(first.stdout).toContain('periods: 2026-01 … 2026-12');
    expect(first.stdout).toContain('total EUR: 5002475.00');
    const again = await bf([
      'import-actuals',
      good,
      '--batch',
      'ledger-2026',
      '--mapping',
      mappingFile,
      '--tenant',
      'acme',
    ]);
    expect(again.stdout).toContain('imported 5000 rows into batch "ledger-2026"');
    expect(again.stdout).toContain('replacing 5000 rows');
  }, 60_000);

  it('a bad file stores nothing and exits 1, listing the bad rows by number', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'period,amount,currency\n2026-01,10.00,USD\n2026-13,10.00,USD\n2026-02,abc,USD\n');
    const err = await bf(['import-actuals', bad, '--tenant', 'acme']).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('Import rejected, nothing stored: 2 errors in 3 data rows');
    expect(err?.stderr).toContain('row 3: period "2026-13"');
    expect(err?.stderr).toContain('row 4: amount "abc"');
  }, 60_000);
});
