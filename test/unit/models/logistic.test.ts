import { describe, expect, it } from 'vitest';
import { allRows, type Dataset } from '../../../main/models/dataset';
import {
  coefficients,
  fitLogistic,
  fitLogisticCV,
  logisticContributions,
  logisticMargins,
  predictLogistic,
} from '../../../main/models/logistic';
import { auc } from '../../../main/models/metrics';
import { gaussian, rng } from '../../../main/models/random';
import { type PlantedModel, syntheticLogistic } from '../../../main/models/synthetic';

const PLANTED: PlantedModel = {
  intercept: 0.5,
  numeric: [
    { name: 'balance', beta: 0.8, mean: 0, sd: 1 },
    { name: 'tenure', beta: -0.5, mean: 3, sd: 2, missing: 0.2, missingBeta: 1 },
    { name: 'noise', beta: 0, mean: 5, sd: 3 },
  ],
  categorical: [
    { name: 'channel', levels: ['counter', 'mobile', 'atm'], freq: [0.5, 0.3, 0.2], effects: [0, 0.7, -0.6] },
  ],
};

const term = (terms: ReturnType<typeof coefficients>['terms'], name: string) =>
  terms.find((t) => t.term === name)!.value;

/** Unregularised logistic regression by Newton's method (IRLS), dense and direct, as a reference. */
function newton(x: number[][], y: number[]): number[] {
  const p = x[0]!.length + 1;
  const b = new Array(p).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array(p).fill(0);
    const H = Array.from({ length: p }, () => new Array(p).fill(0));
    x.forEach((row, i) => {
      const z = [1, ...row];
      const eta = z.reduce((a, v, j) => a + v * b[j], 0);
      const pr = 1 / (1 + Math.exp(-eta));
      for (let j = 0; j < p; j++) {
        g[j] += (pr - y[i]!) * z[j]!;
        for (let k = 0; k < p; k++) H[j]![k] += pr * (1 - pr) * z[j]! * z[k]!;
      }
    });
    // solve H d = g by Gaussian elimination
    const A = H.map((r, j) => [...r, g[j]]);
    for (let c = 0; c < p; c++) {
      let piv = c;
      for (let r = c + 1; r < p; r++) if (Math.abs(A[r]![c]) > Math.abs(A[piv]![c])) piv = r;
      [A[c], A[piv]] = [A[piv]!, A[c]!];
      for (let r = 0; r < p; r++) {
        if (r === c) continue;
        const f = A[r]![c] / A[c]![c];
        for (let k = c; k <= p; k++) A[r]![k] -= f * A[c]![k];
      }
    }
    for (let j = 0; j < p; j++) b[j] -= A[j]![p] / A[j]![j];
  }
  return b;
}

