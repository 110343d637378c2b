/**
 * The amount typed in 确认成交, as a yuan string for the API: "200000", "200,000.50", "50万", "1.5万元".
 * Pure. A branch user writes amounts the way they are spoken; anything else is refused with a reason
 * the dialog shows in the user's language.
 */
export type AmountCheck = { ok: true; yuan: string } | { ok: false; problem: 'required' | 'invalid' };

const NUMBER = /^(\d{1,13})(?:\.(\d{1,6}))?$/;

export function parseWinAmount(text: string): AmountCheck {
  const s = text.replace(/[\s,，]/g, '').replace(/元$/, '');
  if (!s) return { ok: false, problem: 'required' };
  const wan = s.endsWith('万');
  const m = NUMBER.exec(wan ? s.slice(0, -1) : s);
  if (!m) return { ok: false, problem: 'invalid' };
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  // exact, in fen: 1 yuan is 100 fen, 1 万 is 1,000,000 fen
  const places = wan ? 6 : 2;
  if (frac.length > places) return { ok: false, problem: 'invalid' };
  const fen = BigInt(`${whole}${frac.padEnd(places, '0')}`);
  if (fen <= 0n || fen >= 10n ** 15n) return { ok: false, problem: 'invalid' };
  const yuan = `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
  return { ok: true, yuan };
}
