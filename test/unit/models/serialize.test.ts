import { describe, expect, it } from 'vitest';
import { fitBoosted, predictBoosted } from '../../../main/models/boosted';
import { allRows } from '../../../main/models/dataset';
import { fitLogistic, predictLogistic } from '../../../main/models/logistic';
import { parseModel, serializeModel } from '../../../main/models/serialize';
import { syntheticLogistic } from '../../../main/models/synthetic';

const data = syntheticLogistic(
  {
    intercept: 0.2,
    numeric: [
      { name: 'a', beta: 0.7, mean: 1, sd: 2, missing: 0.1, missingBeta: 0.5 },
      { name: 'b', beta: -0.4, mean: 0, sd: 1 },
    ],
    categorical: [{ name: 'c', levels: ['p', 'q', 'r'], freq: [0.5, 0.3, 0.2], effects: [0, 0.5, -0.5] }],
  },
  3000,
  12,
);

describe('model text', () => {
  it('a logistic model read back scores exactly as the one trained', () => {
    const m = fitLogistic(data, allRows(data.rows), { penalty: 'l1', lambda: 0.001 });
    const back = parseModel(serializeModel(m));
    expect(back.kind).toBe('logistic');
    expect([...predictLogistic(back as typeof m, data, allRows(data.rows))]).toEqual([
      ...predictLogistic(m, data, allRows(data.rows)),
    ]);
  });

  it('a boosted model read back scores exactly as the one trained', () => {
    const m = fitBoosted(data, allRows(data.rows), { maxTrees: 30, earlyStopping: 0 });
    const text = serializeModel(m);
    const back = parseModel(text);
    expect(back.kind).toBe('boosted');
    expect([...predictBoosted(back as typeof m, data, allRows(data.rows))]).toEqual([
      ...predictBoosted(m, data, allRows(data.rows)),
    ]);
    expect(() => parseModel(text.replace('"format":1', '"format":9'))).toThrow(/format 9/);
  });
});
