/** A seedable PRNG (mulberry32): every random draw in the engine goes through one of these. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal draw (Box-Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** Creates a deterministic generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    int: (n) => Math.floor(next() * n),
  };
}

/** Derives a per-series seed from the run seed and a key, so results do not depend on scheduling. */
export function deriveSeed(seed: number, key: string | number): number {
  // FNV-1a over the key, mixed with the seed: stable across workers and runs.
  let h = (2166136261 ^ (seed >>> 0)) >>> 0;
  const s = String(key);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}
