/**
 * Regularised logistic regression.
 *
 * Features: numbers standardised (mean 0, sd 1 on the training rows; a missing value sits at the
 * mean and a missing-value indicator column is added when the training rows have any); text columns
 * one-hot with rare levels pooled (levels.ts) and a level for missing, the indicators standardised
 * too, so one penalty treats every column alike. The one-hot columns are never materialised: a
 * row's level picks its weight, and the standardisation's shift is one constant per column.
 *
 * Objective (glmnet's convention): mean log loss + lambda * (l1: |b|_1, l2: |b|^2 / 2), intercept
 * unpenalised; minimised by proximal Newton (newton.ts: the Hessian of a few dozen coefficients is
 * cheap, and it converges in about ten passes over the rows where OWL-QN took hundreds on correlated
 * features) up to NEWTON_MAX_PARAMS coefficients, by OWL-QN / L-BFGS (owlqn.ts) above that. The
 * penalty kind and lambda are chosen by
 * k-fold cross-validation on the training rows (mean held-out log loss over a path of lambdas from
 * the smallest that zeroes every L1 coefficient down by 10^4, warm-started), on a stratified sample of
 * at most `selectRows` (30,000) rows when the training set is larger; the model is then fitted on all of it.
 */
import { type Dataset, positives } from './dataset';
import { type PooledLevels, levelMap, poolLevels } from './levels';
import { sigmoid } from './metrics';
import { proximalNewton } from './newton';
import { owlqn } from './owlqn';
import { rng } from './random';

export type Penalty = 'l1' | 'l2' | 'none';

interface NumericSpec {
  name: string;
  mean: number;
  /** 0 when the column is constant on the training rows (it then carries no weight). */
  sd: number;
  /** Missing-value indicator's mean and sd, when the training rows have missing values. */
  missing: { mean: number; sd: number } | null;
}

interface CategoricalSpec {
  name: string;
  levels: PooledLevels;
  /** Compact code of the "missing" level, or -1. */
  missingCode: number;
  /** Per compact code: share of training rows and sd of the indicator. */
  mean: number[];
  sd: number[];
}

export interface LogisticModel {
  kind: 'logistic';
  penalty: Penalty;
  lambda: number;
  numeric: NumericSpec[];
  categorical: CategoricalSpec[];
  /** Coefficients on the standardised features: [intercept, numeric..., indicators..., levels...]. */
  theta: number[];
  iterations: number;
}

export interface LogisticOptions {
  penalty?: Penalty;
  lambda?: number;
  maxIterations?: number;
  /**
   * OWL-QN's stop (more than NEWTON_MAX_PARAMS coefficients): relative decrease of the objective below
   * this three times running (default 1e-9). Newton stops at its decrement (newton.ts) whatever this is.
   */
  tolerance?: number;
  minCount?: number;
  maxLevels?: number;
}

/** Training rows in the learner's compact form. */
interface Design {
  n: number;
  y: Uint8Array;
  /** Standardised numeric columns, then standardised indicators; missing -> 0. */
  dense: Float32Array[];
  /** Compact level codes per categorical column (-1: none of the kept levels). */
  cats: Int32Array[];
  catSize: number[];
}

function buildSpec(
  data: Dataset,
  rows: Uint32Array,
  opts: LogisticOptions,
): Pick<LogisticModel, 'numeric' | 'categorical'> {
  const numeric: NumericSpec[] = [];
  const categorical: CategoricalSpec[] = [];
  const n = rows.length;
  for (const col of data.columns) {
    if (col.kind === 'numeric') {
      let s = 0;
      let s2 = 0;
      let c = 0;
      const v = col.values;
      for (let k = 0; k < n; k++) {
        const x = v[rows[k]!]!;
        if (!Number.isNaN(x)) {
          s += x;
          c++;
        }
      }
      const mean = c ? s / c : 0;
      for (let k = 0; k < n; k++) {
        const x = v[rows[k]!]!;
        if (!Number.isNaN(x)) s2 += (x - mean) * (x - mean);
      }
      const sd = c > 1 ? Math.sqrt(s2 / c) : 0;
      const miss = n - c;
      const mm = miss / n;
      numeric.push({
        name: col.name,
        mean,
        sd: sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 0,
        missing: miss > 0 && miss < n ? { mean: mm, sd: Math.sqrt(mm * (1 - mm)) } : null,
      });
    } else {
      const levels = poolLevels(col, rows, { minCount: opts.minCount, maxLevels: opts.maxLevels });
      const map = levelMap(levels, col);
      const base = levels.kept.length + (levels.other >= 0 ? 1 : 0);
      const counts = new Float64Array(base + 1);
      let missing = 0;
      for (let k = 0; k < n; k++) {
        const c = col.codes[rows[k]!]!;
        if (c < 0) missing++;
        else {
          const m = map[c]!;
          if (m >= 0) counts[m]!++;
        }
      }
      const missingCode = missing > 0 ? base : -1;
      if (missing > 0) counts[base] = missing;
      const size = base + (missing > 0 ? 1 : 0);
      const mean: number[] = [];
      const sd: number[] = [];
      for (let l = 0; l < size; l++) {
        const m = counts[l]! / n;
        mean.push(m);
        sd.push(Math.sqrt(m * (1 - m)));
      }
      categorical.push({ name: col.name, levels, missingCode, mean, sd });
    }
  }
  return { numeric, categorical };
}

