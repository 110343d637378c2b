/** Calendar arithmetic on business dates as text ('YYYY-MM-DD', 'YYYY-MM'), in UTC so no zone shifts a day. */

/** 'YYYY-MM-DD' plus `days` (negative goes back). */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * 'YYYY-MM' plus `months` (negative goes back); the month of a 'YYYY-MM-DD' works too. The one month
 * arithmetic of the code base (reports, summaries, desktop, customer 360). Counted in whole months
 * (year * 12 + month), not through Date: Date.UTC reads years 0-99 as 1900-1999.
 */
export function addMonths(ym: string, months: number): string {
  const index = Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1 + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}
