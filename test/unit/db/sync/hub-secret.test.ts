import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ensureSyncSchema,
  type HubSecretProtector,
  protectStoredSecret,
  readSyncState,
  saveIdentity,
  setHubSecretProtector,
} from '../../../../db/sync/schema';
import { setKeyProtector } from '../../../../main/store-key';
import { SyncWorker } from '../../../../main/sync/worker';

/**
 * Issue 16 security: the PC's hub secret is kept wrapped by the protection the store key uses (Electron's
 * safeStorage, DPAPI on Windows). Electron cannot run here, so a stand-in with safeStorage's contract is
 * used: bytes only this "Windows user" (its own key) can unwrap; another one's unwrap throws, as DPAPI does.
 */
function osUser(kind = 'safeStorage'): HubSecretProtector {
  const key = randomBytes(32);
  return {
    kind,
    available: () => true,
    wrap(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    unwrap(wrapped) {
      const d = createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, 12));
      d.setAuthTag(wrapped.subarray(12, 28));
      return Buffer.concat([d.update(wrapped.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const SECRET = randomBytes(32).toString('base64url');
const identity = {
  hubUrl: 'http://127.0.0.1:9',
  branch: 'B01',
  pcId: '01900000-0000-7000-8000-000000000001',
  secret: SECRET,
};
const column = (db: BetterSqlite3.Database) =>
  db.prepare('SELECT secret FROM sync_state WHERE id = 1').pluck().get() as string;

function store() {
  const db = new BetterSqlite3(':memory:');
  ensureSyncSchema(db);
  return db;
}

afterEach(() => {
  setKeyProtector(null);
  setHubSecretProtector(null);
});

describe("the PC's hub secret", () => {
  it('is wrapped by the key protector the store key uses (set once, by setKeyProtector) and read back', () => {
    const me = osUser();
    setKeyProtector(me);
    const db = store();
    saveIdentity(db, identity);
    const stored = column(db);
    expect(stored.startsWith('safeStorage:')).toBe(true);
    expect(stored).not.toContain(SECRET);
    expect(Buffer.from(stored.slice('safeStorage:'.length), 'base64').includes(Buffer.from(SECRET))).toBe(false);
    expect(readSyncState(db).identity).toEqual(identity);
  });

  it('in browser mode (no OS protection) stays as is, inside the store its key file encrypts', () => {
    const db = store();
    saveIdentity(db, identity);
    expect(column(db)).toBe(SECRET);
    expect(readSyncState(db).identity).toEqual(identity);
  });

  it('a secret stored as is is wrapped once the protection is there (a PC joined before)', () => {
    const db = store();
    saveIdentity(db, identity);
    setHubSecretProtector(osUser());
    expect(protectStoredSecret(db)).toBe(true);
    expect(column(db)).not.toContain(SECRET);
    expect(protectStoredSecret(db)).toBe(false);
    expect(readSyncState(db).identity?.secret).toBe(SECRET);
  });

  it('copied to another Windows user or PC, it is not usable: the sync says so and sends nothing', async () => {
    setHubSecretProtector(osUser());
    const db = store();
    saveIdentity(db, identity);
    // Another user: the same kind of protection, not the same key (DPAPI refuses to unwrap).
    setHubSecretProtector(osUser());
    const id = readSyncState(db).identity;
    expect(id).toMatchObject({ hubUrl: identity.hubUrl, pcId: identity.pcId, secret: '', secretUnreadable: true });
    // And where there is no protection at all (the store opened in browser mode).
    setHubSecretProtector(null);
    expect(readSyncState(db).identity?.secretUnreadable).toBe(true);
    const worker = new SyncWorker({ db, mutators: {}, intervalMs: 60_000, backoffMs: 60_000 });
    worker.start();
    const status = await worker.syncNow();
    await worker.stop();
    expect(status.state).toBe('error');
    expect(status.state === 'error' && status.reason).toMatch(/hub secret unreadable/);
    expect(worker.listening).toBe(false);
  });
});