function columnByName(data: Dataset, name: string, kind: 'numeric' | 'categorical') {
  const col = data.columns.find((c) => c.name === name);
  if (!col || col.kind !== kind) throw new Error(`column ${name} (${kind}) is not in the data`);
  return col;
}

function denseCount(spec: Pick<LogisticModel, 'numeric'>): number {
  return spec.numeric.length + spec.numeric.filter((s) => s.missing).length;
}

function buildDesign(data: Dataset, rows: Uint32Array, spec: Pick<LogisticModel, 'numeric' | 'categorical'>): Design {
  const n = rows.length;
  const dense: Float32Array[] = [];
  const indicators: Float32Array[] = [];
  for (const s of spec.numeric) {
    const v = (columnByName(data, s.name, 'numeric') as { values: Float32Array }).values;
    const out = new Float32Array(n);
    const inv = s.sd > 0 ? 1 / s.sd : 0;
    for (let k = 0; k < n; k++) {
      const x = v[rows[k]!]!;
      out[k] = !Number.isNaN(x) ? (x - s.mean) * inv : 0;
    }
    dense.push(out);
    if (s.missing) {
      const ind = new Float32Array(n);
      const m = s.missing;
      const on = (1 - m.mean) / m.sd;
      const off = -m.mean / m.sd;
      for (let k = 0; k < n; k++) ind[k] = !Number.isNaN(v[rows[k]!]!) ? off : on;
      indicators.push(ind);
    }
  }
  const cats: Int32Array[] = [];
  const catSize: number[] = [];
  for (const s of spec.categorical) {
    const col = columnByName(data, s.name, 'categorical') as { codes: Int32Array; levels: string[] };
    const map = levelMap(s.levels, col as never);
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const c = col.codes[rows[k]!]!;
      out[k] = c < 0 ? s.missingCode : map[c]!;
    }
    cats.push(out);
    catSize.push(s.mean.length);
  }
  const y = new Uint8Array(n);
  for (let k = 0; k < n; k++) y[k] = data.target[rows[k]!]!;
  return { n, y, dense: [...dense, ...indicators], cats, catSize };
}

