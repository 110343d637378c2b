/**
 * Issue 19, the attack suite: the attacks a bank's security review ran against browser mode, replayed
 * against the real services behind the real loopback host (HTTP, token, the registry, a SQLite store on
 * disk), each asserted to be stopped:
 *
 *  1. search unmasking: prefixing the visible last four one digit at a time must not reveal the masked
 *     middle; guessing whole numbers is rate-limited; every identifier look-up is audited, masked;
 *  2. parallel sign-in: 30 wrong passwords in flight with the right one end locked with no session, and
 *     an unknown user name answers exactly like a real one;
 *  3. audit tamper on a copy: dropping the triggers, deleting three reveal records, relabelling the
 *     exports and recreating the triggers is named by `crm audit verify` and `crm check`.
 *  4. one-byte corruption: appended by the store-protection work (issue 19.5, 19.7) below the marker.
 *
 * Each part builds its own world (makeWorld: a small branch with known customers) and host.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { quarantineFile } from '../../../db/quarantine';
import { type RunningHost, startHost } from '../../../main/host/server';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import { fileContains, firstLeafPage, flipByte } from '../store/encryption-support';
import { makeWorld, TEST_PASSWORD, type World } from '../support/store';

interface Attack {
  w: World;
  host: RunningHost;
  close(): Promise<void>;
}

/** A world served by the browser-mode host, as the reviewer attacked it. */
async function target(): Promise<Attack> {
  const w = await makeWorld();
  const dir = path.join(w.dir, 'renderer');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>CRM</title>');
  const host = await startHost({ registry: w.registry, rendererDir: dir });
  return {
    w,
    host,
    async close() {
      await host.close();
      w.close();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: answers are checked by shape (toEqual / toMatchObject)
type Answer = { ok: true; value: any } | { ok: false; error: { code: string; details?: Record<string, unknown> } };

/** One API call over HTTP, exactly as a script in the browser (or curl with the token) would send it. */
async function api(a: Attack, method: string, input: unknown, session: string | null = null): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${a.host.port}/api/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-crm-token': a.host.token },
    body: JSON.stringify({ method, input, session }),
  });
  return (await res.json()) as Answer;
}

async function session(a: Attack, username: string): Promise<string> {
  const r = await api(a, 'auth.signIn', { username, password: TEST_PASSWORD });
  if (!r.ok) throw new Error(`sign-in of ${username} failed: ${JSON.stringify(r.error)}`);
  return r.value.session as string;
}

function auditRows(w: World, action: string): { username: string; outcome: string; details: string | null }[] {
  return w.db.prepare('SELECT username, outcome, details FROM audit_log WHERE action = ? ORDER BY id').all(action) as {
    username: string;
    outcome: string;
    details: string | null;
  }[];
}

