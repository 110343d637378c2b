/**
 * Typed conversion of one source field, compiled once per profile column and then called for every
 * row (20M rows x 10+ columns): no regex, no parseFloat, no allocation on the reject path (rejects
 * are shared frozen objects), and lookup tables for enums and flags.
 *
 * Exactness: amounts become integer fen and rates integer ppm by accumulating decimal digits as
 * integers; a value that does not fit a safe integer is rejected, never rounded through a float.
 *
 * Conventions beyond the profile contract (shared/imports.ts), each chosen for real extracts:
 *   - every value is trimmed first (ASCII and full-width spaces); empty -> null, or 'required';
 *   - dates of all zeros (00000000, 0000-00-00) are the core systems' "no date": treated as empty;
 *   - 'auto' dates also take a midnight time part ('2024-01-05 00:00:00', Oracle DATE exports);
 *     'auto' datetimes take fractional seconds (dropped) and a bare date (midnight);
 *   - integers take a zero fraction ('12.00'); rates round half-up beyond ppm precision;
 *   - enum and flag values also match case-insensitively (ASCII) after the profile's values map.
 */
import type { ColumnMapping, FieldSpec, RejectReason } from '../../../shared/imports';
import { codePoints } from './encoding';

export type Converted =
  | { readonly ok: true; readonly value: string | number | null }
  | { readonly ok: false; readonly reason: RejectReason };
export type Converter = (raw: string) => Converted;

const REJECT = new Map<RejectReason, Converted>();
function reject(reason: RejectReason): Converted {
  let r = REJECT.get(reason);
  if (!r) {
    r = Object.freeze({ ok: false as const, reason });
    REJECT.set(reason, r);
  }
  return r;
}
const NULL: Converted = Object.freeze({ ok: true as const, value: null });
const ok = (value: string | number): Converted => ({ ok: true, value });
/** Results shared between calls (lookup tables, constants) are frozen: a caller cannot corrupt them. */
const shared = (value: string | number): Converted => Object.freeze(ok(value));

/** Sign + digits, optional all-zero fraction when `zeroFraction`. NaN when not an integer. */
function parseInteger(s: string, zeroFraction: boolean): number {
  const n = s.length;
  let i = 0;
  const c0 = s.charCodeAt(0);
  const neg = c0 === 45;
  if (neg || c0 === 43) i = 1;
  if (i >= n) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === (neg || c0 === 43 ? 1 : 0)) return NaN;
  if (i < n) {
    if (!zeroFraction || s.charCodeAt(i) !== 46 || i + 1 >= n) return NaN;
    for (i++; i < n; i++) if (s.charCodeAt(i) !== 48) return NaN;
  }
  if (!Number.isSafeInteger(v)) return NaN;
  return neg && v !== 0 ? -v : v;
}

/**
 * Decimal yuan -> integer fen. Optional sign and ¥/￥ (either order), thousands separators only
 * when correctly grouped, at most 2 decimals. NaN when invalid.
 */
export function parseYuan(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  let signed = false;
  let currency = false;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (!signed && (c === 45 || c === 43)) {
      signed = true;
      neg = c === 45;
    } else if (!currency && (c === 0xa5 || c === 0xffe5)) currency = true;
    else break;
    i++;
  }
  let v = 0;
  let digits = 0; // digits in the current group
  let groups = 0; // separators seen
  let any = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      any = true;
    } else if (c === 44) {
      if (digits === 0 || (groups === 0 ? digits > 3 : digits !== 3)) return NaN;
      groups++;
      digits = 0;
    } else break;
  }
  if (!any || (groups > 0 && digits !== 3)) return NaN;
  let fen = v * 100;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return NaN;
    const d1 = s.charCodeAt(i + 1) - 48;
    if (!(d1 >= 0 && d1 <= 9)) return NaN;
    fen += d1 * 10;
    i += 2;
    if (i < n) {
      const d2 = s.charCodeAt(i) - 48;
      if (!(d2 >= 0 && d2 <= 9) || i + 1 !== n) return NaN;
      fen += d2;
      i++;
    }
  }
  if (i !== n || !Number.isSafeInteger(fen)) return NaN;
  return neg && fen !== 0 ? -fen : fen;
}

/** Decimal text times 10^scale (a '%' suffix forces 4: ppm of a percentage), rounded half-up away from zero; NaN when invalid. */
export function parseScaled(s: string, scale: number): number {
  let n = s.length;
  if (s.charCodeAt(n - 1) === 37) {
    n--; // '%': the number is a percentage whatever the format says (1% = 10^4 ppm)
    scale = 4;
  }
  let i = 0;
  const c0 = s.charCodeAt(0);
  const neg = c0 === 45;
  if (neg || c0 === 43) i = 1;
  let v = 0;
  const start = i;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === start) return NaN;
  let frac = 0;
  if (i < n) {
    if (s.charCodeAt(i) !== 46 || i + 1 >= n) return NaN;
    for (i++; i < n; i++, frac++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      if (frac < scale) v = v * 10 + d;
      else if (frac === scale && d >= 5) v += 1; // half-up on the first dropped digit
    }
  }
  for (; frac < scale; frac++) v *= 10;
  if (!Number.isSafeInteger(v)) return NaN;
  return neg && v !== 0 ? -v : v;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function validDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= DAYS[m]!;
}
const p2 = (v: number) => (v < 10 ? `0${v}` : String(v));

