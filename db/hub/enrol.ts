import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Branches, one-time enrolment codes and enrolled PCs. A code is shown once on the hub (the
 * administrator types it on the PC), stored only as a hash, expires, and is spent by the first PC that
 * uses it. The PC then gets its own random secret, also stored only as a hash.
 */

// No 0/O, 1/I/L: codes are read off one screen and typed on another.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEFAULT_CODE_TTL_MS = 24 * 3600_000;

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function codeHash(branch: string, code: string): string {
  return sha256(`${branch}:${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`);
}

export async function ensureBranch(pool: Pool, branch: string, name = branch): Promise<void> {
  await pool.query('INSERT INTO branches (branch, name) VALUES ($1, $2) ON CONFLICT (branch) DO NOTHING', [
    branch,
    name,
  ]);
}

/** A new one-time code for the branch, e.g. `K7PQ-M2XR-9TAB-W4HD` (about 80 bits). */
export async function issueEnrolCode(
  pool: Pool,
  branch: string,
  ttlMs = DEFAULT_CODE_TTL_MS,
): Promise<{ code: string; expiresAt: Date }> {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  const code = chars.match(/.{4}/g)!.join('-');
  const expiresAt = new Date(Date.now() + ttlMs);
  await pool.query('INSERT INTO enrol_codes (branch, code_hash, expires_at) VALUES ($1, $2, $3)', [
    branch,
    codeHash(branch, code),
    expiresAt,
  ]);
  await pool.query("INSERT INTO audit (branch, action, detail) VALUES ($1, 'enrol_code.issued', $2)", [
    branch,
    { expiresAt: expiresAt.toISOString() },
  ]);
  return { code, expiresAt };
}

/**
 * Spends a code and enrols a PC, in one transaction (two PCs racing with one code: the UPDATE's row
 * lock lets exactly one through). Returns null for an unknown, used or expired code alike, so a guesser
 * learns nothing; the refusal is audited when the branch exists.
 */
export async function enrolPc(
  pool: Pool,
  input: { branch: string; code: string; name: string },
): Promise<{ pcId: string; secret: string } | null> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const pcId = randomUUID();
    const spent = await c.query(
      `UPDATE enrol_codes SET used_at = now(), used_by = $3
        WHERE branch = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > now()`,
      [input.branch, codeHash(input.branch, input.code), pcId],
    );
    if (spent.rowCount !== 1) {
      await c.query(
        `INSERT INTO audit (branch, action, detail) SELECT $1, 'enrol.refused', $2
          WHERE EXISTS (SELECT 1 FROM branches WHERE branch = $1)`,
        [input.branch, { name: input.name }],
      );
      await c.query('COMMIT');
      return null;
    }
    const secret = randomBytes(32).toString('base64url');
    await c.query('INSERT INTO pcs (branch, pc_id, name, secret_hash) VALUES ($1, $2, $3, $4)', [
      input.branch,
      pcId,
      input.name,
      sha256(secret),
    ]);
    await c.query("INSERT INTO audit (branch, pc_id, action, detail) VALUES ($1, $2, 'enrol', $3)", [
      input.branch,
      pcId,
      { name: input.name },
    ]);
    await c.query('COMMIT');
    return { pcId, secret };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

export interface PcIdentity {
  branch: string;
  pcId: string;
}

const TOKEN_RE = /^Bearer ([A-Za-z0-9_-]{1,32}):([0-9a-f-]{36}):([A-Za-z0-9_-]{43})$/;

/** The PC behind an Authorization header, or null (malformed, unknown, revoked or wrong secret alike). */
export async function authenticatePc(pool: Pool, header: string | undefined): Promise<PcIdentity | null> {
  const m = TOKEN_RE.exec(header ?? '');
  if (!m) return null;
  const [, branch, pcId, secret] = m as unknown as [string, string, string, string];
  const r = await pool.query('SELECT secret_hash FROM pcs WHERE branch = $1 AND pc_id = $2 AND revoked_at IS NULL', [
    branch,
    pcId,
  ]);
  const stored = r.rows[0]?.secret_hash as string | undefined;
  if (!stored) return null;
  const ok = timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(sha256(secret), 'hex'));
  return ok ? { branch, pcId } : null;
}

/** Takes a PC off the hub: its secret stops working at once (pulls, pushes, wake-ups). Audited. */
export async function revokePc(pool: Pool, branch: string, pcId: string): Promise<boolean> {
  const r = await pool.query(
    'UPDATE pcs SET revoked_at = now() WHERE branch = $1 AND pc_id = $2 AND revoked_at IS NULL',
    [branch, pcId],
  );
  if (r.rowCount !== 1) return false;
  await pool.query("INSERT INTO audit (branch, pc_id, action) VALUES ($1, $2, 'pc.revoked')", [branch, pcId]);
  return true;
}
