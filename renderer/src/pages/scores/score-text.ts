/**
 * Rates travel as integer parts per million (shared/scores.ts) and are typed as percentages: 1.8 (%)
 * is 18000 ppm. Converted through the decimal text, never a binary float, so 1.0005% stays 10005.
 */

/** ppm → the percentage as typed: 18000 → "1.8", 10005 → "1.0005". */
export function toPercent(ppm: number): string {
  const neg = ppm < 0;
  const a = Math.abs(ppm);
  const whole = Math.floor(a / 10000);
  const frac = String(a % 10000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** A typed percentage → ppm; NaN when it is not a number of at most four decimals. */
export function fromPercent(text: string): number {
  const m = /^\s*(\d+)(?:\.(\d{0,4}))?\s*$/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0'));
}

/** ppm as a percentage with one decimal for reading: 954089 → "95.4%". */
export function ppmPercent(ppm: number): string {
  return `${(ppm / 10000).toFixed(1)}%`;
}

/** ppm as a percentage with up to four decimals for a rate: 18000 → "1.8%". */
export function ratePercent(ppm: number): string {
  return `${toPercent(ppm)}%`;
}
