/**
 * L-BFGS, and its orthant-wise form OWL-QN (Andrew & Gao, "Scalable training of L1-regularized
 * log-linear models", ICML 2007) for an objective f(x) + sum_j l1[j] * |x[j]| with f smooth.
 * With every l1[j] = 0 it is plain L-BFGS with a backtracking (Armijo) line search.
 *
 * `f(x, grad)` returns f at x and writes its gradient into `grad`. The parameter vectors are small
 * (one entry per feature or level); the cost is in f, which the caller writes over typed arrays.
 */

export interface OwlqnOptions {
  maxIterations?: number;
  /** Stop when the objective's relative decrease over an iteration falls below this. */
  tolerance?: number;
  /** Stop when the largest pseudo-gradient entry falls below this. */
  gradientTolerance?: number;
  memory?: number;
}

export interface OwlqnResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** sum_j l1[j] * |x[j]| (0 without an L1 term); shared with the Newton solver (newton.ts). */
export function l1Penalty(l1: Float64Array | null, x: Float64Array): number {
  if (!l1) return 0;
  let s = 0;
  for (let j = 0; j < x.length; j++) s += l1[j]! * Math.abs(x[j]!);
  return s;
}

export function owlqn(
  f: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  l1: Float64Array | null,
  opts: OwlqnOptions = {},
): OwlqnResult {
  const maxIt = opts.maxIterations ?? 200;
  const tol = opts.tolerance ?? 1e-9;
  const gtol = opts.gradientTolerance ?? 1e-7;
  const m = opts.memory ?? 10;
  const p = x0.length;
  const hasL1 = l1?.some((v) => v > 0) ?? false;
  const penalty = (x: Float64Array): number => l1Penalty(hasL1 ? l1 : null, x);

  let x = Float64Array.from(x0);
  let g = new Float64Array(p);
  let fx = f(x, g) + penalty(x);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const R: number[] = [];
  const pg = new Float64Array(p);
  const d = new Float64Array(p);
  const alpha = new Float64Array(m);
  let converged = false;
  let it = 0;
  let slow = 0;

  for (; it < maxIt; it++) {
    // Pseudo-gradient: the steepest-descent direction of the non-smooth objective.
    let gmax = 0;
    for (let j = 0; j < p; j++) {
      const c = hasL1 ? l1![j]! : 0;
      let v = g[j]!;
      if (c > 0) {
        if (x[j]! > 0) v += c;
        else if (x[j]! < 0) v -= c;
        else if (v + c < 0) v += c;
        else if (v - c > 0) v -= c;
        else v = 0;
      }
      pg[j] = v;
      if (Math.abs(v) > gmax) gmax = Math.abs(v);
    }
    if (gmax < gtol) {
      converged = true;
      break;
    }
    // Two-loop recursion: d = -H * pg.
    d.set(pg);
    for (let i = S.length - 1; i >= 0; i--) {
      const a = R[i]! * dot(S[i]!, d);
      alpha[i] = a;
      const y = Y[i]!;
      for (let j = 0; j < p; j++) d[j] = d[j]! - a * y[j]!;
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let j = 0; j < p; j++) d[j] = d[j]! * gamma;
    }
    for (let i = 0; i < S.length; i++) {
      const b = R[i]! * dot(Y[i]!, d);
      const s = S[i]!;
      const a = alpha[i]!;
      for (let j = 0; j < p; j++) d[j] = d[j]! + s[j]! * (a - b);
    }
    for (let j = 0; j < p; j++) d[j] = -d[j]!;
    if (hasL1) for (let j = 0; j < p; j++) if (d[j]! * pg[j]! >= 0) d[j] = 0;
    if (dot(d, pg) >= 0) {
      // Not a descent direction (stale curvature): restart from steepest descent.
      for (let j = 0; j < p; j++) d[j] = -pg[j]!;
      S.length = 0;
      Y.length = 0;
      R.length = 0;
    }
    // Orthant of the step: the sign of x, or for x = 0 the sign the step should take.
    let t = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(pg, pg))) : 1;
    let xn = new Float64Array(p);
    const gn = new Float64Array(p);
    let fn = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let j = 0; j < p; j++) {
        let v = x[j]! + t * d[j]!;
        if (hasL1 && l1![j]! > 0) {
          const orth = x[j]! !== 0 ? Math.sign(x[j]!) : -Math.sign(pg[j]!);
          if (Math.sign(v) !== orth) v = 0;
        }
        xn[j] = v;
      }
      fn = f(xn, gn) + penalty(xn);
      let dec = 0;
      for (let j = 0; j < p; j++) dec += pg[j]! * (xn[j]! - x[j]!);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * dec) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      converged = true; // no further decrease is possible at machine precision
      break;
    }
    const s = new Float64Array(p);
    const y = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      s[j] = xn[j]! - x[j]!;
      y[j] = gn[j]! - g[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        R.shift();
      }
      S.push(s);
      Y.push(y);
      R.push(1 / sy);
    }
    const rel = (fx - fn) / Math.max(Math.abs(fx), Math.abs(fn), 1);
    x = xn;
    g = gn;
    fx = fn;
    xn = new Float64Array(0);
    if (rel < tol) {
      if (++slow >= 3) {
        converged = true;
        it++;
        break;
      }
    } else slow = 0;
  }
  return { x, value: fx, iterations: it, converged };
}
