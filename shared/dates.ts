/** Calendar arithmetic on business dates as text ('YYYY-MM-DD', 'YYYY-MM'), in UTC so no zone shifts a day. */

/**
 * Days in month `m` (1-12) of year `y`, proleptic Gregorian, exact for every year (no Date: Date.UTC reads
 * years 0-99 as 1900-1999). The one copy for the resident-ID check, the date input and the demo calendar.
 */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

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
