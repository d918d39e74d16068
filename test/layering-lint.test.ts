/**
 * The layering and module-boundary rules are enforced by `npm run check` (Biome's
 * noRestrictedImports in biome.json, docs/architecture.md): deliberate violations, written into
 * a scratch copy of the tree layout with the project's own biome.json, fail the lint with the
 * rule's message, and the allowed imports pass. A scratch directory, not src/: other test files
 * read src/modules while this one runs.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

const scratch = mkdtempSync(join(tmpdir(), 'bf-layering-'));
copyFileSync(join(ROOT, 'biome.json'), join(scratch, 'biome.json'));

/** Lints one file written at `path` (relative to the scratch root); its exit code and output. */
async function lint(path: string, source: string): Promise<{ code: number; output: string }> {
  const file = join(scratch, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  try {
    const { stdout, stderr } = await run(BIOME, ['lint', '--vcs-enabled=false', path], { cwd: scratch });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('npm run check enforces the layering', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('refuses a module importing another module file other than its index.ts', async () => {
    const r = await lint(
      'src/modules/variance/probe.ts',
      "import { findBudget } from '../budgets/budgets.repository.ts';\n\nexport const x = findBudget;\n",
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('noRestrictedImports');
    expect(r.output).toContain("A module's public surface is its index.ts");
  });

  it('refuses the same deep import from a module subfolder', async () => {
    const r = await lint(
      'src/modules/forecasting/engine/probe.ts',
      "import { findBudget } from '../../budgets/budgets.repository.ts';\n\nexport const x = findBudget;\n",
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("A module's public surface is its index.ts");
  });

  it('accepts an import through the index.ts and of the module’s own files', async () => {
    const r = await lint(
      'src/modules/variance/probe-ok.ts',
      "import { mustFindBudget } from '../budgets/index.ts';\nimport { varianceRows } from './variance.repository.ts';\n\nexport const x = [mustFindBudget, varianceRows];\n",
    );
    expect(r.output).not.toContain('noRestrictedImports');
    expect(r.code, r.output).toBe(0);
  });

  it('refuses src/platform importing a module and src/shared importing the platform', async () => {
    const platform = await lint(
      'src/platform/probe.ts',
      "import { mustFindBudget } from '../modules/budgets/index.ts';\n\nexport const x = mustFindBudget;\n",
    );
    expect(platform.code).not.toBe(0);
    expect(platform.output).toContain('src/platform is the layer below the modules');
    const shared = await lint(
      'src/shared/probe.ts',
      "import { withTenant } from '../platform/tenancy/tenancy.ts';\n\nexport const x = withTenant;\n",
    );
    expect(shared.code).not.toBe(0);
    expect(shared.output).toContain('src/shared is the bottom layer');
  });
});
