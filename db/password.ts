import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt password hashes, self-describing so the cost can rise later without breaking old hashes:
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`. Async so a sign-in never blocks the event loop.
 * In the store layer because the store keeps the hashes: sign-in (main/) and the demo generator
 * (db/demo/, which must not import main/) both hash with it.
 */
const KEY_LEN = 32;
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/**
 * OWASP's floor for scrypt (N ≥ 2^17 with r = 8, p = 1; issue 19.6): about 128 MB and half a second per
 * hash on a branch PC, paid once at sign-in. Hashes are self-describing, so those made at the earlier
 * 2^15 still verify, and a user's next password is hashed at this cost.
 */
export const DEFAULT_COST: ScryptCost = { N: 1 << 17, r: 8, p: 1 };
/**
 * The demo branch's users: their password is printed in the README, so the cost protects nothing, and
 * seeding a store (tests seed dozens) should not spend seconds on it.
 */
export const DEMO_COST: ScryptCost = { N: 1 << 14, r: 8, p: 1 };

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFKC'), salt, KEY_LEN, { ...opts, maxmem: 128 * opts.N! * opts.r! * 2 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Spent on unknown usernames so a failed sign-in takes as long whether or not the user exists. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(12).toString('hex'));
  return dummyHash;
}
