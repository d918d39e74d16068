/** Benchmarks: naive, seasonal naive and M4's Naive2. */
import { isSeasonal, seasonalFigure } from './stats.ts';

/** Seasonal naive: the value one season earlier (plain naive when the history is shorter). */
export function seasonalNaive(y: readonly number[], h: number, m: number): number[] {
  const n = y.length;
  const lag = n >= m ? m : 1;
  return Array.from({ length: h }, (_, i) => y[n - lag + (i % lag)]!);
}

/** M4's Naive2: naive on the multiplicatively deseasonalised series when seasonality is significant. */
export function naive2(y: readonly number[], h: number, m: number): number[] {
  const n = y.length;
  if (m > 1 && isSeasonal(y, m)) {
    const fig = seasonalFigure(y, m, true);
    if (fig) {
      const last = y[n - 1]! / fig[(n - 1) % m]!;
      return Array.from({ length: h }, (_, i) => last * fig[(n + i) % m]!);
    }
  }
  return new Array<number>(h).fill(y[n - 1]!);
}
