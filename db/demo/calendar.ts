import { isHoliday } from 'chinese-days';
import { daysInMonth } from '../../shared/dates';

/**
 * Dates as integer day numbers (days since 1970-01-01) so the hot loops do arithmetic, not Date objects;
 * text forms come from tables built once. Civil-date conversion after H. Hinnant's algorithms, which are
 * exact over the whole proleptic Gregorian calendar.
 */

export function dayFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDay(day: number): [number, number, number] {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDay(text: string): number {
  const m = DATE_RE.exec(text);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(text)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = dayFromCivil(y, mo, d);
  const back = civilFromDay(day);
  if (back[0] !== y || back[1] !== mo || back[2] !== d) throw new RangeError(`no such date: ${text}`);
  return day;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatDay(day: number): string {
  const [y, m, d] = civilFromDay(day);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** Same day-of-month `months` later (or earlier), clamped to the month's length (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(day: number, months: number): number {
  const [y, m, d] = civilFromDay(day);
  const idx = y * 12 + (m - 1) + months;
  const ny = Math.floor(idx / 12);
  const nm = idx - ny * 12 + 1;
  return dayFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export const SECONDS_PER_DAY = 86400;

/**
 * Everything date-shaped the generator needs for one as-of date: the 12-month activity window,
 * the reporting dates for month-end balances, cached text forms and the days the counter is open.
 */
export class Calendar {
  readonly asOf: number;
  /** First day of the month eleven months before asOf's: the window holds 12 calendar months. */
  readonly windowStart: number;
  readonly windowDays: number;
  /** Reporting dates for balances: the 11 previous month ends, then asOf itself (a month end by default). */
  readonly balanceDates: readonly number[];
  /** Open-counter days (Mon-Fri, not a public holiday) inside the window, ascending. */
  readonly counterDays: Int32Array;
  /** For each window offset, index into counterDays of the first open day on or after it. */
  readonly firstCounterIdx: Int32Array;
  /** Text of each window day as 'YYYYMMDD', for journal numbers. */
  readonly compact: readonly string[];
  readonly stamp: string;
  private readonly base: number;
  private readonly texts: string[];
  private readonly times: string[];

  constructor(asOfText: string) {
    this.asOf = parseDay(asOfText);
    const [y, m] = civilFromDay(this.asOf);
    this.windowStart = addMonths(dayFromCivil(y, m, 1), -11);
    this.windowDays = this.asOf - this.windowStart + 1;
    const dates: number[] = [];
    // The end of month (asOf's month - k) is the day before the first of the month after it.
    for (let k = 11; k >= 1; k--) dates.push(addMonths(dayFromCivil(y, m, 1), 1 - k) - 1);
    dates.push(this.asOf);
    this.balanceDates = dates;

    // Text forms from about 110 years back (birth dates) to 40 years ahead (mortgage maturities).
    this.base = this.asOf - 110 * 366;
    const span = 150 * 366;
    this.texts = new Array<string>(span);
    for (let i = 0; i < span; i++) this.texts[i] = formatDay(this.base + i);
    this.times = new Array<string>(SECONDS_PER_DAY);
    for (let s = 0; s < SECONDS_PER_DAY; s++) {
      this.times[s] = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
    }
    const compact: string[] = [];
    const open: number[] = [];
    const firstIdx = new Int32Array(this.windowDays);
    for (let d = this.windowStart; d <= this.asOf; d++) {
      const text = this.day(d);
      compact.push(text.slice(0, 4) + text.slice(5, 7) + text.slice(8, 10));
      const wd = weekday(d);
      if (wd !== 0 && wd !== 6 && !isHoliday(text)) open.push(d);
    }
    let j = 0;
    for (let off = 0; off < this.windowDays; off++) {
      while (j < open.length && open[j]! < this.windowStart + off) j++;
      firstIdx[off] = j;
    }
    this.compact = compact;
    this.counterDays = Int32Array.from(open);
    this.firstCounterIdx = firstIdx;
    // Rows the generator writes carry this as created_at/updated_at, so two runs are byte-identical.
    this.stamp = `${this.day(this.asOf)}T16:00:00.000Z`;
  }

  /** 'YYYY-MM-DD' for a day number. */
  day(d: number): string {
    const t = this.texts[d - this.base];
    return t ?? formatDay(d);
  }

  /** 'YYYY-MM-DD HH:MM:SS' for a window day and a second of that day. */
  dateTime(d: number, second: number): string {
    return `${this.day(d)} ${this.times[second]!}`;
  }

  /** The date a whole number of years before `d` (birthdays, opening dates). */
  yearsBefore(d: number, years: number): number {
    return addMonths(d, -12 * years);
  }
}