describe('1. search unmasking', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await target();
  });
  afterAll(() => a.close());

  // 张伟: shown as 110101********1234 and 138****0001.
  const ID = '110101199001011234';
  const MOBILE = '13800000001';

  /** The reviewer's script: keep the digit in front of the known tail that still finds the customer. */
  async function unmask(find: (q: string) => Promise<boolean>, tail: string, length: number): Promise<string> {
    let known = tail;
    while (known.length < length) {
      let next: string | null = null;
      for (const d of '0123456789') {
        if (await find(d + known)) {
          next = d + known;
          break;
        }
      }
      if (next === null) break;
      known = next;
    }
    return known;
  }

  it('prefixing digits one at a time reveals nothing beyond the last four, to a teller or a manager', async () => {
    const target = a.w.ids.customers.m1a;
    for (const user of ['teller', 'manager1']) {
      const s = await session(a, user);
      const find = async (query: string) => {
        const r = await api(a, 'customers.search', { query }, s);
        return r.ok && (r.value as { id: number }[]).some((c) => c.id === target);
      };
      expect(await find('1234'), user).toBe(true);
      expect(await unmask(find, '1234', 18), user).toBe('1234');
      expect(await unmask(find, '0001', 11), user).toBe('0001');
    }
  });

  it('guessing whole numbers is rate-limited: the right guess after the burst is refused, not answered', async () => {
    const s = await session(a, 'president');
    const guesses = [...Array.from({ length: 59 }, (_, i) => `138${String(9999 - i).padStart(4, '0')}0001`), MOBILE];
    const answers: Answer[] = [];
    for (const query of guesses) answers.push(await api(a, 'customers.search', { query }, s));
    const answered = answers.filter((r) => r.ok).length;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(guesses.length);
    expect(answers.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('every identifier look-up is audited, with the number masked; no full number reaches the log', async () => {
    const rows = auditRows(a.w, 'customers.identifierSearch');
    expect(rows.filter((r) => r.outcome === 'ok').length).toBeGreaterThan(0);
    expect(rows.some((r) => r.username === 'president' && r.outcome === 'denied')).toBe(true);
    const log = JSON.stringify(a.w.db.prepare('SELECT * FROM audit_log').all());
    expect(log).not.toContain(ID);
    expect(log).not.toContain(MOBILE);
    expect(log).not.toContain('13899990001');
  });
});

describe('2. parallel sign-in', () => {
  let a: Attack;
  beforeAll(async () => {
    a = await target();
  });
  afterAll(() => a.close());

  it('30 wrong passwords in parallel with the right one: locked, no session, the right one refused', async () => {
    const guesses = Array.from({ length: 30 }, (_, i) => `Wrong-guess-${i}`);
    guesses.splice(17, 0, TEST_PASSWORD);
    const answers = await Promise.all(
      guesses.map((password) => api(a, 'auth.signIn', { username: 'teller', password })),
    );
    expect(answers.filter((r) => r.ok)).toEqual([]);
    expect(answers.filter((r) => !r.ok && r.error.code === 'ACCOUNT_LOCKED').length).toBeGreaterThanOrEqual(26);
    // At most five attempts were checked against the hash.
    const checked = auditRows(a.w, 'auth.signIn').filter(
      (r) => r.details && JSON.parse(r.details).reason === 'bad_password',
    );
    expect(checked.length).toBeLessThanOrEqual(5);
    // No session was made for the teller at all.
    expect(
      a.w.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.signIn' AND outcome = 'ok'").get(),
    ).toEqual({ n: 0 });
    // The lock stands: the right password alone is refused too.
    expect(await api(a, 'auth.signIn', { username: 'teller', password: TEST_PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED' },
    });
  });

  it('an unknown user name answers exactly like a real one, in sequence and in parallel', async () => {
    const one = (username: string) => api(a, 'auth.signIn', { username, password: 'Wrong-guess-x' });
    const sequence = async (username: string) => {
      const out: Answer[] = [];
      for (let i = 0; i < 6; i++) out.push(await one(username));
      return out;
    };
    expect(await sequence('nobody-here')).toEqual(await sequence('manager2'));
    // Both are locked now: the answers must not differ in time either (a locked real account was refused
    // at once while a locked invented name still spent a full-strength scrypt: seconds apart).
    const median = async (username: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        expect(await one(username)).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED' } });
        ms.push(performance.now() - t0);
      }
      return ms.sort((x, y) => x - y)[2]!;
    };
    const [realMs, ghostMs] = [await median('manager2'), await median('nobody-here')];
    expect(Math.abs(realMs - ghostMs), `real ${realMs.toFixed(1)} ms, unknown ${ghostMs.toFixed(1)} ms`).toBeLessThan(
      100,
    );
    const [real, ghost] = await Promise.all(
      ['president', 'no-such-user'].map((u) => Promise.all(Array.from({ length: 3 }, () => one(u)))),
    );
    const shape = (xs: Answer[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(shape(ghost!)).toEqual(shape(real!));
    // Slow on purpose: each unknown-name attempt spends a full-strength scrypt, as a real user's check would.
  }, 120_000);
});

describe('3. audit tamper on a copy', () => {
  let a: Attack;
  let dir: string;
  beforeAll(async () => {
    a = await target();
    dir = a.w.dir;
    const s = await session(a, 'manager1');
    const { m1a, m1b, grantedToM1 } = a.w.ids.customers;
    for (const id of [m1a, m1b, grantedToM1, m1a, m1b])
      expect((await api(a, 'customers.reveal', { id, reason: '柜面核实身份' }, s)).ok).toBe(true);
    const started = await api(a, 'exports.start', { columns: ['customerNo', 'name'], format: 'csv' }, s);
    expect(started.ok).toBe(true);
    for (;;) {
      const st = await api(a, 'exports.status', { ticket: (started as { value: { ticket: number } }).value.ticket }, s);
      if (!st.ok || st.value.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 30));
    }
    a.w.db.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(path.join(dir, 'crm.db'), path.join(dir, 'untouched.db'));
    copyFileSync(path.join(dir, 'crm.db'), path.join(dir, 'copy.db'));
  });
  afterAll(() => a.close());

  async function cli(run: () => Promise<number>): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      out.push(String(c));
      return true;
    });
    try {
      return { code: await run(), out: out.join('') };
    } finally {
      spy.mockRestore();
    }
  }

  it('the untouched store: audit verify and check say ok', async () => {
    const { runAuditCommand } = await import('../../../main/cli/audit');
    const { runCheckCommand } = await import('../../../main/cli/check');
    const file = path.join(dir, 'untouched.db');
    expect(await cli(() => runAuditCommand(['verify', '--db', file, '--lang', 'en']))).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^audit log intact: \d+ entries/),
    });
    expect(await cli(() => runCheckCommand(['--db', file, '--lang', 'en']))).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^store ok: /),
    });
  });

  it('drop triggers, delete three reveals, relabel exports, recreate triggers: named by verify and check', async () => {
    const file = path.join(dir, 'copy.db');
    const db = new BetterSqlite3(file);
    const reveals = (
      db.prepare("SELECT id FROM audit_log WHERE action = 'customers.reveal' ORDER BY id LIMIT 3").all() as {
        id: number;
      }[]
    ).map((r) => r.id);
    expect(reveals).toHaveLength(3);
    db.exec(`DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
      DELETE FROM audit_log WHERE id IN (${reveals.join(',')});
      UPDATE audit_log SET action = 'auth.signOut' WHERE action LIKE 'exports.%';
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`);
    // What used to be all the checking there was: the pages are fine and the triggers are back.
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.close();

    const { runAuditCommand } = await import('../../../main/cli/audit');
    const { runCheckCommand } = await import('../../../main/cli/check');
    const verify = await cli(() => runAuditCommand(['verify', '--db', file, '--lang', 'en']));
    expect(verify.code).toBe(2);
    expect(verify.out).toMatch(
      new RegExp(`^audit log tampered with: first break at entry #${reveals[0]} \\(its time and action are gone\\)`),
    );
    // crm check in each language: every line in the one asked for
    const check = await cli(() => runCheckCommand(['--db', file, '--lang', 'zh-CN']));
    expect(check.code).toBe(2);
    expect(check.out).toMatch(/^数据库已损坏：.* \| 审计日志\n/);
    expect(check.out).toContain(`审计日志已被篡改：第一处在记录 #${reveals[0]}`);
    const checkEn = await cli(() => runCheckCommand(['--db', file, '--lang', 'en']));
    expect(checkEn.code).toBe(2);
    expect(checkEn.out).not.toContain('store ok');
    expect(checkEn.out).toContain(`audit log tampered with: first break at entry #${reveals[0]}`);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 4. One-byte corruption (issue 19.5): appended here by the store-protection work.

describe('one-byte corruption', () => {
  // The review changed one byte of a page and the app served ¥33,853.56 for a customer holding ¥2,396.28.
  // Now the store is encrypted (every page carries an HMAC): the same edit is refused, never served.
  let w: World;
  let services: Services;
  let a: Attack;
  let file = '';
  const flipped = { id: 0 };

  beforeAll(async () => {
    w = await makeWorld();
    flipped.id = w.ids.customers.m1a;
    w.db.prepare('UPDATE customers SET deposit_fen = 239628 WHERE id = ?').run(flipped.id);
    w.db.pragma('wal_checkpoint(TRUNCATE)');
    // The same store served as the app serves every store now: converted to the encrypted format at open.
    file = path.join(w.dir, 'encrypted', 'crm.db');
    mkdirSync(path.dirname(file));
    copyFileSync(w.services.info.dbPath, file);
    services = await createServices({ dbPath: file, mode: 'browser', encrypt: true, clock: w.clock });
    const dir = path.join(w.dir, 'renderer-enc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>CRM</title>');
    const host = await startHost({ registry: createRegistry(services), rendererDir: dir });
    a = {
      w,
      host,
      async close() {
        await host.close();
      },
    };
  }, 60_000);
  afterAll(async () => {
    await a.close();
    await services.close();
    await w.close();
  });

  it('flip one byte in the page holding a customer’s deposits: refused over HTTP, no figure, store quarantined', async () => {
    const president = await session(a, 'president');
    const before = await api(a, 'customers.get', { id: flipped.id }, president);
    expect(before).toMatchObject({ ok: true, value: { deposits: '2396.28' } });
    // Nothing readable on disk: not the name, not the ID number.
    expect(fileContains(file, '张伟')).toBe(false);
    expect(fileContains(file, '110101199001011234')).toBe(false);

    const { pageno, pageSize, firstId } = firstLeafPage(services.db, 'customers');
    expect(firstId).toBe(flipped.id); // the page flipped is the one that holds this customer's row
    services.db.pragma('wal_checkpoint(TRUNCATE)');
    flipByte(file, pageno, pageSize);
    services.db.pragma('shrink_memory'); // the next read goes to the file, as after a restart

    const after = await api(a, 'customers.get', { id: flipped.id }, president);
    expect(after.ok).toBe(false);
    expect(JSON.stringify(after)).not.toMatch(/deposits|\d+\.\d\d/);
    if (!after.ok) {
      expect(after.error.code).toBe('STORE_DAMAGED');
      expect(after.error.details).toMatchObject({ file: path.resolve(file), reason: 'quarantined' });
    }
    // Every later call is refused too, a new sign-in included: the store is quarantined.
    for (const [method, input, s] of [
      ['customers.count', {}, president],
      ['customers.list', { offset: 0, limit: 10 }, president],
      ['auth.signIn', { username: 'manager1', password: TEST_PASSWORD }, null],
    ] as const) {
      const r = await api(a, method, input, s);
      expect(!r.ok && r.error.code, method).toBe('STORE_DAMAGED');
    }
    expect(existsSync(quarantineFile(file))).toBe(true);
  });

  it('a restart refuses it too, with a message naming the file and no stack', async () => {
    const err = await createServices({
      dbPath: path.join(w.dir, 'encrypted', 'crm.db'),
      mode: 'browser',
      encrypt: true,
    }).catch((e: unknown) => e);
    const { describeStartupError } = await import('../../../main/app/startup-error');
    const text = describeStartupError(err, file).message;
    expect(text).toContain(path.resolve(file));
    expect(text).toContain('已损坏');
    expect(text).toContain('is damaged');
    expect(text).not.toMatch(/SQLITE_|\n\s+at /);
  });
});
