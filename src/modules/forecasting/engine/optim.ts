/** Nelder-Mead simplex minimisation (no derivatives), enough for the few smoothing parameters of ETS/Theta. */
export interface NelderMeadOptions {
  maxIter?: number;
  tol?: number;
  step?: number;
}

/** Minimises f from x0; returns the best point and its value. */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  opts: NelderMeadOptions = {},
): { x: number[]; fx: number } {
  const n = x0.length;
  const maxIter = opts.maxIter ?? 200 * n;
  const tol = opts.tol ?? 1e-8;
  const step = opts.step ?? 0.5;
  const simplex: number[][] = [[...x0]];
  for (let i = 0; i < n; i++) {
    const p = [...x0];
    p[i] = p[i]! + (p[i] === 0 ? step : step * Math.max(1, Math.abs(p[i]!)));
    simplex.push(p);
  }
  let fv = simplex.map((p) => f(p));
  for (let iter = 0; iter < maxIter; iter++) {
    const order = fv.map((_v, i) => i).sort((a, b) => fv[a]! - fv[b]!);
    const sorted = order.map((i) => simplex[i]!);
    fv = order.map((i) => fv[i]!);
    simplex.splice(0, simplex.length, ...sorted);
    const best = fv[0]!;
    const worst = fv[n]!;
    if (Math.abs(worst - best) <= tol * (Math.abs(best) + tol)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
    const towards = (t: number) => centroid.map((c, j) => c + t * (simplex[n]![j]! - c));
    const xr = towards(-1);
    const fr = f(xr);
    if (fr < best) {
      const xe = towards(-2);
      const fe = f(xe);
      if (fe < fr) [simplex[n], fv[n]] = [xe, fe];
      else [simplex[n], fv[n]] = [xr, fr];
    } else if (fr < fv[n - 1]!) {
      [simplex[n], fv[n]] = [xr, fr];
    } else {
      const xc = fr < worst ? towards(-0.5) : towards(0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, worst)) [simplex[n], fv[n]] = [xc, fc];
      else {
        // Shrink towards the best vertex.
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          fv[i] = f(simplex[i]!);
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if (fv[i]! < fv[bi]!) bi = i;
  return { x: simplex[bi]!, fx: fv[bi]! };
}
