/**
 * Masking rules for personal identifiers, applied in the main process before data leaves it.
 * Resident ID: keep the 6-digit region and the last 4 (110101********1234).
 * Mobile: keep the 3-digit prefix and the last 4 (138****5678).
 */
export function maskIdNo(idNo: string | null): string | null {
  if (idNo == null) return null;
  const n = idNo.length;
  if (n <= 8) return '*'.repeat(n);
  // At least four characters hidden whatever the length (passports are 9, permits 8-11).
  const head = Math.min(6, n - 8);
  return idNo.slice(0, head) + '*'.repeat(n - head - 4) + idNo.slice(-4);
}

export function maskPhone(phone: string | null): string | null {
  if (phone == null) return null;
  const n = phone.length;
  if (n <= 7) return phone.slice(0, 1) + '*'.repeat(Math.max(0, n - 1));
  const head = Math.min(3, n - 8);
  return phone.slice(0, head) + '*'.repeat(n - head - 4) + phone.slice(-4);
}

/** A person's or company's name: the first character, the rest starred (王** for 王小明). */
export function maskName(name: string | null): string | null {
  if (name == null) return null;
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

/** An account or card number: the last four digits (************1234). */
export function maskAccountNo(no: string | null): string | null {
  if (no == null) return null;
  return no.length <= 4 ? '*'.repeat(no.length) : '*'.repeat(no.length - 4) + no.slice(-4);
}

/** Free text that identifies a person (address, employer, e-mail): the first two characters only. */
export function maskText(text: string | null): string | null {
  if (text == null) return null;
  const chars = [...text];
  return chars.length <= 2
    ? '*'.repeat(chars.length)
    : chars.slice(0, 2).join('') + '*'.repeat(Math.min(8, chars.length - 2));
}