/** Mean log loss (+ the L2 part) and its gradient, over a design, for coefficients theta. */
function objective(
  d: Design,
  spec: Pick<LogisticModel, 'categorical'>,
  l2: number,
): (theta: Float64Array, grad: Float64Array) => number {
  const n = d.n;
  const eta = new Float64Array(n);
  const r = new Float64Array(n);
  const D = d.dense.length;
  return (theta, grad) => {
    eta.fill(theta[0]!);
    for (let j = 0; j < D; j++) {
      const w = theta[1 + j]!;
      if (w === 0) continue;
      const col = d.dense[j]!;
      for (let i = 0; i < n; i++) eta[i] = eta[i]! + w * col[i]!;
    }
    let off = 1 + D;
    for (let c = 0; c < d.cats.length; c++) {
      const s = spec.categorical[c]!;
      const size = d.catSize[c]!;
      const wl = new Float64Array(size);
      let shift = 0;
      for (let l = 0; l < size; l++) {
        const inv = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
        wl[l] = theta[off + l]! * inv;
        shift += theta[off + l]! * s.mean[l]! * inv;
      }
      const codes = d.cats[c]!;
      for (let i = 0; i < n; i++) {
        const code = codes[i]!;
        eta[i] = eta[i]! - shift + (code >= 0 ? wl[code]! : 0);
      }
      off += size;
    }
    let loss = 0;
    let rsum = 0;
    const y = d.y;
    for (let i = 0; i < n; i++) {
      const z = eta[i]!;
      // log(1 + e^z) - y z and the probability, stably, from one exponential
      const e = Math.exp(-Math.abs(z));
      const l = Math.log1p(e);
      loss += (z > 0 ? z + l : l) - (y[i] ? z : 0);
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const ri = p - y[i]!;
      r[i] = ri;
      rsum += ri;
    }
    grad[0] = rsum / n;
    for (let j = 0; j < D; j++) {
      const col = d.dense[j]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += r[i]! * col[i]!;
      grad[1 + j] = s / n;
    }
    off = 1 + D;
    for (let c = 0; c < d.cats.length; c++) {
      const s = spec.categorical[c]!;
      const size = d.catSize[c]!;
      const R = new Float64Array(size);
      const codes = d.cats[c]!;
      for (let i = 0; i < n; i++) {
        const code = codes[i]!;
        if (code >= 0) R[code] = R[code]! + r[i]!;
      }
      for (let l = 0; l < size; l++) {
        const inv = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
        grad[off + l] = ((R[l]! - s.mean[l]! * rsum) * inv) / n;
      }
      off += size;
    }
    let pen = 0;
    if (l2 > 0) {
      for (let j = 1; j < theta.length; j++) {
        pen += theta[j]! * theta[j]!;
        grad[j] = grad[j]! + l2 * theta[j]!;
      }
    }
    return loss / n + (l2 * pen) / 2;
  };
}

/** Rows per block of the Newton pass (a block's columns, p x BLOCK doubles, stay in the cache). */
const BLOCK = 512;
/**
 * Rows the Hessian is taken from, at most about (every k-th block of a larger set): the step then
 * comes from an estimate of the curvature, the gradient and the objective stay exact, so the optimum
 * is the same and the iterations converge a little slower (linearly, fast) than Newton's.
 */
const HESSIAN_ROWS = 50_000;

/**
 * The same objective as `objective` with its Hessian too, for the Newton solver: one pass over the
 * rows in blocks, each block's design (intercept, dense columns, the levels' standardised indicators)
 * laid out column by column in doubles, then the margins, the loss and its derivatives, the gradient
 * and the Hessian's lower triangle from it.
 */
