import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { trainLab } from '../../../main/lab/train';
import type { LabFeature } from '../../../shared/lab';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * The demo branch carries learnable behaviour (issue 20.6, db/demo/behaviour.ts states the hidden
 * model): a model trained in the lab on the demo finds the planted signal — cross-validated and
 * time-hold-out AUC clearly above 0.5, the planted signs among its largest weights — and nothing
 * from the outcome window (no leak warning).
 */
let db: Database;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 2500, seed: 20261123 });
  db = demo.db;
}, 180_000);
afterAll(() => {
  db.close();
  removeTempDirs();
});

const top = (weights: { feature: LabFeature }[], n: number) => new Set(weights.slice(0, n).map((w) => w.feature));

describe('a model trained on the demo finds the planted behaviour', () => {
  it('churn: falling balances and activity, and the drivers (payroll, holdings), rank the leavers', () => {
    const r = trainLab(
      db,
      {
        target: { kind: 'churn', dropShare: 0.5, minBalance: 1000 },
        learner: 'logistic',
        outcomeMonths: 3,
        cutoff: null,
        folds: 3,
        seed: 20,
      },
      () => {},
    );
    expect(r.cutoff).toBe('2026-07-31');
    expect(r.positives).toBeGreaterThan(100);
    expect(r.auc).toBeGreaterThan(0.7);
    expect(r.holdoutAuc).not.toBeNull();
    expect(r.holdoutAuc!).toBeGreaterThan(0.65);
    expect(r.figures.leaks).toEqual([]);
    // The planted signs and drivers: balance trend and lows, activity, payroll, term deposits and wealth held.
    const planted: LabFeature[] = [
      'aum_change_3m',
      'aum_change_6m',
      'aum_min_ratio_3m',
      'txn_count_3m',
      'txn_count_trend',
      'txn_salary_3m',
      'has_term',
      'has_wealth',
      'wealth',
      'tenure_months',
    ];
    const found = planted.filter((f) => top(r.figures.weights, 8).has(f));
    expect(found.length).toBeGreaterThanOrEqual(3);
    // The ten groups rank: the first group's rate well above the last's.
    const g = r.figures.groups;
    expect(g[0]!.rate).toBeGreaterThan(2 * g[9]!.rate);
    expect(g.reduce((a, x) => a + x.customers, 0)).toBe(r.figures.cvRows);
  }, 600_000);

  it('loan propensity: the counter visits and receipts before a loan rank the future borrowers', () => {
    const r = trainLab(
      db,
      { target: { kind: 'loan' }, learner: 'logistic', outcomeMonths: 3, cutoff: null, folds: 3, seed: 20 },
      () => {},
    );
    expect(r.positives).toBeGreaterThan(40);
    expect(r.auc).toBeGreaterThan(0.7);
    expect(r.figures.leaks).toEqual([]);
    expect(top(r.figures.weights, 3).has('txn_counter_3m')).toBe(true);
    expect(r.figures.groups[0]!.lift).toBeGreaterThan(2);
  }, 600_000);

  it('the boosted trees find the same signs (gain shares as weights)', () => {
    const r = trainLab(
      db,
      { target: { kind: 'loan' }, learner: 'boosted', outcomeMonths: 3, cutoff: null, folds: 3, seed: 20 },
      () => {},
    );
    expect(r.learner).toBe('boosted');
    expect(r.auc).toBeGreaterThan(0.65);
    expect(r.figures.parameters.trees).toBeGreaterThan(0);
    const shares = r.figures.weights.reduce((a, w) => a + w.weight, 0);
    expect(shares).toBeGreaterThan(0.5);
    expect(shares).toBeLessThanOrEqual(1 + 1e-9);
    expect(top(r.figures.weights, 5).has('txn_counter_3m')).toBe(true);
  }, 600_000);
});
