/**
 * Levenberg-Marquardt for nonlinear least squares with a forward-difference Jacobian. ETS fits
 * with all initial states free have 15-18 parameters: Nelder-Mead needs thousands of filter runs
 * there, LM converges in a few dozen Jacobians. A residual function may return null for an
 * inadmissible point (e.g. a negative multiplicative state): such a step is rejected.
 */
export interface LmOptions {
  maxIter?: number;
  /** Stop when the sum of squares decreases by less than this fraction. */
  tol?: number;
}

/** Sum of squares of a residual vector. */
function ss(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]! * r[i]!;
  return s;
}

/** Solves (A + lambda * diag(A)) d = b by Cholesky; null when not positive definite. */
function dampedSolve(A: Float64Array, b: Float64Array, p: number, lambda: number): Float64Array | null {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j]!;
      if (i === j) s += lambda * Math.max(A[i * p + i]!, 1e-12);
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * p + i] = Math.sqrt(s);
      } else L[i * p + j] = s / L[j * p + j]!;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * p + k]! * z[k]!;
    z[i] = s / L[i * p + i]!;
  }
  const d = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * d[k]!;
    d[i] = s / L[i * p + i]!;
  }
  return d;
}

/**
 * Minimises the sum of squared residuals from x0; returns the best point and its sum of squares.
 * `res` may return the same buffer on every call (no allocation per evaluation): what is kept is
 * copied here. The `x` passed to it must not be retained (it is modified in place for the
 * Jacobian).
 */
export function levenbergMarquardt(
  res: (x: number[]) => Float64Array | null,
  x0: readonly number[],
  opts: LmOptions = {},
): { x: number[]; fx: number } {
  const p = x0.length;
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-7;
  let x = [...x0];
  const r0 = res(x);
  if (!r0) return { x, fx: Number.POSITIVE_INFINITY };
  const r = Float64Array.from(r0);
  let f = ss(r);
  const n = r.length;
  let lambda = 1e-3;
  const J = new Float64Array(n * p);
  const A = new Float64Array(p * p);
  const g = new Float64Array(p);
  for (let iter = 0; iter < maxIter; iter++) {
    for (let i = 0; i < p; i++) {
      const xi0 = x[i]!;
      const step = 1e-6 * Math.max(1, Math.abs(xi0));
      x[i] = xi0 + step;
      let ri = res(x);
      let sgn = 1;
      if (!ri) {
        x[i] = xi0 - step;
        ri = res(x);
        sgn = -1;
      }
      x[i] = xi0;
      if (ri) {
        const c = sgn / step;
        for (let t = 0; t < n; t++) J[t * p + i] = c * (ri[t]! - r[t]!);
      } else for (let t = 0; t < n; t++) J[t * p + i] = 0;
    }
    A.fill(0);
    g.fill(0);
    for (let t = 0; t < n; t++) {
      const row = t * p;
      const rt = r[t]!;
      for (let i = 0; i < p; i++) {
        const ji = J[row + i]!;
        if (ji === 0) continue;
        g[i]! -= ji * rt;
        const ai = i * p;
        for (let j = 0; j <= i; j++) A[ai + j]! += ji * J[row + j]!;
      }
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) A[j * p + i] = A[i * p + j]!;
    let improved = false;
    while (lambda < 1e10) {
      const d = dampedSolve(A, g, p, lambda);
      if (d) {
        const xn = x.map((v, i) => v + d[i]!);
        const rn = res(xn);
        const fn = rn ? ss(rn) : Number.POSITIVE_INFINITY;
        if (rn && fn < f) {
          const rel = (f - fn) / Math.max(f, 1e-300);
          x = xn;
          r.set(rn);
          f = fn;
          lambda = Math.max(lambda / 4, 1e-9);
          improved = rel > tol;
          break;
        }
      }
      lambda *= 4;
    }
    if (!improved) break;
  }
  return { x, fx: f };
}
