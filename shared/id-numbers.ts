/**
 * Check characters of Chinese identifiers. Used by the demo generator and by import validation.
 * GB 11643-1999 (resident ID): ISO 7064 MOD 11-2 over the first 17 digits.
 * GB 32100-2015 (unified social credit code): MOD 31 over the first 17 characters.
 */
import { daysInMonth } from './dates';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The MOD 11-2 weighted sum of the first 17 characters, or -1 when one is not a digit. */
function residentIdSum(s: string): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = s.charCodeAt(i) - 48;
    if (!(v >= 0 && v <= 9)) return -1; // NaN past the end of a shorter string
    sum += v * ID_WEIGHTS[i]!;
  }
  return sum;
}

export function residentIdCheckChar(first17: string): string {
  const sum = first17.length === 17 ? residentIdSum(first17) : -1;
  if (sum < 0) throw new RangeError('resident ID body must be 17 digits');
  return ID_CHECK[sum % 11]!;
}

/**
 * 18 characters: 17 digits and a digit or X, the MOD 11-2 check character, and a real birth date
 * (year 0100 or later, as Date.UTC reads years below 100 as 19xx). Called for every row of a CIF
 * import: one pass over the character codes, no regex, slices or Date.
 */
export function isValidResidentId(id: string): boolean {
  if (id.length !== 18) return false;
  const sum = residentIdSum(id);
  if (sum < 0) return false;
  const last = id.charCodeAt(17);
  if (!((last >= 48 && last <= 57) || last === 88)) return false;
  if (ID_CHECK.charCodeAt(sum % 11) !== last) return false;
  // (no helper closure: a dev build wraps each one made per call in a naming helper)
  const y = id.charCodeAt(6) * 1000 + id.charCodeAt(7) * 100 + id.charCodeAt(8) * 10 + id.charCodeAt(9) - 48 * 1111;
  const m = id.charCodeAt(10) * 10 + id.charCodeAt(11) - 48 * 11;
  const d = id.charCodeAt(12) * 10 + id.charCodeAt(13) - 48 * 11;
  return y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(first17[i]!);
    if (v < 0) throw new RangeError(`invalid USCC character ${first17[i]}`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

export function isValidUscc(code: string): boolean {
  if (code.length !== 18) return false;
  try {
    return usccCheckChar(code.slice(0, 17)) === code[17];
  } catch {
    return false;
  }
}

/**
 * A 15-digit resident ID issued before 1999 (GB 11643-1989): 6-digit region, YYMMDD born in the
 * 1900s, 3-digit sequence, no check character.
 */
export function isValidLegacyResidentId(id: string): boolean {
  if (!/^\d{15}$/.test(id)) return false;
  const y = 1900 + Number(id.slice(6, 8));
  const m = Number(id.slice(8, 10));
  const d = Number(id.slice(10, 12));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The 18-digit form of a legacy 15-digit ID: '19' inserted before the year, check character appended. */
export function upgradeLegacyResidentId(id15: string): string {
  const body = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return body + residentIdCheckChar(body);
}

/** Luhn (ISO/IEC 7812) check over a string of digits, the last one being the check digit. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 1, odd = false; i >= 0; i--, odd = !odd) {
    let v = digits.charCodeAt(i) - 48;
    if (odd) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 === 0;
}

/** A bank card number: 13 to 19 digits passing Luhn (UnionPay 62..., Visa, Mastercard...). */
export function isValidCardNo(no: string): boolean {
  return /^\d{13,19}$/.test(no) && luhnValid(no);
}

/** A mainland mobile number: 11 digits, 1 then 3-9 (after normalizeMobile). */
export function isValidMobile(no: string): boolean {
  return /^1[3-9]\d{9}$/.test(no);
}

/** '+86 138-0013-8000', '0086 13800138000', '86-13800138000' -> '13800138000'; anything else as given. */
export function normalizeMobile(no: string): string {
  const s = no.replace(/[\s-]/g, '');
  const m = /^(?:\+86|0086|86)?(1\d{10})$/.exec(s);
  return m ? m[1]! : no;
}

/**
 * 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits (10 on permits issued before 2013),
 * or an 18-digit 港澳居民居住证 (region 810000 / 820000, resident-ID check character).
 */
export function isValidHkMoPermit(no: string): boolean {
  if (/^[HM]\d{8}(\d{2})?$/.test(no)) return true;
  return /^8[12]0000/.test(no) && isValidResidentId(no);
}

/**
 * 台湾居民来往大陆通行证: 8 digits (10 on older cards, sometimes with a bracketed letter), or an
 * 18-digit 台湾居民居住证 (region 830000).
 */
export function isValidTwPermit(no: string): boolean {
  if (/^\d{8}$/.test(no) || /^\d{10}$/.test(no) || /^\d{8}\([A-Z]\)$/.test(no)) return true;
  return no.startsWith('830000') && isValidResidentId(no);
}

/** Passports (Chinese and foreign, ICAO 9303 document numbers): 5 to 17 letters and digits. */
export function isValidPassport(no: string): boolean {
  return /^[A-Z0-9]{5,17}$/.test(no) && /\d/.test(no);
}

export type IdType = 'resident_id' | 'passport' | 'hk_mo_permit' | 'tw_permit' | 'uscc' | 'other';

export interface IdCheckOptions {
  /** 15-digit resident IDs: upgrade to 18 digits (the default) or keep them as issued. */
  legacy15?: 'convert' | 'keep';
}

/** Only 0-9 and A-Z: nothing to strip or upper-case (the common case, checked without allocating). */
function plainUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return true;
}

/**
 * An identifier checked by its type's rules. `value` is the identifier as stored (upper-cased, a
 * 15-digit ID upgraded unless kept), or null when it is not valid for the type.
 */
export function checkIdNo(type: string, raw: string, opts: IdCheckOptions = {}): { value: string } | null {
  const no = plainUpper(raw) ? raw : raw.replace(/\s/g, '').toUpperCase();
  switch (type) {
    case 'resident_id':
      if (isValidResidentId(no)) return { value: no };
      if (isValidLegacyResidentId(no)) return { value: opts.legacy15 === 'keep' ? no : upgradeLegacyResidentId(no) };
      return null;
    case 'passport':
      return isValidPassport(no) ? { value: no } : null;
    case 'hk_mo_permit':
      return isValidHkMoPermit(no) ? { value: no } : null;
    case 'tw_permit':
      return isValidTwPermit(no) ? { value: no } : null;
    case 'uscc':
      return isValidUscc(no) ? { value: no } : null;
    default:
      return { value: raw };
  }
}
