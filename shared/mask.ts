/**
 * Masking rules for personal identifiers, applied in the main process before data leaves it.
 * Resident ID: keep the 6-digit region and the last 4 (110101********1234).
 * Mobile: keep the 3-digit prefix and the last 4 (138****5678).
 */
export function maskIdNo(idNo: string | null): string | null {
  if (idNo == null) return null;
  if (idNo.length <= 8) return '*'.repeat(idNo.length);
  return idNo.slice(0, 6) + '*'.repeat(idNo.length - 10) + idNo.slice(-4);
}

export function maskPhone(phone: string | null): string | null {
  if (phone == null) return null;
  if (phone.length <= 7) return phone.slice(0, 1) + '*'.repeat(Math.max(0, phone.length - 1));
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}
