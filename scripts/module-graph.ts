/**
 * `npm run modules:graph`: the module graph of src/modules — which module imports which (any
 * import or export-from statement in a non-test file of `src/modules/<domain>/`, type-only ones
 * included) — and its cycles. Exits 1 when there is a cycle. test/module-graph.test.ts holds
 * the rule "no module-level cycle" (docs/architecture.md, the modules and who uses whom).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../src/modules');

/** module → the modules it imports, each with the files that import it (repository-relative). */
export type ModuleGraph = Map<string, Map<string, string[]>>;

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Reads every module's imports of other modules. */
export function moduleGraph(modulesDir = MODULES_DIR): ModuleGraph {
  const graph: ModuleGraph = new Map();
  const modules = readdirSync(modulesDir).filter((d) => statSync(join(modulesDir, d)).isDirectory());
  for (const from of modules.sort()) {
    const edges = new Map<string, string[]>();
    graph.set(from, edges);
    for (const file of sourceFiles(join(modulesDir, from))) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(IMPORT)) {
        if (!spec?.startsWith('.')) continue;
        const target = relative(modulesDir, resolve(dirname(file), spec));
        const to = target.split(sep)[0];
        if (!to || to === from || to.startsWith('..') || !modules.includes(to)) continue;
        const files = edges.get(to) ?? [];
        const rel = relative(resolve(modulesDir, '../..'), file);
        if (!files.includes(rel)) files.push(rel);
        edges.set(to, files);
      }
    }
  }
  return graph;
}

/** Every strongly connected group of two or more modules (Tarjan), each sorted by name. */
export function moduleCycles(graph: ModuleGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function main(): number {
  const graph = moduleGraph();
  for (const [from, edges] of graph) {
    const targets = [...edges.keys()].sort();
    console.log(`${from.padEnd(16)} → ${targets.length ? targets.join(', ') : '(none)'}`);
  }
  const cycles = moduleCycles(graph);
  if (cycles.length === 0) {
    console.log('\nno module-level cycle');
    return 0;
  }
  for (const group of cycles) {
    console.log(`\ncycle among ${group.join(', ')}:`);
    for (const from of group) {
      for (const [to, files] of graph.get(from) ?? []) {
        if (group.includes(to)) console.log(`  ${from} → ${to}: ${files.join(', ')}`);
      }
    }
  }
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
