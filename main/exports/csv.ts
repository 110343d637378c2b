/**
 * CSV cells for exports (the customer grid's and a marketing list's, both written by ./worker.ts).
 *
 * CSV injection (OWASP): Excel runs a cell starting with =, +, -, @, tab or CR as a formula
 * (=HYPERLINK(...), =cmd|' /C calc'!A0, DDE), and a customer's name, address or a manager's note is
 * typed by someone. Such a text gets a leading apostrophe and is always quoted, so Excel shows it as
 * text. Numbers this worker writes itself (money '-1234.56', counts) are left as numbers.
 */

/** A plain decimal number: Excel reads it as a number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: neutralised when it would start a formula, quoted per RFC 4180 when needed. */
export function csvCell(s: unknown): string {
  if (s == null) return '';
  let t = String(s);
  const risky = FORMULA_START.test(t) && !PLAIN_NUMBER.test(t);
  if (risky) t = `'${t}`;
  return risky || /[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}
