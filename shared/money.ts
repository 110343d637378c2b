/**
 * Money is integer fen in the store and a decimal yuan string on the wire. Conversion never goes
 * through a binary float: fen arrive as safe integers or BigInt (sums read with safeIntegers).
 */
export function fenToYuan(fen: number | bigint): string {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) throw new RangeError(`not an integer fen amount: ${fen}`);
  const v = BigInt(fen);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const yuan = abs / 100n;
  const cents = abs % 100n;
  return `${neg ? '-' : ''}${yuan.toString()}.${cents.toString().padStart(2, '0')}`;
}

const YUAN_RE = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** Parses "1234.5" / "-0.07" / "12" into integer fen. Rejects anything else (separators belong to import profiles). */
export function yuanToFen(text: string): bigint {
  const m = YUAN_RE.exec(text.trim());
  if (!m) throw new RangeError(`not a yuan amount: ${JSON.stringify(text)}`);
  const fen = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** Display form with thousands separators: "1,234,567.80". */
export function formatYuan(yuan: string): string {
  const m = /^(-)?(\d+)\.(\d{2})$/.exec(yuan);
  if (!m) return yuan;
  return `${m[1] ?? ''}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${m[3]}`;
}

/** Units a typed amount may carry after its number: 万 (10^4) and 亿 (10^8), and 元 (1). */
const UNIT_POWER: Record<string, number> = { '': 0, 元: 0, 万: 4, 万元: 4, w: 4, W: 4, 亿: 8, 亿元: 8 };

/**
 * An amount as a branch user types it into a filter: "500000", "500,000", "50万", "1.5万", "2亿",
 * "３０万元" (full-width digits and commas are folded). Returns the decimal yuan string for the wire,
 * or null when it is not an amount ("abc", "5万5", "-3", more than fen precision). Blank is "" (no bound).
 */
export function parseAmountInput(text: string): string | null {
  const s = text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[，,\s]/g, '')
    .replace(/．/g, '.');
  if (s === '') return '';
  const m = /^(\d+)(?:\.(\d+))?(元|万元?|亿元?|w|W)?$/.exec(s);
  if (!m) return null;
  const power = UNIT_POWER[m[3] ?? '']!;
  const frac = m[2] ?? '';
  // at most fen: two decimals of a yuan, six of a 万, ten of an 亿
  if (frac.length > power + 2) return null;
  const digits = (m[1]! + frac.padEnd(power + 2, '0')).replace(/^0+(?=\d)/, '');
  const fen = BigInt(digits);
  return fenToYuan(fen);
}
