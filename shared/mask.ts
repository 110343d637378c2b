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