// Date/time scanning runs on every row: results go to these module-level registers instead of
// tuples/objects, so parsing a date allocates nothing but the result string.
let numEnd = 0;
let Y = 0;
let M = 0;
let D = 0;
let NEXT = 0;
let H = 0;
let MI = 0;
let S = 0;

/** Value of `min`..`max` digits at i (end index in numEnd), or -1. */
function num(s: string, i: number, min: number, max: number): number {
  let v = 0;
  let k = 0;
  for (; k < max && i + k < s.length; k++) {
    const d = s.charCodeAt(i + k) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  numEnd = i + k;
  return k >= min ? v : -1;
}

/** 'YYYYMMDD' at the start. */
function readCompact(s: string): boolean {
  Y = num(s, 0, 4, 4);
  M = Y < 0 ? -1 : num(s, 4, 2, 2);
  D = M < 0 ? -1 : num(s, 6, 2, 2);
  NEXT = 8;
  return D >= 0;
}

/** 'YYYY<sep>M<sep>D': 1-2 digit month and day, the same separator twice, one of `seps`. */
function readSeparated(s: string, seps: string): boolean {
  Y = num(s, 0, 4, 4);
  const sep = s.charCodeAt(4);
  if (Y < 0 || numEnd !== 4 || (sep !== seps.charCodeAt(0) && sep !== seps.charCodeAt(1))) return false;
  M = num(s, 5, 1, 2);
  if (M < 0 || s.charCodeAt(numEnd) !== sep) return false;
  D = num(s, numEnd + 1, 1, 2);
  NEXT = numEnd;
  return D >= 0;
}

/** ' HH:mm:ss' / 'THH:mm:ss' at i (or 'HHmmss' right after a compact date), optional fraction; must end the text. */
function readTime(s: string, i: number, compact: boolean, fraction: boolean): boolean {
  if (compact) {
    H = num(s, i, 2, 2);
    MI = H < 0 ? -1 : num(s, numEnd, 2, 2);
    S = MI < 0 ? -1 : num(s, numEnd, 2, 2);
  } else {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 84) return false;
    H = num(s, i + 1, 1, 2);
    MI = H >= 0 && s.charCodeAt(numEnd) === 58 ? num(s, numEnd + 1, 2, 2) : -1;
    S = MI >= 0 && s.charCodeAt(numEnd) === 58 ? num(s, numEnd + 1, 2, 2) : -1;
  }
  if (S < 0) return false;
  let end = numEnd;
  if (fraction && s.charCodeAt(end) === 46 && end + 1 < s.length) {
    if (num(s, end + 1, 1, 9) < 0) return false;
    end = numEnd;
  }
  return end === s.length && H <= 23 && MI <= 59 && S <= 59;
}

const ZERO_DATE = /^0{4}[-/]?0{1,2}[-/]?0{1,2}(?:[ T]0{1,2}:?0{2}:?0{2}(?:\.0+)?)?$|^0{8}(?:0{6})?$/;
const ymd = () => `${Y}-${p2(M)}-${p2(D)}`;

function dateConverter(format: string): (s: string) => Converted {
  const bad = reject('bad_date');
  const read: (s: string) => boolean =
    format === 'YYYYMMDD'
      ? (s) => s.length === 8 && readCompact(s)
      : format === 'YYYY-MM-DD'
        ? (s) => readSeparated(s, '-')
        : format === 'YYYY/MM/DD'
          ? (s) => readSeparated(s, '/')
          : (s) => readSeparated(s, '-/') || ((s.length === 8 || s.length === 14) && readCompact(s));
  const auto = format !== 'YYYYMMDD' && format !== 'YYYY-MM-DD' && format !== 'YYYY/MM/DD';
  // 'auto' takes a midnight time part: '2024-01-05 00:00:00', '20240105000000'
  const midnight = (s: string, at: number) =>
    readTime(s, at, at === 8 && s.length === 14, true) && H === 0 && MI === 0 && S === 0;
  return (s) => {
    if (!read(s)) return bad;
    if (NEXT !== s.length) {
      const y = Y;
      const m = M;
      const d = D;
      if (!auto || !midnight(s, NEXT)) return bad;
      Y = y;
      M = m;
      D = d;
    }
    if (!validDate(Y, M, D)) return bad;
    if (s.length === 10 && NEXT === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) return ok(s); // already canonical
    return ok(ymd());
  };
}

