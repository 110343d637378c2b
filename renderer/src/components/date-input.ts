/**
 * The app's own date field (DateField.tsx), its pure parts: reading a typed date and laying out a
 * month. Dates are business dates, 'YYYY-MM-DD', the same in both languages; no Date parsing of
 * strings and no time zone (the browser's locale and zone decide nothing here).
 */
import { daysInMonth } from '../../../shared/dates';

export type DateCheck =
  | { ok: true; date: string }
  | { ok: false; problem: 'format' | 'min' | 'max' }
  | { ok: true; date: '' };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function isoDate(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/**
 * "2026-12-06", "2026/12/6", "2026.12.6", "20261206", "2026年12月6日": the forms people type at a
 * branch. Returns the ISO date, or null when it is not a real calendar date.
 */
export function parseTypedDate(text: string): string | null {
  const s = text.trim().replace(/\s+/g, '');
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1900 || y > 2199 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return isoDate(y, mo, d);
}

/** A typed value checked against the field's bounds (ISO strings compare as dates). */
export function checkDate(text: string, min?: string, max?: string): DateCheck {
  if (!text.trim()) return { ok: true, date: '' };
  const date = parseTypedDate(text);
  if (!date) return { ok: false, problem: 'format' };
  if (min && date < min) return { ok: false, problem: 'min' };
  if (max && date > max) return { ok: false, problem: 'max' };
  return { ok: true, date };
}

/** Moves an ISO date by whole days (UTC arithmetic: no zone, no daylight saving). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The same day in another month, clamped to that month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const idx = y * 12 + (m - 1) + months;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  return isoDate(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** Monday = 0 … Sunday = 6 (mainland calendars start the week on Monday). */
export function weekdayMon0(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The weeks shown for a month: Monday-first rows of ISO dates, with the neighbouring months' days as padding. */
export function monthGrid(year: number, month: number): string[][] {
  const first = isoDate(year, month, 1);
  let day = addDays(first, -weekdayMon0(first));
  const weeks: string[][] = [];
  const last = isoDate(year, month, daysInMonth(year, month));
  while (weeks.length === 0 || day <= last) {
    const week: string[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(day);
      day = addDays(day, 1);
    }
    weeks.push(week);
  }
  return weeks;
}

/** The calendar's keys: arrows a day or a week, PageUp/PageDown a month (with Shift a year), Home/End the week's ends. */
export function keyMove(key: string, shift: boolean, focus: string): string | null {
  switch (key) {
    case 'ArrowLeft':
      return addDays(focus, -1);
    case 'ArrowRight':
      return addDays(focus, 1);
    case 'ArrowUp':
      return addDays(focus, -7);
    case 'ArrowDown':
      return addDays(focus, 7);
    case 'PageUp':
      return addMonths(focus, shift ? -12 : -1);
    case 'PageDown':
      return addMonths(focus, shift ? 12 : 1);
    case 'Home':
      return addDays(focus, -weekdayMon0(focus));
    case 'End':
      return addDays(focus, 6 - weekdayMon0(focus));
    default:
      return null;
  }
}
