/**
 * The learners' data: columns in typed arrays (no per-row objects), so a million rows by sixty
 * features fit in a few hundred megabytes and the hot loops run over contiguous memory.
 *
 *  - a numeric column is a Float32Array, NaN where the value is missing;
 *  - a categorical column is an Int32Array of codes into `levels`, -1 where the value is missing;
 *  - the target is a Uint8Array of 0/1.
 *
 * Rows are addressed by index; a subset (a fold, a hold-out range) is a Uint32Array of indexes.
 * Pure computation: no Node modules, so this folder could move to shared/ if the renderer ever needs it.
 */

export interface NumericColumn {
  kind: 'numeric';
  name: string;
  values: Float32Array;
}

export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  codes: Int32Array;
  levels: string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface Dataset {
  rows: number;
  columns: Column[];
  /** 1 = positive class. */
  target: Uint8Array;
}

/** Indexes 0..n-1. */
export function allRows(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

export function positives(target: Uint8Array, rows: Uint32Array): number {
  let p = 0;
  for (let k = 0; k < rows.length; k++) p += target[rows[k]!]!;
  return p;
}

/** The rows of `rows` that `keep` accepts, in order. */
export function filterRows(rows: Uint32Array, keep: (row: number) => boolean): Uint32Array {
  const out = new Uint32Array(rows.length);
  let m = 0;
  for (let k = 0; k < rows.length; k++) if (keep(rows[k]!)) out[m++] = rows[k]!;
  return out.slice(0, m);
}

/** Whether the column has no value at `row`. */
export function isMissing(col: Column, row: number): boolean {
  return col.kind === 'numeric' ? Number.isNaN(col.values[row]!) : col.codes[row]! < 0;
}