function objectiveWithHessian(
  d: Design,
  spec: Pick<LogisticModel, 'categorical'>,
  l2: number,
): (theta: Float64Array, grad: Float64Array, hess: Float64Array) => number {
  const n = d.n;
  const P = paramCount(d);
  const D = d.dense.length;
  const B = Math.min(BLOCK, Math.max(1, n));
  // The Hessian from every stride-th block: about HESSIAN_ROWS rows (the gradient from all of them).
  const stride = Math.max(1, Math.floor(n / HESSIAN_ROWS));
  const xb = new Float64Array(P * B);
  const eta = new Float64Array(B);
  const res = new Float64Array(B);
  const w = new Float64Array(B);
  const wx = new Float64Array(B);
  // A level's standardised indicator: base when the row has another level, base + inv when it has this one.
  const catOff: number[] = [];
  const catInv: Float64Array[] = [];
  const base = new Float64Array(P);
  let off = 1 + D;
  for (let c = 0; c < d.cats.length; c++) {
    const s = spec.categorical[c]!;
    const size = d.catSize[c]!;
    const inv = new Float64Array(size);
    for (let l = 0; l < size; l++) {
      inv[l] = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
      base[off + l] = -s.mean[l]! * inv[l]!;
    }
    catOff.push(off);
    catInv.push(inv);
    off += size;
  }
  return (theta, grad, hess) => {
    grad.fill(0);
    hess.fill(0);
    let loss = 0;
    let block = 0;
    let hessRows = 0;
    const y = d.y;
    for (let i0 = 0; i0 < n; i0 += B) {
      const m = Math.min(B, n - i0);
      xb.fill(1, 0, m);
      for (let j = 0; j < D; j++) {
        const col = d.dense[j]!;
        const o = (1 + j) * B;
        for (let r = 0; r < m; r++) xb[o + r] = col[i0 + r]!;
      }
      for (let c = 0; c < d.cats.length; c++) {
        const o0 = catOff[c]!;
        const inv = catInv[c]!;
        for (let l = 0; l < inv.length; l++) xb.fill(base[o0 + l]!, (o0 + l) * B, (o0 + l) * B + m);
        const codes = d.cats[c]!;
        for (let r = 0; r < m; r++) {
          const code = codes[i0 + r]!;
          if (code >= 0) {
            const at = (o0 + code) * B + r;
            xb[at] = xb[at]! + inv[code]!;
          }
        }
      }
      eta.fill(0);
      for (let j = 0; j < P; j++) {
        const t = theta[j]!;
        if (t === 0) continue;
        const o = j * B;
        for (let r = 0; r < m; r++) eta[r] = eta[r]! + t * xb[o + r]!;
      }
      for (let r = 0; r < m; r++) {
        const z = eta[r]!;
        const e = Math.exp(-Math.abs(z));
        loss += (z > 0 ? z + Math.log1p(e) : Math.log1p(e)) - (y[i0 + r] ? z : 0);
        const q = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        res[r] = q - y[i0 + r]!;
        w[r] = q * (1 - q);
      }
      const withHessian = block++ % stride === 0;
      if (withHessian) hessRows += m;
      for (let j = 0; j < P; j++) {
        const o = j * B;
        let gs = 0;
        for (let r = 0; r < m; r++) gs += res[r]! * xb[o + r]!;
        grad[j] = grad[j]! + gs;
        if (!withHessian) continue;
        for (let r = 0; r < m; r++) wx[r] = w[r]! * xb[o + r]!;
        const hr = j * P;
        let k = 0;
        // four columns at a time: one load of wx[r] for four products
        for (; k + 3 <= j; k += 4) {
          const o0 = k * B;
          const o1 = o0 + B;
          const o2 = o1 + B;
          const o3 = o2 + B;
          let h0 = 0;
          let h1 = 0;
          let h2 = 0;
          let h3 = 0;
          for (let r = 0; r < m; r++) {
            const a = wx[r]!;
            h0 += a * xb[o0 + r]!;
            h1 += a * xb[o1 + r]!;
            h2 += a * xb[o2 + r]!;
            h3 += a * xb[o3 + r]!;
          }
          hess[hr + k] = hess[hr + k]! + h0;
          hess[hr + k + 1] = hess[hr + k + 1]! + h1;
          hess[hr + k + 2] = hess[hr + k + 2]! + h2;
          hess[hr + k + 3] = hess[hr + k + 3]! + h3;
        }
        for (; k <= j; k++) {
          const ok = k * B;
          let hs = 0;
          for (let r = 0; r < m; r++) hs += wx[r]! * xb[ok + r]!;
          hess[hr + k] = hess[hr + k]! + hs;
        }
      }
    }
    for (let j = 0; j < P; j++) {
      grad[j] = grad[j]! / n;
      for (let k = 0; k <= j; k++) hess[j * P + k] = hess[j * P + k]! / hessRows;
    }
    let pen = 0;
    if (l2 > 0) {
      for (let j = 1; j < P; j++) {
        pen += theta[j]! * theta[j]!;
        grad[j] = grad[j]! + l2 * theta[j]!;
        hess[j * P + j] = hess[j * P + j]! + l2;
      }
    }
    return loss / n + (l2 * pen) / 2;
  };
}

function paramCount(d: Design): number {
  return 1 + d.dense.length + d.catSize.reduce((a, b) => a + b, 0);
}

/** Up to this many coefficients the fits use Newton's method (the Hessian costs rows x p^2 / 2 a pass). */
const NEWTON_MAX_PARAMS = 128;

function fitDesign(
  d: Design,
  spec: Pick<LogisticModel, 'categorical'>,
  penalty: Penalty,
  lambda: number,
  start: Float64Array | null,
  maxIterations: number,
  tolerance = 1e-9,
): { theta: Float64Array; iterations: number } {
  const p = paramCount(d);
  let x0 = start;
  if (!x0) {
    x0 = new Float64Array(p);
    let pos = 0;
    for (let i = 0; i < d.n; i++) pos += d.y[i]!;
    const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / Math.max(1, d.n)));
    x0[0] = Math.log(rate / (1 - rate));
  }
  const l2 = penalty === 'l2' ? lambda : 0;
  let l1: Float64Array | null = null;
  if (penalty === 'l1' && lambda > 0) {
    l1 = new Float64Array(p).fill(lambda);
    l1[0] = 0;
  }
  const r =
    p <= NEWTON_MAX_PARAMS
      ? proximalNewton(objectiveWithHessian(d, spec, l2), x0, l1, { maxIterations })
      : owlqn(objective(d, spec, l2), x0, l1, { maxIterations, tolerance });
  return { theta: r.x, iterations: r.iterations };
}

