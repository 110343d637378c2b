/**
 * The one password policy, for a user's own new password and for the temporary password an
 * administrator sets: checked by the main process (the rule that counts) and shown on the forms by
 * the renderer from the same function, so the form states exactly what the server enforces.
 * Banking norm (and issue 19.6): at least 10 characters from three of four classes, not a common
 * password or a light disguise of one, not the user name, not one character repeated. Reuse of the
 * last passwords is checked against their hashes in the main process.
 */

export const PASSWORD_POLICY = {
  minLength: 10,
  maxLength: 256,
  /** Of lower-case letters, upper-case letters, digits and other characters. */
  minClasses: 3,
  /** A new password may not be any of the user's last this-many passwords (the current one included). */
  history: 5,
} as const;

export type PasswordRule = 'min_length' | 'max_length' | 'char_classes' | 'common' | 'contains_username' | 'repetitive';

/**
 * Passwords and roots that guessing tools try first (international lists and the ones common in
 * mainland China: pinyin phrases, lucky numbers, keyboard rows). A password is refused when it is one of
 * these once lower-cased, un-leeted (0→o, 1→l, 3→e, 4→a, 5→s, 7→t, @→a, $→s) and stripped of digits and
 * symbols at either end, so Passw0rd, password1 and P@ssword2026! are all refused.
 */
const COMMON_ROOTS = new Set([
  'password',
  'passwd',
  'pass',
  'admin',
  'administrator',
  'root',
  'qwerty',
  'qwertyuiop',
  'asdfgh',
  'asdfghjkl',
  'zxcvbn',
  'zxcvbnm',
  'qazwsx',
  'abc',
  'abcd',
  'abcdef',
  'abcdefg',
  'iloveyou',
  'welcome',
  'letmein',
  'monkey',
  'dragon',
  'master',
  'login',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'trustno',
  'changeme',
  'default',
  'guest',
  'test',
  'user',
  'bank',
  'banking',
  'crm',
  'woaini',
  'woaiwojia',
  'nihao',
  'zhongguo',
  'china',
  'beijing',
  'shanghai',
  'aini',
  'wangyi',
  'huawei',
  'qq',
  'aaa',
]);

/** Whole passwords that are common as they are (digits only or with a short word). */
const COMMON_WHOLE = new Set([
  '1234567890',
  '0123456789',
  '1qaz2wsx3edc',
  '1q2w3e4r5t',
  'q1w2e3r4t5',
  '5201314520',
  '1314520520',
  'a123456789',
  'qwe1234567',
]);

const LEET: Record<string, string> = { '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

function classesOf(pw: string): number {
  let n = 0;
  if (/[a-z]/.test(pw)) n++;
  if (/[A-Z]/.test(pw)) n++;
  if (/\d/.test(pw)) n++;
  if (/[^A-Za-z\d]/.test(pw)) n++;
  return n;
}

function isCommon(pw: string): boolean {
  const lower = pw.toLowerCase();
  if (COMMON_WHOLE.has(lower)) return true;
  const trim = (x: string) => x.replace(/^[^a-z]+|[^a-z]+$/g, '');
  // Trim first, then un-leet what is left: the digits at the end of Passw0rd2026 are a suffix, the 0 a disguise.
  const stripped = trim(lower);
  const unleeted = trim([...stripped].map((c) => LEET[c] ?? c).join(''));
  return [stripped, unleeted].some((root) => root.length === 0 || COMMON_ROOTS.has(root));
}

/** Everything a candidate password breaks (empty: acceptable). `username` is the account's name. */
export function passwordProblems(pw: string, username: string | null): PasswordRule[] {
  const out: PasswordRule[] = [];
  if ([...pw].length < PASSWORD_POLICY.minLength) out.push('min_length');
  if (pw.length > PASSWORD_POLICY.maxLength) out.push('max_length');
  if (classesOf(pw) < PASSWORD_POLICY.minClasses) out.push('char_classes');
  if (isCommon(pw)) out.push('common');
  const name = username?.trim().toLowerCase() ?? '';
  if (name.length >= 3 && pw.toLowerCase().includes(name)) out.push('contains_username');
  if (/^(.)\1+$/.test(pw) || new Set(pw).size <= 3) out.push('repetitive');
  return out;
}
