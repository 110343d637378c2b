import { getDayDetail } from 'chinese-days';
import { addDays } from '../../shared/dates';
import { isWorkday } from './workdays';

/**
 * Public holidays of mainland China as periods (for the holiday reminder), from the chinese-days package
 * (the official State Council calendar). Working-day arithmetic lives in ./workdays.ts.
 */

export interface HolidayName {
  zh: string;
  en: string;
}

/** The public holiday `iso` is a rest day of, or null for ordinary days and plain weekends. */
export function holidayName(iso: string): HolidayName | null {
  const detail = getDayDetail(iso);
  if (detail.work) return null;
  const parts = detail.name.split(',');
  if (parts.length < 2) return null; // a plain weekend: the name is the weekday
  return { en: parts[0]!, zh: parts[1]! };
}

/** `iso` when it is a working day, else the last working day before it (to act before a holiday). */
export function workdayOnOrBefore(iso: string): string {
  let d = iso;
  while (!isWorkday(d)) d = addDays(d, -1);
  return d;
}

/** `n` working days before `iso` (n >= 0; 0 gives `iso` itself, or the working day before it). */
export function subtractWorkdays(iso: string, n: number): string {
  let d = workdayOnOrBefore(iso);
  let left = n;
  if (d !== iso && left > 0) left--; // the working day before a rest day already counts as one back
  while (left > 0) {
    d = addDays(d, -1);
    if (isWorkday(d)) left--;
  }
  return d;
}

export interface HolidayPeriod {
  /** First and last rest day of the holiday (adjoining weekend days included). */
  start: string;
  end: string;
  name: HolidayName;
  days: number;
  /** Weekend days worked in exchange for this holiday (调休上班). */
  makeupWorkdays: string[];
}

/** Public-holiday periods whose first rest day falls within [from, to]. */
export function holidayPeriods(from: string, to: string): HolidayPeriod[] {
  const out: HolidayPeriod[] = [];
  let d = from;
  // a period already running on `from` started earlier: skip to its end
  while (!isWorkday(d) && d <= to && holidayName(addDays(d, -1)) !== null) d = addDays(d, 1);
  while (d <= to) {
    if (!isWorkday(d)) {
      // a run of rest days: a holiday period when any of its days is a named public holiday
      let end = d;
      let name = holidayName(d);
      while (!isWorkday(addDays(end, 1))) {
        end = addDays(end, 1);
        name = name ?? holidayName(end);
      }
      if (name) {
        const days = Math.round((Date.parse(end) - Date.parse(d)) / 86_400_000) + 1;
        out.push({ start: d, end, name, days, makeupWorkdays: makeupDays(d, end, name.zh) });
      }
      d = addDays(end, 1);
    } else d = addDays(d, 1);
  }
  return out;
}

function makeupDays(start: string, end: string, zh: string): string[] {
  const out: string[] = [];
  for (let w = addDays(start, -21); w <= addDays(end, 21); w = addDays(w, 1)) {
    const wd = new Date(`${w}T00:00:00Z`).getUTCDay();
    if (wd !== 0 && wd !== 6) continue;
    const detail = getDayDetail(w);
    if (detail.work && detail.name.split(',')[1] === zh) out.push(w);
  }
  return out;
}
