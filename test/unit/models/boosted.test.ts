import { describe, expect, it } from 'vitest';
import {
  binRows,
  boostedContributions,
  boostedMargins,
  boostedMarginsPlain,
  fitBoosted,
  predictBoosted,
} from '../../../main/models/boosted';
import { allRows, type Dataset } from '../../../main/models/dataset';
import { fitLogistic, predictLogistic } from '../../../main/models/logistic';
import { auc } from '../../../main/models/metrics';
import { rng } from '../../../main/models/random';

/** y depends on an interaction (XOR of two signs), a category and missingness: no linear model sees it. */
function interactionData(n: number, seed: number): Dataset {
  const next = rng(seed);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  const c = new Float32Array(n);
  const codes = new Int32Array(n);
  const target = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = next() * 2 - 1;
    b[i] = next() * 2 - 1;
    c[i] = next() < 0.3 ? Number.NaN : next();
    codes[i] = Math.floor(next() * 4);
    let p = a[i]! > 0 !== b[i]! > 0 ? 0.85 : 0.15;
    if (codes[i] === 2) p = 0.95; // one level decides
    if (Number.isNaN(c[i]!)) p = Math.min(1, p + 0.1);
    target[i] = next() < p ? 1 : 0;
  }
  return {
    rows: n,
    columns: [
      { kind: 'numeric', name: 'a', values: a },
      { kind: 'numeric', name: 'b', values: b },
      { kind: 'numeric', name: 'c', values: c },
      { kind: 'categorical', name: 'kind', codes, levels: ['w', 'x', 'y', 'z'] },
    ],
    target,
  };
}

describe('gradient-boosted trees', () => {
  it('learns an interaction a logistic regression cannot, on rows it has not seen', () => {
    const train = interactionData(6000, 1);
    const test = interactionData(4000, 2);
    const m = fitBoosted(train, allRows(train.rows));
    const boosted = auc(predictBoosted(m, test, allRows(test.rows)), test.target);
    const linear = auc(
      predictLogistic(fitLogistic(train, allRows(train.rows), { penalty: 'none' }), test, allRows(test.rows)),
      test.target,
    );
    // The Bayes-optimal AUC here is about 0.87; a linear score gets only the category's share.
    expect(boosted).toBeGreaterThan(0.84);
    expect(linear).toBeLessThan(0.72);
    expect(m.trees).toBeGreaterThan(5);
    // a, b and kind carry the signal; their gains outweigh the noise of c many times
    const gain = Object.fromEntries(m.features.map((f, j) => [f.name, m.gain[j]!]));
    expect(gain.kind!).toBeGreaterThan(gain.c! * 3);
    expect(gain.a!).toBeGreaterThan(gain.c!);
  });

  it('stops early on pure noise, with few trees and scores near the base rate', () => {
    const data = interactionData(4000, 3);
    data.target = data.target.map((_, i) => (rng(i + 1)() < 0.3 ? 1 : 0));
    const m = fitBoosted(data, allRows(data.rows));
    expect(m.trees).toBeLessThan(40);
    const p = predictBoosted(m, data, allRows(data.rows));
    const mean = p.reduce((x, y) => x + y, 0) / p.length;
    expect(mean).toBeGreaterThan(0.25);
    expect(mean).toBeLessThan(0.35);
  });

  it('bins missing values apart (bin 0) and numbers by their cut points', () => {
    const data = interactionData(500, 4);
    const m = fitBoosted(data, allRows(data.rows), { maxTrees: 3, earlyStopping: 0 });
    const bins = binRows(m.features, data, allRows(data.rows));
    const F = m.features.length;
    for (let r = 0; r < data.rows; r++) {
      const c = (data.columns[2] as { values: Float32Array }).values[r]!;
      expect(bins[r * F + 2] === 0).toBe(Number.isNaN(c));
      const a = (data.columns[0] as { values: Float32Array }).values[r]!;
      const cuts = (m.features[0] as { cuts: number[] }).cuts;
      const bin = bins[r * F]!;
      if (bin > 1) expect(a).toBeGreaterThan(cuts[bin - 2]!);
      if (bin <= cuts.length) expect(a).toBeLessThanOrEqual(cuts[bin - 1]!);
    }
  });

  it('scores by thresholds in blocks exactly as the plain walk of every mask does', () => {
    const train = interactionData(3000, 6);
    const m = fitBoosted(train, allRows(train.rows), { maxTrees: 40, earlyStopping: 0 });
    const test = interactionData(9000, 7); // more than two blocks of 4,096
    const rows = allRows(test.rows).filter((r) => r % 3 !== 1); // and not every row, out of order
    rows.reverse();
    expect([...boostedMargins(m, test, rows)]).toEqual([...boostedMarginsPlain(m, test, rows)]);
  });

  it('scores a new data set by column names, whatever its level codes', () => {
    const train = interactionData(3000, 5);
    const m = fitBoosted(train, allRows(train.rows), { maxTrees: 20, earlyStopping: 0 });
    // same rows, the category's levels listed in another order
    const col = train.columns[3] as { codes: Int32Array; levels: string[] };
    const order = [3, 1, 0, 2];
    const remapped: Dataset = {
      ...train,
      columns: [
        ...train.columns.slice(0, 3),
        {
          kind: 'categorical',
          name: 'kind',
          levels: order.map((i) => col.levels[i]!),
          codes: col.codes.map((c) => order.indexOf(c)),
        },
      ],
    };
    const a = boostedMargins(m, train, allRows(train.rows));
    const b = boostedMargins(m, remapped, allRows(train.rows));
    expect([...b]).toEqual([...a]);
  });

  it("explains a row: the features' parts along the trees' paths add up to its log-odds", () => {
    const data = interactionData(3000, 8);
    const m = fitBoosted(data, allRows(data.rows), { maxTrees: 30, earlyStopping: 0 });
    const z = boostedMargins(m, data, allRows(data.rows));
    for (const row of [0, 5, 77, 2999]) {
      const { offset, parts } = boostedContributions(m, data, row);
      expect(offset + parts.reduce((a, b) => a + b, 0)).toBeCloseTo(z[row]!, 9);
    }
    // a row of the deciding level ('y') owes most of its score to that column
    const kind = (data.columns[3] as { codes: Int32Array }).codes;
    const row = kind.indexOf(2);
    const { parts } = boostedContributions(m, data, row);
    expect(parts[3]!).toBeGreaterThan(Math.max(Math.abs(parts[2]!), 0.5));
  });
});
