import { describe, expect, it } from 'vitest';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../../db/password';

// A low cost keeps the test fast; the format records the cost, so verify reads it back from the hash.
const CHEAP = { N: 1 << 10, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('verifies a hash made at the earlier cost (2^15): stored hashes keep working after the raise', async () => {
    const old = await hashPassword('柜员2026!', { N: 1 << 15, r: 8, p: 1 });
    expect(old.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('柜员2026!', old)).toBe(true);
  });

  it('verifies the password it was made from and nothing else', async () => {
    const stored = await hashPassword('柜员2026!', CHEAP);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('柜员2026!', stored)).toBe(true);
    expect(await verifyPassword('柜员2026', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts each hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same', CHEAP), hashPassword('same', CHEAP)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('treats compatibility forms of a character alike (NFKC): full-width digits sign in', async () => {
    const stored = await hashPassword('pass１２３', CHEAP);
    expect(await verifyPassword('pass123', stored)).toBe(true);
  });

  it('refuses stored values that are not its format', async () => {
    expect(await verifyPassword('x', '')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$10$abc')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1024$8$1$c2FsdA==')).toBe(false);
  });

  it('keeps one dummy hash for unknown users, at the real cost, which no guess matches', async () => {
    const d = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(d);
    // OWASP's floor, N = 2^17, r = 8, p = 1 (issue 19.6: it was 2^15); an unknown name costs what a real one does.
    expect(d.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(await verifyPassword('admin', d)).toBe(false);
  });
});
