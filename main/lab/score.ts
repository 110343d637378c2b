/**
 * Scoring the book with a lab version: features as of the last month end the store holds, the model's
 * probability for every eligible customer, the decile (1 = the top tenth, equal-size groups as in the
 * ten-group table) and the three features raising the score most (each column's part in the log-odds:
 * exact for the logistic regression, path attribution for the trees).
 */
import type { Database } from 'better-sqlite3';
import {
  computeFeatures,
  eligibleAt,
  type IdRange,
  MONEY_FEATURES,
  moneyOut,
  releaseSpans,
  type Snapshot,
} from '../../db/lab/features';
import type { LabFeature, LabTarget } from '../../shared/lab';
import { type BoostedModel, boostedContributions } from '../models/boosted';
import type { Dataset } from '../models/dataset';
import { type Model, predictModel } from '../models/evaluate';
import { levelMap } from '../models/levels';
import type { LogisticModel } from '../models/logistic';
import { orderByScore } from '../models/metrics';
import { parseModel } from '../models/serialize';

export interface Scored {
  on: string;
  ids: Int32Array;
  scores: Float64Array;
  deciles: Uint8Array;
  /** JSON text of LabFactor[] of the k-th customer (made when asked: a million strings at once would cost ~200 MB). */
  factorAt: (k: number) => string;
}

/** Deciles of equal size, highest scores first (the first groups take one more when n does not divide). */
export function decilesOf(scores: Float64Array): Uint8Array {
  const n = scores.length;
  const order = orderByScore(scores);
  const out = new Uint8Array(n);
  const base = Math.floor(n / 10);
  const extra = n % 10;
  let k = 0;
  for (let g = 0; g < 10; g++) {
    const size = base + (g < extra ? 1 : 0);
    for (let j = 0; j < size; j++) out[order[k++]!] = g + 1;
  }
  return out;
}

interface Top3 {
  col: Int16Array;
  val: Float64Array;
}

function offer(t: Top3, row: number, col: number, v: number): void {
  if (!(v > 0)) return;
  const o = row * 3;
  if (v > t.val[o + 2]!) {
    if (v > t.val[o]!) {
      t.val[o + 2] = t.val[o + 1]!;
      t.col[o + 2] = t.col[o + 1]!;
      t.val[o + 1] = t.val[o]!;
      t.col[o + 1] = t.col[o]!;
      t.val[o] = v;
      t.col[o] = col;
    } else if (v > t.val[o + 1]!) {
      t.val[o + 2] = t.val[o + 1]!;
      t.col[o + 2] = t.col[o + 1]!;
      t.val[o + 1] = v;
      t.col[o + 1] = col;
    } else {
      t.val[o + 2] = v;
      t.col[o + 2] = col;
    }
  }
}

/** Column by column, so no row-by-column matrix is ever held: each part offered to the row's top three. */
function logisticTop3(
  model: LogisticModel,
  data: Dataset,
  rows: Uint32Array,
  t: Top3,
  colIndex: Map<string, number>,
): void {
  const n = rows.length;
  let ind = 1 + model.numeric.length;
  model.numeric.forEach((s, j) => {
    const c = data.columns[colIndex.get(s.name)!]!;
    if (c.kind !== 'numeric') return;
    const w = s.sd > 0 ? model.theta[1 + j]! / s.sd : 0;
    let on = 0;
    let off = 0;
    if (s.missing) {
      const b = model.theta[ind++]!;
      on = (b * (1 - s.missing.mean)) / s.missing.sd;
      off = (-b * s.missing.mean) / s.missing.sd;
    }
    const ci = colIndex.get(s.name)!;
    for (let k = 0; k < n; k++) {
      const x = c.values[rows[k]!]!;
      offer(t, k, ci, Number.isNaN(x) ? on : w * (x - s.mean) + off);
    }
  });
  let off = 1 + model.numeric.length + model.numeric.filter((s) => s.missing).length;
  for (const s of model.categorical) {
    const ci = colIndex.get(s.name)!;
    const c = data.columns[ci]!;
    const size = s.mean.length;
    if (c.kind === 'categorical') {
      const map = levelMap(s.levels, c);
      const part = new Float64Array(size);
      let shift = 0;
      for (let l = 0; l < size; l++) {
        const inv = s.sd[l]! > 0 ? 1 / s.sd[l]! : 0;
        part[l] = model.theta[off + l]! * inv;
        shift += model.theta[off + l]! * s.mean[l]! * inv;
      }
      for (let k = 0; k < n; k++) {
        const raw = c.codes[rows[k]!]!;
        const code = raw < 0 ? s.missingCode : map[raw]!;
        offer(t, k, ci, (code >= 0 ? part[code]! : 0) - shift);
      }
    }
    off += size;
  }
}