/** The largest useful lambda: the smallest one at which every L1 coefficient is zero. */
function lambdaMax(d: Design, spec: Pick<LogisticModel, 'categorical'>): number {
  const p = paramCount(d);
  const theta = new Float64Array(p);
  let pos = 0;
  for (let i = 0; i < d.n; i++) pos += d.y[i]!;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / Math.max(1, d.n)));
  theta[0] = Math.log(rate / (1 - rate));
  const g = new Float64Array(p);
  objective(d, spec, 0)(theta, g);
  let m = 0;
  for (let j = 1; j < p; j++) m = Math.max(m, Math.abs(g[j]!));
  return m > 0 ? m : 1;
}

/** Fits with a given penalty and lambda on `rows` (no selection). */
export function fitLogistic(data: Dataset, rows: Uint32Array, opts: LogisticOptions = {}): LogisticModel {
  const spec = buildSpec(data, rows, opts);
  const d = buildDesign(data, rows, spec);
  const penalty = opts.penalty ?? 'l2';
  const lambda = penalty === 'none' ? 0 : (opts.lambda ?? 1e-4);
  const fit = fitDesign(d, spec, penalty, lambda, null, opts.maxIterations ?? 500, opts.tolerance);
  return { kind: 'logistic', penalty, lambda, ...spec, theta: [...fit.theta], iterations: fit.iterations };
}

/** A random sample of about `max` of `rows`, in order (all of them when there are no more). */
export function sampleRows(rows: Uint32Array, max: number, seed: number): Uint32Array {
  if (rows.length <= max) return rows;
  const next = rng(seed);
  const keep = max / rows.length;
  const out: number[] = [];
  for (let k = 0; k < rows.length; k++) if (next() < keep) out.push(rows[k]!);
  return Uint32Array.from(out);
}

/** Stratified fold numbers 0..k-1 for `rows` (positives and negatives dealt out in turn, shuffled). */
export function stratifiedFolds(target: Uint8Array, rows: Uint32Array, k: number, seed: number): Int32Array {
  const next = rng(seed);
  const fold = new Int32Array(rows.length);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < rows.length; i++) (target[rows[i]!] ? pos : neg).push(i);
  for (const group of [pos, neg]) {
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const t = group[i]!;
      group[i] = group[j]!;
      group[j] = t;
    }
    group.forEach((i, n) => {
      fold[i] = n % k;
    });
  }
  return fold;
}

export interface SelectionRow {
  penalty: Penalty;
  lambda: number;
  /** Mean held-out log loss over the inner folds. */
  logLoss: number;
}

export interface SelectOptions extends LogisticOptions {
  /** Penalties tried (default both). */
  penalties?: Penalty[];
  folds?: number;
  /** Lambdas on the path (default 9: lambda_max * 10^(-k/2), k = 0..8). */
  pathLength?: number;
  selectRows?: number;
  seed?: number;
}

export interface SelectedLogistic {
  model: LogisticModel;
  selection: SelectionRow[];
}

/** The penalty and lambda chosen, with the inner cross-validation's table. */
export interface LogisticChoice {
  penalty: Penalty;
  lambda: number;
  selection: SelectionRow[];
}

/**
 * Chooses the penalty and lambda by k-fold cross-validation on `rows` (or a sample of them), then
 * fits on all of `rows`.
 */
export function fitLogisticCV(data: Dataset, rows: Uint32Array, opts: SelectOptions = {}): SelectedLogistic {
  const choice = selectLogistic(data, rows, opts);
  const model = fitLogistic(data, rows, {
    ...opts,
    penalty: choice.penalty,
    lambda: choice.lambda,
    maxIterations: opts.maxIterations ?? 500,
  });
  return { model, selection: choice.selection };
}

/**
 * The selection part of fitLogisticCV alone: penalty and lambda chosen by k-fold cross-validation
 * (mean held-out log loss, warm starts along the lambda path) on `rows` or a sample of `selectRows`
 * of them. Only `rows` are read, so a caller that keeps its evaluation rows out of them gets figures
 * the choice never saw (nested cross-validation).
 */
