/** One content-sized column of a list: its measured width and the least it may be given. */
export interface SizedColumn {
  key: string;
  width: number;
  min: number;
}

/**
 * Widths that fit `budget` px: columns over one cap come down to it (never under their own minimum),
 * the rest keep their width; the cap is the largest whole pixel count that fits. So the widest column
 * (a long company name) gives way first and short ones (a stage, a date) are cut last. Null when the
 * columns fit as they are.
 */
export function capWidths(columns: readonly SizedColumn[], budget: number): Map<string, number> | null {
  const at = (cap: number, c: SizedColumn) => Math.min(c.width, Math.max(cap, c.min));
  const total = (cap: number) => columns.reduce((n, c) => n + at(cap, c), 0);
  if (columns.length === 0 || total(Number.POSITIVE_INFINITY) <= budget) return null;
  let lo = 0;
  let hi = Math.max(...columns.map((c) => c.width));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return new Map(columns.map((c) => [c.key, at(lo, c)]));
}

/**
 * The px a list cell needs to show the widest of these texts whole, in the lists' 13px font with the
 * cell's 8px paddings: a column's `minWidth` when it must never be cut (a kind, a queue name), in
 * whichever language is on screen.
 */
export function textColumnWidth(texts: readonly string[]): number {
  const ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  if (!ctx) return 0;
  ctx.font = `13px ${getComputedStyle(document.body).fontFamily}`;
  return Math.ceil(Math.max(0, ...texts.map((x) => ctx.measureText(x).width))) + 18;
}