function boostedTop3(
  model: BoostedModel,
  data: Dataset,
  rows: Uint32Array,
  t: Top3,
  colIndex: Map<string, number>,
): void {
  const cols = model.features.map((f) => colIndex.get(f.name)!);
  for (let k = 0; k < rows.length; k++) {
    const { parts } = boostedContributions(model, data, rows[k]!);
    for (let f = 0; f < parts.length; f++) offer(t, k, cols[f]!, parts[f]!);
  }
}

function factorValue(data: Dataset, col: number, row: number): number | string | null {
  const c = data.columns[col]!;
  if (c.kind === 'categorical') {
    const code = c.codes[row]!;
    return code < 0 ? null : (c.levels[code] ?? null);
  }
  const v = c.values[row]!;
  if (Number.isNaN(v)) return null;
  const f = c.name as LabFeature;
  const x = MONEY_FEATURES.has(f) ? moneyOut(v) : v;
  return Math.round(x * 1000) / 1000;
}

/**
 * The probability, decile and top three factors (JSON text, made on demand) under `model` of the rows
 * `rows` of `data` (every row when not given); k-th result for the k-th of those rows.
 */
export function scoreData(
  model: Model,
  data: Dataset,
  rows?: Uint32Array,
): { scores: Float64Array; deciles: Uint8Array; factorAt: (k: number) => string } {
  const { scores, top, at } = scoreTop(model, data, rows);
  const heads = factorHeads(data.columns.map((c) => c.name));
  const factorAt = (k: number) => factorsJson(heads, top.col, top.val, k, (col) => factorValue(data, col, at[k]!));
  return { scores, deciles: decilesOf(scores), factorAt };
}

const num = (x: number) => (Number.isFinite(x) ? String(x) : 'null');

/** Each column's factor JSON up to its value: `{"feature":NAME,"value":`. */
function factorHeads(names: string[]): string[] {
  return names.map((name) => `{"feature":${JSON.stringify(name)},"value":`);
}

/**
 * Row `k`'s top three factors (`col`: column per slot, -1 none; `effect`: part in the log-odds) as the
 * JSON of LabFactor[], written out by hand: what JSON.stringify gives for these three keys in this order
 * (a finite number as String() writes it, anything else as null), at a third of its cost per row.
 */
function factorsJson(
  heads: string[],
  col: Int16Array,
  effect: Float64Array,
  k: number,
  factorValueAt: (col: number, slot: number) => number | string | null,
): string {
  let out = '[';
  for (let j = 0; j < 3; j++) {
    const c = col[k * 3 + j]!;
    if (c < 0) break;
    const v = factorValueAt(c, k * 3 + j);
    out += `${j ? ',' : ''}${heads[c]!}${typeof v === 'number' ? num(v) : JSON.stringify(v)},"effect":${num(Math.round(effect[k * 3 + j]! * 1000) / 1000)}}`;
  }
  return `${out}]`;
}

/** The probabilities and each row's top three (column, part in the log-odds) of `rows` (every row when not given). */
function scoreTop(
  model: Model,
  data: Dataset,
  rows?: Uint32Array,
): { scores: Float64Array; top: Top3; at: Uint32Array } {
  let pick = rows;
  if (!pick) {
    pick = new Uint32Array(data.rows);
    for (let i = 0; i < data.rows; i++) pick[i] = i;
  }
  const at = pick;
  const m = at.length;
  const scores = predictModel(model, data, at);
  const colIndex = new Map(data.columns.map((c, i) => [c.name, i]));
  const top: Top3 = { col: new Int16Array(m * 3).fill(-1), val: new Float64Array(m * 3) };
  if (model.kind === 'logistic') logisticTop3(model, data, at, top, colIndex);
  else boostedTop3(model, data, at, top, colIndex);
  return { scores, top, at };
}

/** The snapshot's rows (ascending) of the customers eligible for `target`. */
function eligibleRows(s: Snapshot, target: LabTarget): Uint32Array {
  const el = eligibleAt(s, target);
  let m = 0;
  for (let i = 0; i < el.length; i++) m += el[i]!;
  const rows = new Uint32Array(m);
  for (let i = 0, k = 0; i < el.length; i++) if (el[i]) rows[k++] = i;
  return rows;
}

