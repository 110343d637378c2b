/**
 * Money as a user types it into a form box (a risk threshold, a points unit, an opportunity's amount):
 * digits grouped by thousands while typing and on leaving the box, the unit (元 or 万元) written
 * beside it, and the text read back to integer fen exactly — through digit strings and BigInt, never a
 * binary float (0.1 + 0.2). The store keeps money in fen (shared/money.ts); a box may be in 元 or in
 * 万元 (1 万元 = 1,000,000 fen).
 */
import { fenToYuan } from './money';

export type MoneyUnit = 'yuan' | 'wan';

/** Decimal places a unit's box accepts: fen is the smallest amount (0.01 元 = 0.000001 万元). */
export const UNIT_PLACES: Record<MoneyUnit, number> = { yuan: 2, wan: 6 };

/** Full-width digits, commas and points folded to ASCII; spaces and group separators dropped. */
function fold(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/．|。/g, '.')
    .replace(/[,，\s\u00A0]/g, '');
}

/**
 * The typed text as integer fen in the box's unit, or null when it is not an amount ("abc", "1.2.3",
 * "-5", more decimals than a fen, a second unit). Blank is null too: the caller says whether blank is
 * allowed. A trailing unit that matches the box (元 in a 元 box, 万/万元 in a 万元 box) is accepted, and
 * so is 万 in a 元 box ("50万" = 500,000 元, as a branch user says it).
 */
export function parseMoneyInput(text: string, unit: MoneyUnit = 'yuan'): bigint | null {
  const s = fold(text);
  const m = /^(\d+)(?:\.(\d*))?(元|万元?|w|W)?$/.exec(s);
  if (!m) return null;
  const suffix = m[3] ?? '';
  const wanSuffix = suffix.startsWith('万') || suffix === 'w' || suffix === 'W';
  if (unit === 'wan' && suffix === '元') return null;
  const places = wanSuffix || unit === 'wan' ? UNIT_PLACES.wan : UNIT_PLACES.yuan;
  const frac = m[2] ?? '';
  if (frac.length > places) return null;
  return BigInt(`${m[1]}${frac.padEnd(places, '0')}`);
}

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Fen as the box shows them, grouped, in the box's unit: 20000000 fen → "200,000" (元) or "20" (万元);
 * decimals only as far as they carry a value (12345 fen → "123.45"; 20050000 fen in 万元 → "20.05").
 */
export function formatMoneyInput(fen: bigint, unit: MoneyUnit = 'yuan'): string {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const scale = unit === 'wan' ? 1_000_000n : 100n;
  const places = UNIT_PLACES[unit];
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${group(whole.toString())}${frac ? `.${frac}` : ''}`;
}

/** Fen as the decimal yuan string the API takes ("200000.00"). */
export const fenToApiYuan = (fen: bigint): string => fenToYuan(fen);

/**
 * The text while it is typed, with its integer digits grouped again and the caret kept after the same
 * digit: typing 2000000 reads 2,000,000 as it grows. Anything that is not a plain number so far (a
 * unit being typed, a letter) is left as typed; the box says what is wrong when it is left.
 */
export function groupWhileTyping(text: string, caret: number): { text: string; caret: number } {
  const m = /^(\d[\d,]*)(\.\d*)?$/.exec(text);
  if (!m) return { text, caret };
  const grouped = group(m[1]!.replace(/,/g, '').replace(/^0+(?=\d)/, '')) + (m[2] ?? '');
  // the caret goes after as many digits (and the point) as stood before it
  const before = text.slice(0, caret).replace(/,/g, '').length;
  let seen = 0;
  let at = 0;
  while (at < grouped.length && seen < before) {
    if (grouped[at] !== ',') seen++;
    at++;
  }
  // leading zeros dropped: the caret cannot sit past the text
  return { text: grouped, caret: Math.min(at, grouped.length) };
}

/**
 * A box's text for an optional amount of the API (decimal yuan): undefined when blank, the exact yuan
 * string when it reads as an amount, else the text as typed so the API's check refuses it by name.
 */
export function moneyInputForApi(text: string, unit: MoneyUnit = 'yuan'): string | undefined {
  if (!text.trim()) return undefined;
  const fen = parseMoneyInput(text, unit);
  return fen === null ? text.trim() : fenToYuan(fen);
}
