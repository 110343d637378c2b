/**
 * Data drawn from a stated logistic model, for the learners' tests and the bench: numeric columns
 * N(mu, sd) with a share missing, categorical columns with level effects, and a known intercept,
 * so what a fit recovers can be compared with what was planted.
 */
import type { Column, Dataset } from './dataset';
import { gaussian, rng } from './random';

export interface PlantedModel {
  intercept: number;
  /** Per numeric column: effect per unit, its mean and sd, share missing and the effect of missing. */
  numeric: { name: string; beta: number; mean: number; sd: number; missing?: number; missingBeta?: number }[];
  /** Per categorical column: level names, their frequencies (sum 1) and effects. */
  categorical: { name: string; levels: string[]; freq: number[]; effects: number[] }[];
}

export function syntheticLogistic(model: PlantedModel, rows: number, seed: number): Dataset {
  const next = rng(seed);
  const normal = gaussian(next);
  const columns: Column[] = [];
  const eta = new Float64Array(rows).fill(model.intercept);
  for (const m of model.numeric) {
    const values = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      if (m.missing && next() < m.missing) {
        values[i] = Number.NaN;
        eta[i] = eta[i]! + (m.missingBeta ?? 0);
      } else {
        const x = Math.fround(m.mean + m.sd * normal());
        values[i] = x;
        eta[i] = eta[i]! + m.beta * x;
      }
    }
    columns.push({ kind: 'numeric', name: m.name, values });
  }
  for (const c of model.categorical) {
    const codes = new Int32Array(rows);
    const cum: number[] = [];
    c.freq.reduce((a, f, i) => {
      cum[i] = a + f;
      return a + f;
    }, 0);
    for (let i = 0; i < rows; i++) {
      const u = next();
      let l = cum.findIndex((x) => u < x);
      if (l < 0) l = c.levels.length - 1;
      codes[i] = l;
      eta[i] = eta[i]! + c.effects[l]!;
    }
    columns.push({ kind: 'categorical', name: c.name, codes, levels: [...c.levels] });
  }
  const target = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) target[i] = next() < 1 / (1 + Math.exp(-eta[i]!)) ? 1 : 0;
  return { rows, columns, target };
}