/** Scores the customers eligible at `on` (a month end) with the model text of a version. */
export function scoreBook(db: Database, modelText: string, target: LabTarget, on: string, snap?: Snapshot): Scored {
  let s = snap;
  if (!s) {
    s = computeFeatures(db, on);
    releaseSpans(s);
  }
  const rows = eligibleRows(s, target);
  const m = rows.length;
  // The snapshot's own columns, read through the eligible rows' indexes: no copy of the book's features
  // (at a million customers about 230 MB beside the snapshot's own).
  const data: Dataset = { rows: s.ids.length, columns: s.columns, target: new Uint8Array(s.ids.length) };
  const scored = scoreData(parseModel(modelText), data, rows);
  const ids = new Int32Array(m);
  for (let k = 0; k < m; k++) ids[k] = s.ids[rows[k]!]!;
  return { on, ids, ...scored };
}

/**
 * Customers a scoring block holds: its features (about 230 bytes a customer) live while the block is
 * scored, then go; what stays per scored customer is its id, score and top three factors (66 bytes).
 */
export const SCORE_BLOCK = 100_000;

/** Id ranges of `block` customers each (the last one open-ended) over the customers known at `on`. */
function blocksOf(db: Database, on: string, block: number): { ranges: IdRange[]; customers: number } {
  const it = db
    .prepare('SELECT id FROM customers WHERE opened_on <= ? ORDER BY id')
    .pluck()
    .iterate(on) as IterableIterator<number>;
  const cuts: number[] = [];
  let n = 0;
  for (const id of it) if (n++ % block === 0) cuts.push(id);
  const ranges = cuts.map((from, i) => ({ from, to: cuts[i + 1] ?? Number.MAX_SAFE_INTEGER }));
  return { ranges, customers: n };
}

/**
 * scoreBook for several versions at once, block by block of the book (`block` customers by id range):
 * each block's features are computed, scored by every model and dropped before the next, so the peak is a
 * block's features, not the book's. Scores, deciles (ranks over the whole book, taken once every block is
 * scored) and factors are exactly scoreBook's. The caller holds one read transaction across the call
 * when every block must see the same book.
 */
export function scoreBookBlocks(
  db: Database,
  versions: { modelText: string; target: LabTarget }[],
  on: string,
  block = SCORE_BLOCK,
): Scored[] {
  const { ranges, customers: cap } = blocksOf(db, on, Math.max(1, block));
  const models = versions.map((v) => parseModel(v.modelText));
  const acc = versions.map(() => ({
    m: 0,
    ids: new Int32Array(cap),
    scores: new Float64Array(cap),
    col: new Int16Array(cap * 3).fill(-1),
    eff: new Float64Array(cap * 3),
    // numeric: the value shown (NaN: none); categorical: the level's code (-1: none)
    val: new Float64Array(cap * 3),
  }));
  let names: string[] = [];
  let levels: (string[] | null)[] = [];
  for (const range of ranges) {
    const s = computeFeatures(db, on, range);
    releaseSpans(s);
    if (!names.length) {
      names = s.columns.map((c) => c.name);
      levels = s.columns.map((c) => (c.kind === 'categorical' ? c.levels : null));
    }
    const data: Dataset = { rows: s.ids.length, columns: s.columns, target: new Uint8Array(s.ids.length) };
    versions.forEach((v, x) => {
      const rows = eligibleRows(s, v.target);
      const m = rows.length;
      const { scores, top } = scoreTop(models[x]!, data, rows);
      const a = acc[x]!;
      for (let k = 0; k < m; k++) {
        const o = a.m + k;
        a.ids[o] = s.ids[rows[k]!]!;
        a.scores[o] = scores[k]!;
        for (let j = 0; j < 3; j++) {
          const col = top.col[k * 3 + j]!;
          a.col[o * 3 + j] = col;
          a.eff[o * 3 + j] = top.val[k * 3 + j]!;
          if (col < 0) continue;
          const c = s.columns[col]!;
          a.val[o * 3 + j] =
            c.kind === 'categorical'
              ? c.codes[rows[k]!]!
              : ((factorValue(data, col, rows[k]!) ?? Number.NaN) as number);
        }
      }
      a.m += m;
    });
  }
  const heads = factorHeads(names);
  return acc.map((a) => {
    const ids = a.ids.slice(0, a.m);
    const scores = a.scores.slice(0, a.m);
    const { col, eff, val } = a;
    const factorValueAt = (c: number, slot: number): number | string | null => {
      const raw = val[slot]!;
      const lv = levels[c];
      return lv ? (raw < 0 ? null : (lv[raw] ?? null)) : raw;
    };
    const factorAt = (k: number) => factorsJson(heads, col, eff, k, factorValueAt);
    return { on, ids, scores, deciles: decilesOf(scores), factorAt };
  });
}
