import { describe, expect, it } from 'vitest';
import { auc, brier, calibrationTable, groupTable, logLoss } from '../../../main/models/metrics';
import { rng } from '../../../main/models/random';

/** The definition: share of (positive, negative) pairs ranked right, ties one half. */
function pairwiseAuc(s: number[], y: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < s.length; i++)
    for (let j = 0; j < s.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        den++;
        num += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return num / den;
}

describe('AUC', () => {
  it("matches scikit-learn's documented example", () => {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('equals the pairwise definition on random scores with many ties', () => {
    const next = rng(5);
    for (let rep = 0; rep < 20; rep++) {
      const n = 50 + rep * 7;
      const y = Array.from({ length: n }, () => (next() < 0.3 ? 1 : 0));
      const s = y.map((v) => Math.round((next() + v * 0.4) * 8) / 8); // coarse: ties everywhere
      if (!y.includes(1) || !y.includes(0)) continue;
      expect(auc(s, y)).toBeCloseTo(pairwiseAuc(s, y), 12);
    }
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for a constant, NaN with one class', () => {
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(auc([7, 7, 7, 7], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([1, 2], [1, 1])).toBeNaN();
  });
});

describe('ten-group table', () => {
  it('ranks by score, splits into ten groups whose counts sum to the rows, with rates and lifts', () => {
    const next = rng(9);
    const n = 1003;
    const s = Array.from({ length: n }, () => next());
    const y: number[] = s.map((v) => (next() < v ? 1 : 0));
    const g = groupTable(s, y, 10);
    expect(g).toHaveLength(10);
    expect(g.reduce((a, r) => a + r.customers, 0)).toBe(n);
    expect(g.map((r) => r.customers)).toEqual([101, 101, 101, 100, 100, 100, 100, 100, 100, 100]);
    const total = y.reduce((a: number, b) => a + b, 0);
    expect(g.reduce((a, r) => a + r.positives, 0)).toBe(total);
    // group 1 holds the 101 highest scores
    const top = [...s].sort((a, b) => b - a).slice(0, 101);
    expect(g[0]!.minScore).toBe(top[100]);
    for (const r of g) {
      expect(r.rate).toBeCloseTo(r.positives / r.customers, 12);
      expect(r.lift).toBeCloseTo(r.rate / (total / n), 12);
    }
    expect(g[9]!.cumulativeCapture).toBeCloseTo(1, 12);
    expect(g[0]!.rate).toBeGreaterThan(g[9]!.rate);
  });
});

describe('calibration, log loss, Brier', () => {
  it('bins by predicted probability and compares with the actual rate', () => {
    const c = calibrationTable([0.05, 0.05, 0.95, 0.95, 1], [0, 1, 1, 1, 1], 10);
    expect(c[0]).toMatchObject({ customers: 2, actualRate: 0.5 });
    expect(c[0]!.meanPredicted).toBeCloseTo(0.05, 12);
    expect(c[9]).toMatchObject({ customers: 3, actualRate: 1 });
    expect(c.reduce((a, b) => a + b.customers, 0)).toBe(5);
  });

  it('computes log loss and Brier as defined', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(brier([0.8, 0.3], [1, 0])).toBeCloseTo((0.04 + 0.09) / 2, 12);
  });
});
