/**
 * Rare categories pooled: a level seen on fewer than `minCount` training rows, or beyond the
 * `maxLevels` most frequent, is counted as one "other" level, so a one-hot column or a tree split
 * is never learned from a handful of customers (and a column of near-unique values, an account
 * number say, collapses to a constant and carries no weight).
 *
 * The kept levels are stored by their text, not by code, so a model applies to another file whose
 * codes differ; a level the model never saw goes to "other" (or to no level when nothing was pooled).
 */
import type { CategoricalColumn } from './dataset';

export interface PooledLevels {
  /** Kept level texts; their compact codes are 0..kept.length-1. */
  kept: string[];
  /** Compact code of the pooled "other" level (kept.length), or -1 when nothing was pooled. */
  other: number;
}

export interface PoolOptions {
  minCount?: number;
  maxLevels?: number;
}

export function defaultMinCount(rows: number): number {
  return Math.max(10, Math.round(rows * 0.0005));
}

export function poolLevels(col: CategoricalColumn, rows: Uint32Array, opts: PoolOptions = {}): PooledLevels {
  const minCount = opts.minCount ?? defaultMinCount(rows.length);
  const maxLevels = opts.maxLevels ?? 60;
  const counts = new Uint32Array(col.levels.length);
  for (let k = 0; k < rows.length; k++) {
    const c = col.codes[rows[k]!]!;
    if (c >= 0) counts[c]!++;
  }
  const order = [...counts.keys()].filter((c) => counts[c]! > 0).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const kept = order.filter((c, i) => counts[c]! >= minCount && i < maxLevels);
  const pooled = order.length > kept.length;
  return { kept: kept.map((c) => col.levels[c]!), other: pooled ? kept.length : -1 };
}

/**
 * Dataset code -> compact code for a column: kept levels by text, others to `other` (-1 when there is
 * no "other"); missing stays -1 in the codes themselves, which callers check first.
 */
export function levelMap(pooled: PooledLevels, col: CategoricalColumn): Int32Array {
  const byText = new Map<string, number>();
  for (const [i, t] of pooled.kept.entries()) byText.set(t, i);
  const map = new Int32Array(col.levels.length);
  for (let c = 0; c < col.levels.length; c++) map[c] = byText.get(col.levels[c]!) ?? pooled.other;
  return map;
}
