import { getDayDetail } from 'chinese-days';
import { addDays } from '../../shared/dates';

/**
 * Working days on the official calendar of mainland China (国务院办公厅 holiday notices), from the
 * maintained `chinese-days` package: public holidays are days off even on weekdays, and adjusted
 * working days (调休上班, usually a Saturday or Sunday next to a holiday) are working days. Years the
 * package does not cover yet fall back to Monday–Friday.
 *
 * Dates are business dates as text ('YYYY-MM-DD'), never Date objects, so no time zone shifts a day.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isWorkday(date: string): boolean {
  if (!DATE.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return getDayDetail(date).work;
}

/**
 * The `n`-th working day after `date` (n >= 1), not counting `date` itself: a referral flagged on
 * 2026-09-30 with 2 working days is due 2026-10-09 (1–7 October is the National Day holiday).
 * n = 0 gives `date` itself when it is a working day, else the next working day.
 */
export function addWorkdays(date: string, n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 366) throw new RangeError(`working days out of range: ${n}`);
  let d = date;
  if (n === 0) {
    while (!isWorkday(d)) d = addDays(d, 1);
    return d;
  }
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkday(d)) left--;
  }
  return d;
}

/**
 * Working days strictly after `from` up to and including `to` (0 when `to` <= `from`): how many
 * working days late a due date is, or how long a first contact took.
 */
export function workdaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkday(d)) n++;
  return n;
}
