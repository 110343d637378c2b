import { describe, expect, it } from 'vitest';
import { allRows, type Dataset } from '../../../main/models/dataset';
import { fitLogistic, type LogisticModel, predictLogistic } from '../../../main/models/logistic';
import { proximalNewton } from '../../../main/models/newton';
import { gaussian, rng } from '../../../main/models/random';

/**
 * Correlated columns (what made OWL-QN crawl on the lab's features: balances and their trends move
 * together) and a categorical one, drawn from a known logistic model.
 */
function correlated(n: number, seed: number): Dataset {
  const next = rng(seed);
  const z = gaussian(next);
  const cols = Array.from({ length: 5 }, () => new Float32Array(n));
  const codes = new Int32Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = z();
    const b = z();
    cols[0]![i] = a;
    cols[1]![i] = a + 0.05 * z(); // nearly the same as the first
    cols[2]![i] = 0.7 * a + 0.7 * b;
    cols[3]![i] = b * 3 + 10;
    cols[4]![i] = i % 9 === 0 ? Number.NaN : z(); // noise, sometimes missing
    const u = next();
    codes[i] = u < 0.6 ? 0 : u < 0.9 ? 1 : u < 0.98 ? 2 : -1;
    const eta = -1.2 + 0.8 * a + 0.4 * cols[1]![i]! - 0.5 * b + (codes[i] === 1 ? 0.6 : codes[i] === 2 ? -0.4 : 0);
    y[i] = next() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return {
    rows: n,
    columns: [
      ...cols.map((values, j) => ({ kind: 'numeric' as const, name: `x${j}`, values })),
      { kind: 'categorical' as const, name: 'channel', codes, levels: ['counter', 'mobile', 'atm'] },
    ],
    target: y,
  };
}

/**
 * The mean log loss's gradient on the standardised scale the penalty sees, computed directly from the
 * model's probabilities and its standardisation (independent of the solver): [intercept, numbers,
 * missing indicators, levels], as the model's theta.
 */
function gradient(m: LogisticModel, d: Dataset): number[] {
  const p = predictLogistic(m, d, allRows(d.rows));
  const g: number[] = [];
  const n = d.rows;
  const dot = (x: (i: number) => number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (p[i]! - d.target[i]!) * x(i);
    return s / n;
  };
  g.push(dot(() => 1));
  const ind: number[] = [];
  for (const s of m.numeric) {
    const v = (d.columns.find((c) => c.name === s.name) as { values: Float32Array }).values;
    g.push(s.sd > 0 ? dot((i) => (Number.isNaN(v[i]!) ? 0 : (v[i]! - s.mean) / s.sd)) : 0);
    if (s.missing) {
      const mm = s.missing;
      ind.push(dot((i) => ((Number.isNaN(v[i]!) ? 1 : 0) - mm.mean) / mm.sd));
    }
  }
  g.push(...ind);
  for (const s of m.categorical) {
    const codes = (d.columns.find((c) => c.name === s.name) as { codes: Int32Array }).codes;
    for (let l = 0; l < s.mean.length; l++) {
      const code = (i: number) => (codes[i]! < 0 ? s.missingCode : codes[i]!);
      g.push(s.sd[l]! > 0 ? dot((i) => ((code(i) === l ? 1 : 0) - s.mean[l]!) / s.sd[l]!) : 0);
    }
  }
  return g;
}

describe('proximal Newton', () => {
  it('solves a lasso on a quadratic exactly: the soft-thresholded point', () => {
    const c = Float64Array.from([3, -0.2, 0.5, -2, 0.05]);
    const f = (x: Float64Array, g: Float64Array, h: Float64Array) => {
      let v = 0;
      h.fill(0);
      for (let j = 0; j < c.length; j++) {
        v += 0.5 * (x[j]! - c[j]!) ** 2;
        g[j] = x[j]! - c[j]!;
        h[j * c.length + j] = 1;
      }
      return v;
    };
    const r = proximalNewton(f, new Float64Array(c.length), new Float64Array(c.length).fill(0.3));
    expect(r.converged).toBe(true);
    // (to 1e-10: the solves add a ridge of 1e-12 of the Hessian's diagonal)
    for (const [j, v] of [2.7, 0, 0.2, -1.7, 0].entries()) expect(r.x[j]).toBeCloseTo(v, 10);
    for (const j of [1, 4]) expect(r.x[j]).toBe(0);
  });

  it('fits satisfy the optimality conditions on correlated columns (L1 and L2, Hessian from a sample of the rows)', () => {
    // 120,000 rows: more than twice the rows the Hessian is taken from, so the steps use an estimate
    const d = correlated(120_000, 5);
    for (const [penalty, lambda] of [
      ['l1', 1e-4],
      ['l1', 3e-3],
      ['l2', 1e-4],
    ] as const) {
      const m = fitLogistic(d, allRows(d.rows), { penalty, lambda });
      const g = gradient(m, d);
      expect(g).toHaveLength(m.theta.length);
      expect(Math.abs(g[0]!)).toBeLessThan(1e-7); // intercept: unpenalised
      let zeros = 0;
      for (let j = 1; j < g.length; j++) {
        const b = m.theta[j]!;
        if (penalty === 'l2') expect(Math.abs(g[j]! + lambda * b)).toBeLessThan(1e-7);
        else if (b !== 0) expect(Math.abs(g[j]! + lambda * Math.sign(b))).toBeLessThan(1e-7);
        else {
          zeros++;
          expect(Math.abs(g[j]!)).toBeLessThanOrEqual(lambda + 1e-7);
        }
      }
      // the stronger L1 zeroes the noise column at least; the converged fits take few passes
      if (penalty === 'l1' && lambda > 1e-3) expect(zeros).toBeGreaterThanOrEqual(1);
      expect(m.iterations).toBeLessThan(40);
    }
  });
});