export function selectLogistic(data: Dataset, rows: Uint32Array, opts: SelectOptions = {}): LogisticChoice {
  const seed = opts.seed ?? 1;
  const sample = sampleRows(rows, opts.selectRows ?? 30_000, seed);
  const k = opts.folds ?? (sample.length <= 20_000 ? 5 : 3);
  const penalties = opts.penalties ?? ['l2', 'l1'];
  const pathLength = opts.pathLength ?? 9;
  const maxIt = opts.maxIterations ?? 100;
  const sampleSpec = buildSpec(data, sample, opts);
  const lmax = lambdaMax(buildDesign(data, sample, sampleSpec), sampleSpec);
  const lambdas = Array.from({ length: pathLength }, (_, i) => lmax * 10 ** (-i / 2));
  const folds = stratifiedFolds(data.target, sample, k, seed + 1);
  const loss = penalties.map(() => new Float64Array(lambdas.length));
  for (let f = 0; f < k; f++) {
    const train = sample.filter((_, i) => folds[i] !== f);
    const test = sample.filter((_, i) => folds[i] === f);
    if (positives(data.target, train) === 0 || positives(data.target, train) === train.length) continue;
    const spec = buildSpec(data, train, opts);
    const d = buildDesign(data, train, spec);
    for (let pi = 0; pi < penalties.length; pi++) {
      let warm: Float64Array | null = null;
      for (let li = 0; li < lambdas.length; li++) {
        // the path's fits are compared at about 1e-4 in log loss: a looser stop is enough (OWL-QN; Newton
        // converges in a few steps from the warm start anyway)
        const fit = fitDesign(d, spec, penalties[pi]!, lambdas[li]!, warm, maxIt, 1e-7);
        warm = fit.theta;
        const model: LogisticModel = {
          kind: 'logistic',
          penalty: penalties[pi]!,
          lambda: lambdas[li]!,
          ...spec,
          theta: [...fit.theta],
          iterations: fit.iterations,
        };
        const p = predictLogistic(model, data, test);
        let s = 0;
        for (let i = 0; i < test.length; i++) {
          const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]!));
          s -= data.target[test[i]!] ? Math.log(q) : Math.log(1 - q);
        }
        loss[pi]![li]! += s;
      }
    }
  }
  const selection: SelectionRow[] = [];
  let best = { pi: 0, li: 0, v: Number.POSITIVE_INFINITY };
  for (let pi = 0; pi < penalties.length; pi++) {
    for (let li = 0; li < lambdas.length; li++) {
      const v = loss[pi]![li]! / sample.length;
      selection.push({ penalty: penalties[pi]!, lambda: lambdas[li]!, logLoss: v });
      if (v < best.v - 1e-12) best = { pi, li, v };
    }
  }
  return { penalty: penalties[best.pi]!, lambda: lambdas[best.li]!, selection };
}

/** Linear predictor (log-odds) for `rows` of `data`, straight from its columns (no copy). */
export function logisticMargins(model: LogisticModel, data: Dataset, rows: Uint32Array): Float64Array {
  const n = rows.length;
  const eta = new Float64Array(n).fill(model.theta[0]!);
  const nNum = model.numeric.length;
  let ind = 1 + nNum;
  model.numeric.forEach((s, j) => {
    const v = (columnByName(data, s.name, 'numeric') as { values: Float32Array }).values;
    const w = s.sd > 0 ? model.theta[1 + j]! / s.sd : 0;
    const shift = w * s.mean;
    let won = 0;
    let woff = 0;
    if (s.missing) {
      const b = model.theta[ind++]!;
      won = (b * (1 - s.missing.mean)) / s.missing.sd;
      woff = (-b * s.missing.mean) / s.missing.sd;
    }
    for (let k = 0; k < n; k++) {
      const x = v[rows[k]!]!;
      eta[k] = eta[k]! + (!Number.isNaN(x) ? w * x - shift + woff : won);
    }
  });
  let off = 1 + denseCount(model);
  for (const s of model.categorical) {
    const col = columnByName(data, s.name, 'categorical') as { codes: Int32Array; levels: string[] };
    const map = levelMap(s.levels, col as never);
    const size = s.mean.length;
    const wl = new Float64Array(size);
    let shift = 0;
    for (let l = 0; l < size; l++) {
      const inv = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
      wl[l] = model.theta[off + l]! * inv;
      shift += model.theta[off + l]! * s.mean[l]! * inv;
    }
    for (let k = 0; k < n; k++) {
      const c = col.codes[rows[k]!]!;
      const code = c < 0 ? s.missingCode : map[c]!;
      eta[k] = eta[k]! - shift + (code >= 0 ? wl[code]! : 0);
    }
    off += size;
  }
  return eta;
}

