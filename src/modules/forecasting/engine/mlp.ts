/**
 * A small multilayer perceptron (one tanh hidden layer, Adam, full batch) written out by hand.
 * tfjs with its wasm backend needs an async backend start per thread and pays per-op overhead
 * that dominates on matrices of ~100 x 20; this is faster here, and deterministic for a seed.
 */
import type { Rng } from './prng.ts';

/** Hyperparameters with the guide's scikit-learn names. */
export interface MlpParams {
  hidden_layer_sizes: number;
  learning_rate_init: number;
  max_iter: number;
  alpha: number;
}

export const DEFAULT_MLP: MlpParams = {
  hidden_layer_sizes: 16,
  learning_rate_init: 0.01,
  max_iter: 400,
  alpha: 1e-4,
};

/** Fits the network on standardised inputs and targets; returns its predictor. */
export function fitMlp(X: number[][], z: number[], p: MlpParams, rng: Rng): (x: readonly number[]) => number {
  const n = X.length;
  const d = X[0]!.length;
  const H = p.hidden_layer_sizes;
  const mu = Array.from({ length: d }, (_, j) => X.reduce((a, r) => a + r[j]!, 0) / n);
  const sdv = Array.from(
    { length: d },
    (_, j) => Math.sqrt(X.reduce((a, r) => a + (r[j]! - mu[j]!) ** 2, 0) / n) || 1,
  );
  const zm = z.reduce((a, v) => a + v, 0) / n;
  const zs = Math.sqrt(z.reduce((a, v) => a + (v - zm) ** 2, 0) / n) || 1;
  const Xs = X.map((r) => r.map((v, j) => (v - mu[j]!) / sdv[j]!));
  const ys = z.map((v) => (v - zm) / zs);
  // Parameters in one flat array: W1 (H*d), b1 (H), w2 (H), b2 (1).
  const P = H * d + H + H + 1;
  const w = new Float64Array(P);
  const scale1 = Math.sqrt(1 / d);
  for (let i = 0; i < H * d; i++) w[i] = rng.normal() * scale1;
  for (let i = 0; i < H; i++) w[H * d + H + i] = rng.normal() * Math.sqrt(1 / H);
  const m1 = new Float64Array(P);
  const v1 = new Float64Array(P);
  const g = new Float64Array(P);
  const hid = new Float64Array(H);
  const b1 = H * d;
  const w2 = H * d + H;
  const b2 = P - 1;
  for (let it = 1; it <= p.max_iter; it++) {
    g.fill(0);
    for (let r = 0; r < n; r++) {
      const x = Xs[r]!;
      let out = w[b2]!;
      for (let k = 0; k < H; k++) {
        let s = w[b1 + k]!;
        for (let j = 0; j < d; j++) s += w[k * d + j]! * x[j]!;
        hid[k] = Math.tanh(s);
        out += w[w2 + k]! * hid[k]!;
      }
      const e = (2 * (out - ys[r]!)) / n;
      g[b2]! += e;
      for (let k = 0; k < H; k++) {
        g[w2 + k]! += e * hid[k]!;
        const gh = e * w[w2 + k]! * (1 - hid[k]! * hid[k]!);
        g[b1 + k]! += gh;
        for (let j = 0; j < d; j++) g[k * d + j]! += gh * x[j]!;
      }
    }
    const lr = p.learning_rate_init;
    const c1 = 1 - 0.9 ** it;
    const c2 = 1 - 0.999 ** it;
    for (let i = 0; i < P; i++) {
      const gi = g[i]! + p.alpha * w[i]!;
      m1[i] = 0.9 * m1[i]! + 0.1 * gi;
      v1[i] = 0.999 * v1[i]! + 0.001 * gi * gi;
      w[i] = w[i]! - (lr * (m1[i]! / c1)) / (Math.sqrt(v1[i]! / c2) + 1e-8);
    }
  }
  return (xr) => {
    let out = w[b2]!;
    for (let k = 0; k < H; k++) {
      let s = w[b1 + k]!;
      for (let j = 0; j < d; j++) s += (w[k * d + j]! * (xr[j]! - mu[j]!)) / sdv[j]!;
      out += w[w2 + k]! * Math.tanh(s);
    }
    return out * zs + zm;
  };
}
