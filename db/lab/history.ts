import type { Database } from 'better-sqlite3';

/**
 * Month ends and day numbers for the model lab. Days are counted from 1970-01-01 (UTC, no time zone:
 * business dates are plain calendar dates), so arithmetic on them is integer arithmetic.
 */
export function dayOf(iso: string): number {
  return Math.floor(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 864e5);
}

export function isoOf(day: number): string {
  return new Date(day * 864e5).toISOString().slice(0, 10);
}

/** The last day of the month `months` after the month of `iso` (negative: before). */
export function monthEnd(iso: string, months = 0): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7)) - 1 + months;
  return new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
}

export function isMonthEnd(iso: string): boolean {
  return monthEnd(iso) === iso;
}

/**
 * The span of balance history the store holds: the first and the last month end with balances
 * (daily_balances, through the reporting months the imports maintain: a scan of the balance table itself
 * would read every row of a million-customer book).
 */
export function balanceHistory(db: Database): { from: string | null; to: string | null } {
  const r = db.prepare('SELECT MIN(month) AS lo, MAX(month) AS hi FROM report_months').get() as {
    lo: string | null;
    hi: string | null;
  };
  if (!r.lo || !r.hi) return { from: null, to: null };
  return { from: monthEnd(`${r.lo}-01`), to: monthEnd(`${r.hi}-01`) };
}

/**
 * Months of history a cut-off needs before it (the three-month trends); the six-month figures are
 * missing (and flagged so) for a cut-off with less behind it.
 */
export const LOOKBACK_MONTHS = 3;

/** The cut-offs a window allows: features need LOOKBACK_MONTHS before, the outcome window after. */
export function cutoffRange(
  h: { from: string | null; to: string | null },
  outcomeMonths: number,
): { earliest: string | null; latest: string | null } {
  if (!h.from || !h.to) return { earliest: null, latest: null };
  const earliest = monthEnd(h.from, LOOKBACK_MONTHS);
  const latest = monthEnd(h.to, -outcomeMonths);
  return earliest <= latest ? { earliest, latest } : { earliest: null, latest: null };
}
