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