describe('logistic regression', () => {
  it('recovers the coefficients of the model the data were drawn from', () => {
    const data = syntheticLogistic(PLANTED, 40_000, 7);
    const m = fitLogistic(data, allRows(data.rows), { penalty: 'none' });
    const { intercept, terms } = coefficients(m);
    // standard errors here are about 0.015 (slopes) to 0.04 (levels, missing): allow three to four
    expect(Math.abs(term(terms, 'balance') - 0.8)).toBeLessThan(0.06);
    expect(Math.abs(term(terms, 'tenure') - -0.5)).toBeLessThan(0.04);
    expect(Math.abs(term(terms, 'noise'))).toBeLessThan(0.02);
    // a missing tenure sits at the mean (about 3): the indicator carries the planted +1 against -0.5 * mean
    expect(Math.abs(term(terms, 'tenure (missing)') + -0.5 * m.numeric[1]!.mean - 1)).toBeLessThan(0.15);
    // one-hot levels: identified up to a common shift, so compare differences (and the intercept with the base)
    const counter = term(terms, 'channel = counter');
    expect(Math.abs(term(terms, 'channel = mobile') - counter - 0.7)).toBeLessThan(0.1);
    expect(Math.abs(term(terms, 'channel = atm') - counter - -0.6)).toBeLessThan(0.1);
    expect(Math.abs(intercept + counter - 0.5)).toBeLessThan(0.15);
  });

  it('reaches the same optimum as Newton iterations (an independent solver) without a penalty', () => {
    const next = rng(3);
    const z = gaussian(next);
    const n = 3000;
    const x = Array.from({ length: n }, () => [z() * 2 + 1, z(), z() * 0.5 - 3]);
    const y = x.map((r) => (next() < 1 / (1 + Math.exp(-(0.3 + 0.9 * r[0]! - 1.2 * r[1]! + 0.4 * r[2]!))) ? 1 : 0));
    const data: Dataset = {
      rows: n,
      columns: ['a', 'b', 'c'].map((name, j) => ({
        kind: 'numeric' as const,
        name,
        values: Float32Array.from(x.map((r) => r[j]!)),
      })),
      target: Uint8Array.from(y),
    };
    const ref = newton(
      x.map((r) => r.map((v) => Math.fround(v))),
      y,
    );
    const { intercept, terms } = coefficients(fitLogistic(data, allRows(n), { penalty: 'none' }));
    expect(intercept).toBeCloseTo(ref[0]!, 4);
    for (const [j, t] of terms.entries()) expect(t.value).toBeCloseTo(ref[j + 1]!, 4);
  });

  it('L1 sets the coefficients of pure-noise columns to exactly zero; L2 only shrinks them', () => {
    const planted: PlantedModel = {
      intercept: 0,
      numeric: [
        { name: 'signal', beta: 1.5, mean: 0, sd: 1 },
        ...Array.from({ length: 8 }, (_, i) => ({ name: `noise${i}`, beta: 0, mean: 0, sd: 1 })),
      ],
      categorical: [],
    };
    const data = syntheticLogistic(planted, 2000, 11);
    const l1 = coefficients(fitLogistic(data, allRows(data.rows), { penalty: 'l1', lambda: 0.02 })).terms;
    const l2 = coefficients(fitLogistic(data, allRows(data.rows), { penalty: 'l2', lambda: 0.02 })).terms;
    expect(l1.filter((t) => t.term.startsWith('noise') && t.value === 0).length).toBeGreaterThanOrEqual(6);
    expect(Math.abs(term(l1, 'signal'))).toBeGreaterThan(0.8);
    expect(l2.filter((t) => t.term.startsWith('noise') && t.value === 0)).toHaveLength(0);
    const none = coefficients(fitLogistic(data, allRows(data.rows), { penalty: 'none' })).terms;
    expect(Math.abs(term(l2, 'signal'))).toBeLessThan(Math.abs(term(none, 'signal')));
  });

  it('pools rare levels into one, so a near-unique column carries no weight', () => {
    const base = syntheticLogistic(PLANTED, 5000, 2);
    const ids = Array.from({ length: base.rows }, (_, i) => `C${i}`);
    base.columns.push({
      kind: 'categorical',
      name: 'customer_no',
      codes: Int32Array.from(ids.map((_, i) => i)),
      levels: ids,
    });
    const m = fitLogistic(base, allRows(base.rows), { penalty: 'l2', lambda: 1e-3 });
    const spec = m.categorical.find((c) => c.name === 'customer_no')!;
    expect(spec.levels.kept).toEqual([]);
    expect(spec.levels.other).toBe(0);
  });

  it('chooses penalty and lambda by cross-validation: strong on few noisy rows, weak on many clean ones', () => {
    const noisy: PlantedModel = {
      intercept: 0,
      numeric: Array.from({ length: 20 }, (_, i) => ({ name: `x${i}`, beta: i === 0 ? 0.5 : 0, mean: 0, sd: 1 })),
      categorical: [],
    };
    const small = syntheticLogistic(noisy, 150, 4);
    const big = syntheticLogistic(PLANTED, 20_000, 4);
    const a = fitLogisticCV(small, allRows(small.rows));
    const b = fitLogisticCV(big, allRows(big.rows));
    expect(a.selection).toHaveLength(18);
    expect(a.model.lambda).toBeGreaterThan(b.model.lambda * 10);
    // the choice is the minimum of the reported cross-validated log loss
    const best = Math.min(...a.selection.map((s) => s.logLoss));
    expect(a.selection.find((s) => s.penalty === a.model.penalty && s.lambda === a.model.lambda)!.logLoss).toBe(best);
    const test = syntheticLogistic(PLANTED, 10_000, 99);
    // on many rows the chosen fit is as good out of sample as the unpenalised one (the true model's form)
    const chosen = auc(predictLogistic(b.model, test, allRows(test.rows)), test.target);
    const plain = auc(
      predictLogistic(fitLogistic(big, allRows(big.rows), { penalty: 'none' }), test, allRows(test.rows)),
      test.target,
    );
    expect(chosen).toBeGreaterThan(plain - 0.002);
    expect(chosen).toBeGreaterThan(0.8);
  });

  it("explains a row: each column's part against the average adds up to the row's log-odds", () => {
    const data = syntheticLogistic(PLANTED, 3000, 21);
    const m = fitLogistic(data, allRows(data.rows), { penalty: 'l2', lambda: 0.001 });
    const eta = logisticMargins(m, data, allRows(data.rows));
    for (const row of [0, 1, 2, 17, 999, 2999]) {
      const { offset, parts } = logisticContributions(m, data, row);
      expect(parts.map((p) => p.column)).toEqual(['balance', 'tenure', 'noise', 'channel']);
      expect(offset + parts.reduce((a, p) => a + p.value, 0)).toBeCloseTo(eta[row]!, 10);
    }
    // a high balance raises the score (planted +0.8 per unit)
    const bal = (data.columns[0] as { values: Float32Array }).values;
    const high = bal.findIndex((v) => v > 2);
    expect(logisticContributions(m, data, high).parts[0]!.value).toBeGreaterThan(1);
  });
});
