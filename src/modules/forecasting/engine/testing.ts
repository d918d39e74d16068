/** Synthetic series for tests: known trend and seasonality plus seeded noise. */
import { createRng } from './prng.ts';

/** Options of a synthetic monthly series. */
export interface SyntheticOptions {
  n: number;
  level?: number;
  slope?: number;
  amplitude?: number;
  noise?: number;
  seed?: number;
}

/** level + slope*t + amplitude*sin(2*pi*t/12) + noise; `truth` is the noiseless curve for any t. */
export function synthetic(o: SyntheticOptions) {
  const { n, level = 100, slope = 0.5, amplitude = 10, noise = 1, seed = 1 } = o;
  const rng = createRng(seed);
  const truth = (t: number) => level + slope * t + amplitude * Math.sin((2 * Math.PI * t) / 12);
  const y = Array.from({ length: n }, (_, t) => truth(t) + noise * rng.normal());
  return { y, truth };
}
