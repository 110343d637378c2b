/**
 * Display formatting for figures and times. Money stays a decimal string end to end: amounts are
 * converted through integer fen (BigInt), never through a binary float.
 */
import { fenToYuan, formatYuan, yuanToFen } from '../../shared/money';

export type DisplayLocale = 'zh-CN' | 'en';

/** "1234.50" → "1,234.50"; anything malformed is shown as it came. */
export function yuan(text: string): string {
  return formatYuan(text);
}

/**
 * Yuan in 万元 (ten thousands) with two decimals, rounded half away from zero:
 * "123456789.00" → "12,345.68". Malformed input is returned unchanged.
 */
export function wan(text: string): string {
  let fen: bigint;
  try {
    fen = yuanToFen(text);
  } catch {
    return text;
  }
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  // hundredths of 万元 = fen / 10 000, rounded
  const hundredths = (abs + 5_000n) / 10_000n;
  const signed = neg && hundredths !== 0n ? -hundredths : hundredths;
  return formatYuan(fenToYuan(signed));
}

/** Whole numbers with grouping: 12345 → "12,345". */
export function count(n: number, locale: DisplayLocale = 'zh-CN'): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/**
 * A percentage as every screen writes one: one decimal ("12.5%", "-0.1%"); "—" for none. The
 * figures may carry more precision (reports send hundredths); the display convention is one decimal.
 */
export function percent(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—';
  return `${v.toFixed(1)}%`;
}

/** part / total as a percentage with one decimal ("12.5%"); "—" when the total is zero. */
export function share(part: number, total: number): string {
  if (!total) return '—';
  return `${((part * 100) / total).toFixed(1)}%`;
}

/** Share of two money strings (e.g. a tier's AUM of the whole), computed in fen. */
export function moneyShare(part: string, total: string): string {
  try {
    const p = yuanToFen(part);
    const t = yuanToFen(total);
    if (t === 0n) return '—';
    const bp = (p * 10_000n + t / 2n) / t; // basis points: hundredths of a percent
    const tenths = (bp + 5n) / 10n;
    const whole = tenths / 10n;
    const tenth = tenths % 10n;
    return `${whole.toString()}.${tenth.toString()}%`;
  } catch {
    return '—';
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** An ISO timestamp in local time as "YYYY-MM-DD HH:mm"; "—" for null or unparsable input. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Range label parts for a page: first and last row numbers (1-based) of `offset`/`limit` in `total`. */
export function pageRange(offset: number, rows: number, total: number): { from: number; to: number; total: number } {
  if (rows === 0 || total === 0) return { from: 0, to: 0, total };
  return { from: offset + 1, to: Math.min(offset + rows, total), total };
}
