/**
 * The module graph has no cycle (docs/architecture.md, the modules and who uses whom): no module
 * imports, through any chain of src/modules/<domain>/ files (type-only imports and zod schema
 * imports included), a module that imports it back. `npm run modules:graph` prints the graph.
 * So every module's index.ts (schemas included) loads first in a fresh process: none meets a
 * half-evaluated module of another (the ReferenceError a cycle of barrels gives).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MODULES_DIR, moduleCycles, moduleGraph } from '../scripts/module-graph.ts';

const scratch = mkdtempSync(join(tmpdir(), 'module-graph-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A modules folder with the given files (path → text). */
function fixture(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('module graph', () => {
  it('src/modules has no module-level import cycle', () => {
    const graph = moduleGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(graph.get('budgets')?.has('lines')).toBe(true);
    expect(moduleCycles(graph)).toEqual([]);
  });

  it('finds a cycle through type-only and schema imports, and ignores tests and outside files', () => {
    const dir = fixture('cyclic', {
      'a/a.service.ts': "import type { B } from '../b/index.ts';\nimport { x } from '../../platform/x.ts';\n",
      'b/b.schema.ts': "import { cSchema } from '../c/c.schema.ts';\n",
      'c/c.service.ts': "export { a } from '../a/index.ts';\n",
      'd/d.test.ts': "import { a } from '../a/index.ts';\n",
      'd/d.service.ts': "import { b } from '../b/index.ts';\n",
    });
    const graph = moduleGraph(dir);
    expect([...(graph.get('d')?.keys() ?? [])]).toEqual(['b']);
    expect(moduleCycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('reports no cycle for a graph without one', () => {
    const dir = fixture('acyclic', {
      'a/a.ts': "import { b } from '../b/index.ts';\n",
      'b/b.ts': "import { c } from '../c/index.ts';\n",
      'c/c.ts': 'export const c = 1;\n',
    });
    expect(moduleCycles(moduleGraph(dir))).toEqual([]);
  });
});

/** Imports one file as the first module of a fresh Node process (tsx); resolves to its stderr. */
async function loadAlone(file: string): Promise<string> {
  const code = `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  const run = promisify(execFile);
  const { stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    timeout: 300_000,
  });
  return stderr;
}

describe('barrels', () => {
  it('every module index.ts loads first in a fresh process', { timeout: 900_000 }, async () => {
    const indexes = readdirSync(MODULES_DIR)
      .map((m) => join(MODULES_DIR, m, 'index.ts'))
      .filter((f) => existsSync(f));
    expect(indexes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    const queue = [...indexes];
    // Two at a time: each is a Node start plus the module graph's transform.
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await loadAlone(file).catch((error: { stderr?: string }) => {
          failures.push(`${file}: ${(error.stderr ?? String(error)).split('\n').slice(0, 3).join(' ')}`);
        });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  });
});
