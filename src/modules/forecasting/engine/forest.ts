/**
 * A compact random forest of CART regression trees. ml-random-forest works but took about a
 * second per fit on these small matrices (it sorts through ml-matrix objects); this one uses
 * plain arrays and presorted thresholds, and draws from our seeded PRNG.
 */
import type { Rng } from './prng.ts';

/** Hyperparameters with the guide's scikit-learn names. */
export interface ForestParams {
  n_estimators: number;
  max_depth: number;
  min_samples_leaf: number;
  max_features: number;
}

export const DEFAULT_FOREST: ForestParams = {
  n_estimators: 60,
  max_depth: 8,
  min_samples_leaf: 2,
  max_features: 0.5,
};

type Node = { leaf: number } | { f: number; thr: number; left: Node; right: Node };

function grow(X: number[][], z: number[], idx: number[], depth: number, p: ForestParams, rng: Rng): Node {
  const avg = idx.reduce((a, i) => a + z[i]!, 0) / idx.length;
  if (depth >= p.max_depth || idx.length < 2 * p.min_samples_leaf) return { leaf: avg };
  const nf = X[0]!.length;
  const k = Math.max(1, Math.round(p.max_features * nf));
  const feats = Array.from({ length: nf }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(nf - i);
    [feats[i], feats[j]] = [feats[j]!, feats[i]!];
  }
  let best = { gain: 1e-12, f: -1, thr: 0 };
  const total = idx.reduce((a, i) => a + z[i]!, 0);
  const n = idx.length;
  for (const f of feats.slice(0, k)) {
    const sorted = [...idx].sort((a, b) => X[a]![f]! - X[b]![f]!);
    let left = 0;
    for (let i = 0; i < n - 1; i++) {
      left += z[sorted[i]!]!;
      const nl = i + 1;
      if (nl < p.min_samples_leaf || n - nl < p.min_samples_leaf) continue;
      const a = X[sorted[i]!]![f]!;
      const b = X[sorted[i + 1]!]![f]!;
      if (a === b) continue;
      // Variance reduction up to a constant: sum^2/n on each side.
      const gain = (left * left) / nl + ((total - left) * (total - left)) / (n - nl) - (total * total) / n;
      // (a+b)/2 can round up to b for adjacent floats; `a` then still separates the two sides.
      const mid = (a + b) / 2;
      if (gain > best.gain) best = { gain, f, thr: mid < b ? mid : a };
    }
  }
  if (best.f < 0) return { leaf: avg };
  const li = idx.filter((i) => X[i]![best.f]! <= best.thr);
  const ri = idx.filter((i) => X[i]![best.f]! > best.thr);
  if (li.length === 0 || ri.length === 0) return { leaf: avg };
  return {
    f: best.f,
    thr: best.thr,
    left: grow(X, z, li, depth + 1, p, rng),
    right: grow(X, z, ri, depth + 1, p, rng),
  };
}

function predictTree(node: Node, x: readonly number[]): number {
  let cur = node;
  while (!('leaf' in cur)) cur = x[cur.f]! <= cur.thr ? cur.left : cur.right;
  return cur.leaf;
}

/** Fits a forest on bootstrap samples; returns its predictor. */
export function fitForest(
  X: number[][],
  z: number[],
  p: ForestParams,
  rng: Rng,
): (x: readonly number[]) => number {
  const n = z.length;
  const trees = Array.from({ length: p.n_estimators }, () => {
    const idx = Array.from({ length: n }, () => rng.int(n));
    return grow(X, z, idx, 0, p, rng);
  });
  return (x) => trees.reduce((a, t) => a + predictTree(t, x), 0) / trees.length;
}