/**
 * Each column's part in a row's log-odds against the training rows' average: coefficient times the
 * standardised value (a number's, plus its missing indicator's; a category's levels together).
 * offset + the parts = the row's log-odds exactly; offset is the log-odds of a row at the average.
 */
export function logisticContributions(
  model: LogisticModel,
  data: Dataset,
  row: number,
): { offset: number; parts: { column: string; value: number }[] } {
  const parts: { column: string; value: number }[] = [];
  let ind = 1 + model.numeric.length;
  for (const [j, s] of model.numeric.entries()) {
    const v = (columnByName(data, s.name, 'numeric') as { values: Float32Array }).values[row]!;
    let c = !Number.isNaN(v) && s.sd > 0 ? (model.theta[1 + j]! * (v - s.mean)) / s.sd : 0;
    if (s.missing) {
      const b = model.theta[ind++]!;
      c += Number.isNaN(v) ? (b * (1 - s.missing.mean)) / s.missing.sd : (-b * s.missing.mean) / s.missing.sd;
    }
    parts.push({ column: s.name, value: c });
  }
  let off = 1 + denseCount(model);
  for (const s of model.categorical) {
    const col = columnByName(data, s.name, 'categorical') as { codes: Int32Array; levels: string[] };
    const raw = col.codes[row]!;
    const code = raw < 0 ? s.missingCode : levelMap(s.levels, col as never)[raw]!;
    let c = 0;
    for (let l = 0; l < s.mean.length; l++) {
      const inv = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
      c += model.theta[off + l]! * ((l === code ? 1 : 0) - s.mean[l]!) * inv;
    }
    parts.push({ column: s.name, value: c });
    off += s.mean.length;
  }
  return { offset: model.theta[0]!, parts };
}

export function predictLogistic(model: LogisticModel, data: Dataset, rows: Uint32Array): Float64Array {
  const eta = logisticMargins(model, data, rows);
  for (let k = 0; k < eta.length; k++) eta[k] = sigmoid(eta[k]!);
  return eta;
}

export interface Coefficient {
  /** Column name; for a level, `column = level`; for an indicator, `column (missing)`. */
  term: string;
  column: string;
  level?: string;
  missing?: boolean;
  /** Per unit of the original column (numbers) or for having the level (categories), log-odds. */
  value: number;
  /** On the standardised scale (what the penalty sees), for ranking. */
  standardised: number;
}

export const OTHER_LEVEL = '\u0000other';
export const MISSING_LEVEL = '\u0000missing';

/**
 * Coefficients in the columns' own units: a number's effect per unit, a level's effect of having it
 * (as against having none of the kept levels), an indicator's effect of the value being missing.
 */
export function coefficients(model: LogisticModel): { intercept: number; terms: Coefficient[] } {
  const terms: Coefficient[] = [];
  let intercept = model.theta[0]!;
  let ind = 1 + model.numeric.length;
  model.numeric.forEach((s, j) => {
    const b = model.theta[1 + j]!;
    const value = s.sd > 0 ? b / s.sd : 0;
    intercept -= value * s.mean;
    terms.push({ term: s.name, column: s.name, value, standardised: b });
    if (s.missing) {
      const bm = model.theta[ind++]!;
      intercept -= (bm * s.missing.mean) / s.missing.sd;
      terms.push({
        term: `${s.name} (missing)`,
        column: s.name,
        missing: true,
        value: bm / s.missing.sd,
        standardised: bm,
      });
    }
  });
  let off = 1 + denseCount(model);
  for (const s of model.categorical) {
    for (let l = 0; l < s.mean.length; l++) {
      const b = model.theta[off + l]!;
      const inv = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
      intercept -= b * s.mean[l]! * inv;
      const level = l < s.levels.kept.length ? s.levels.kept[l]! : l === s.levels.other ? OTHER_LEVEL : MISSING_LEVEL;
      terms.push({ term: `${s.name} = ${level}`, column: s.name, level, value: b * inv, standardised: b });
    }
    off += s.mean.length;
  }
  return { intercept, terms };
}