function datetimeConverter(format: string): (s: string) => Converted {
  const compactOnly = format === 'YYYYMMDDHHmmss';
  const spacedOnly = format === 'YYYY-MM-DD HH:mm:ss';
  const bad = reject('bad_datetime');
  return (s) => {
    let good = false;
    if (!spacedOnly && s.length === 14) good = readCompact(s) && readTime(s, 8, true, false);
    else if (
      !compactOnly &&
      (readSeparated(s, spacedOnly ? '-' : '-/') || (!spacedOnly && s.length === 8 && readCompact(s)))
    ) {
      if (NEXT === s.length && !spacedOnly) {
        H = MI = S = 0; // 'auto': a bare date is midnight
        good = true;
      } else good = readTime(s, NEXT, false, !spacedOnly);
    }
    if (!good || !validDate(Y, M, D)) return bad;
    return ok(`${ymd()} ${p2(H)}:${p2(MI)}:${p2(S)}`);
  };
}

/** Lookup table: source text -> result, exact first, then ASCII-case-insensitive. */
function tableConverter(table: Map<string, Converted>, bad: Converted): (s: string) => Converted {
  const folded = new Map<string, Converted>();
  for (const [k, v] of table) if (!folded.has(k.toLowerCase())) folded.set(k.toLowerCase(), v);
  return (s) => table.get(s) ?? folded.get(s.toLowerCase()) ?? bad;
}

const TRUTHY = ['1', 'Y', 'YES', 'T', 'TRUE', '是', '真'];
const FALSY = ['0', 'N', 'NO', 'F', 'FALSE', '否', '假'];

function buildInner(spec: FieldSpec, mapping: Pick<ColumnMapping, 'format' | 'values'>): (s: string) => Converted {
  const values = mapping.values ?? {};
  const mapped = (s: string) => (Object.hasOwn(values, s) ? values[s]! : s);
  switch (spec.type) {
    case 'text': {
      const max = spec.maxLength ?? Infinity;
      const tooLong = reject('too_long');
      const hasMap = mapping.values !== undefined;
      return (s) => {
        const v = hasMap ? mapped(s) : s;
        return v.length > max && codePoints(v) > max ? tooLong : ok(v);
      };
    }
    case 'integer': {
      const bad = reject('bad_integer');
      return (s) => {
        const v = parseInteger(s, true);
        return Number.isNaN(v) ? bad : ok(v);
      };
    }
    case 'amount': {
      const bad = reject('bad_amount');
      const fen = mapping.format === 'fen';
      return (s) => {
        const v = fen ? parseInteger(s, false) : parseYuan(s);
        return Number.isNaN(v) ? bad : ok(v);
      };
    }
    case 'rate': {
      const bad = reject('bad_rate');
      const scale = mapping.format === 'decimal' ? 6 : 4; // ppm: 1% = 10^4 ppm, 1.0 = 10^6 ppm
      return (s) => {
        const v = parseScaled(s, scale);
        return Number.isNaN(v) ? bad : ok(v);
      };
    }
    case 'date':
      return dateConverter(mapping.format ?? 'auto');
    case 'datetime':
      return datetimeConverter(mapping.format ?? 'auto');
    case 'enum':
    case 'flag': {
      const bad = reject(spec.type === 'enum' ? 'bad_enum' : 'bad_flag');
      const table = new Map<string, Converted>();
      if (spec.values) {
        for (const v of spec.values) table.set(v, shared(v));
        for (const [from, to] of Object.entries(values)) if (spec.values.includes(to)) table.set(from, shared(to));
        return tableConverter(table, bad);
      }
      if (spec.type === 'enum') return (s) => ok(mapped(s)); // no closed list: take the mapped value
      const yes = shared(1);
      const no = shared(0);
      for (const t of TRUTHY) table.set(t, yes);
      for (const f of FALSY) table.set(f, no);
      const base = tableConverter(new Map(table), bad);
      for (const [from, to] of Object.entries(values)) table.set(from, base(to.trim()));
      return tableConverter(table, bad);
    }
  }
}

/**
 * Compiles the converter for one profile column. `mapping.constant` (a field the file does not
 * carry) is converted once, here; the returned function then ignores its argument.
 */
export function compileConverter(
  spec: FieldSpec,
  mapping: Pick<ColumnMapping, 'format' | 'values' | 'constant'> = {},
): Converter {
  const inner = buildInner(spec, mapping);
  const required = reject('required');
  const isRequired = spec.required === true;
  const zeroIsEmpty = spec.type === 'date' || spec.type === 'datetime';
  const convert: Converter = (raw) => {
    const s = raw.trim();
    if (s === '' || (zeroIsEmpty && s.charCodeAt(0) === 48 && ZERO_DATE.test(s))) return isRequired ? required : NULL;
    return inner(s);
  };
  if (mapping.constant !== undefined) {
    const fixed = Object.freeze(convert(mapping.constant));
    return () => fixed;
  }
  return convert;
}
