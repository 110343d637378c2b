/** Calendar arithmetic on business dates as text ('YYYY-MM-DD', 'YYYY-MM'), in UTC so no zone shifts a day. */

/** 'YYYY-MM-DD' plus `days` (negative goes back). */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 'YYYY-MM' plus `months`. */
export function addMonths(ym: string, months: number): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 7);
}
