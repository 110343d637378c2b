/**
 * Issue 19.4(b): the audit log is tamper-evident. Every entry is linked into a hash chain in the
 * transaction that writes it; migration 0024 chains the entries a store already held; verifyChain names
 * the first broken entry; checkAnchor catches entries removed at the tail once a head was anchored.
 * Before this change the attack (drop the triggers, delete three reveal records, relabel the
 * exports, recreate the triggers) left no trace at all.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEntry, chainHash, chainHead, checkAnchor, GENESIS, verifyChain } from '../../../db/audit-chain';
import { migrate } from '../../../db/migrate';
import { recordAudit, writeAudit } from '../../../db/repos/audit';
import { tempDir } from '../support/store';

let t: ReturnType<typeof tempDir>;
let db: BetterSqlite3.Database;
beforeEach(() => {
  t = tempDir('crm-chain-');
  db = new BetterSqlite3(path.join(t.dir, 'crm.db'));
  db.pragma('journal_mode = WAL');
});
afterEach(() => {
  db.close();
  t.cleanup();
});

const actor = { userId: 2, username: 'manager1', role: 'manager' };

/** A day's worth of entries as the product writes them: reveals, exports, sign-ins. */
function day(n = 30): void {
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    recordAudit(db, actor, {
      action: kind === 0 ? 'customers.reveal' : kind === 1 ? 'exports.start' : 'auth.signIn',
      outcome: 'ok',
      targetType: kind === 0 ? 'customer' : null,
      targetId: kind === 0 ? 100 + i : null,
      details: kind === 0 ? { field: 'idNo', reason: '柜面核实' } : { rows: i },
    });
  }
}

/** The attack, on the store as a user with sqlite3 would do it. */
function tamper(): number[] {
  const reveals = (
    db.prepare("SELECT id FROM audit_log WHERE action = 'customers.reveal' ORDER BY id LIMIT 3 OFFSET 2").all() as {
      id: number;
    }[]
  ).map((r) => r.id);
  db.exec(`DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
    DELETE FROM audit_log WHERE id IN (${reveals.join(',')});
    UPDATE audit_log SET action = 'auth.signOut' WHERE action = 'exports.start';
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`);
  return reveals;
}

describe('canonical text', () => {
  it('keys in order, explicit nulls, numbers as text; any change of a value changes the hash', () => {
    const row = {
      id: 7,
      at: '2026-11-02T02:00:00.000Z',
      user_id: 2,
      username: '李经理',
      role: 'manager',
      action: 'customers.reveal',
      outcome: 'ok',
      target_type: 'customer',
      target_id: '15',
      details: '{"field":"idNo"}',
    };
    expect(canonicalEntry(row)).toBe(
      '{"action":"customers.reveal","at":"2026-11-02T02:00:00.000Z","details":"{\\"field\\":\\"idNo\\"}","id":"7",' +
        '"outcome":"ok","role":"manager","target_id":"15","target_type":"customer","user_id":"2","username":"李经理"}',
    );
    // 15 as a number and as text are the same entry; a null is not an empty string.
    expect(chainHash(GENESIS, { ...row, target_id: 15 })).toBe(chainHash(GENESIS, row));
    expect(chainHash(GENESIS, { ...row, target_type: '' })).not.toBe(chainHash(GENESIS, { ...row, target_type: null }));
    expect(chainHash(GENESIS, { ...row, action: 'auth.signIn' })).not.toBe(chainHash(GENESIS, row));
    expect(chainHash('1'.repeat(64), row)).not.toBe(chainHash(GENESIS, row));
  });
});

describe('the chain', () => {
  it('migration 0024 chains the entries a store held before it, then every write extends it', () => {
    migrate(db, { upTo: 23 });
    const ins = db.prepare('INSERT INTO audit_log (at, username, action, outcome, details) VALUES (?, ?, ?, ?, ?)');
    for (let i = 0; i < 50; i++) ins.run(`2026-10-01T0${i % 10}:00:00.000Z`, 'teller', 'customers.view', 'ok', null);
    db.prepare("INSERT INTO audit_log (action, outcome) VALUES ('seed', 'ok')").run();
    migrate(db);
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_chain').get()).toEqual({ n: 51 });
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 51, breaks: 0, head: { seq: 51 } });

    day(10);
    db.transaction(() => writeAudit(db, actor, { action: 'imports.run', outcome: 'ok' }))();
    const r = verifyChain(db);
    expect(r).toMatchObject({ ok: true, entries: 62, head: { seq: 62 } });
    expect(r.head.hash).toMatch(/^[0-9a-f]{64}$/);
    // An entry rolled back with its caller's transaction leaves no chain record behind.
    expect(() =>
      db.transaction(() => {
        writeAudit(db, actor, { action: 'imports.run', outcome: 'failed' });
        throw new Error('job failed');
      })(),
    ).toThrow('job failed');
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 62, head: { seq: 62 } });
  });

  it("the issue's attack is named: first the relabelled export, then each removed reveal", () => {
    migrate(db);
    day(30);
    expect(verifyChain(db).ok).toBe(true);
    const removed = tamper();
    const r = verifyChain(db);
    expect(r.ok).toBe(false);
    // Exports were entries 2, 5, 8, ...: the first relabelled one is the first break, with its time and new label.
    expect(r.problems[0]).toMatchObject({ problem: 'altered', id: 2, action: 'auth.signOut' });
    expect(r.problems[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r.problems.filter((p) => p.problem === 'removed').map((p) => p.id)).toEqual(removed);
    expect(r.problems.filter((p) => p.problem === 'altered')).toHaveLength(10);
    expect(r.breaks).toBe(13);
  });

  it('removing entries from the log and the chain alike breaks the next link', () => {
    migrate(db);
    day(12);
    db.exec(`DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_chain_no_delete;
      DELETE FROM audit_log WHERE id IN (4, 5); DELETE FROM audit_chain WHERE id IN (4, 5);`);
    const r = verifyChain(db);
    expect(r.problems).toEqual([
      { problem: 'missing_before', id: 6, at: expect.any(String), action: 'auth.signIn', after: 3 },
    ]);
    // The first entries too: entry 1's successor no longer links to the genesis.
    db.exec('DELETE FROM audit_log WHERE id = 1; DELETE FROM audit_chain WHERE id = 1;');
    expect(verifyChain(db).problems[0]).toMatchObject({ problem: 'missing_before', id: 2, after: null });
  });

  it('an entry written around the product is unchained; a rewritten chain record is altered', () => {
    migrate(db);
    day(5);
    db.prepare("INSERT INTO audit_log (action, outcome) VALUES ('forged', 'ok')").run();
    day(2);
    expect(verifyChain(db).problems).toEqual([
      { problem: 'unchained', id: 6, at: expect.any(String), action: 'forged' },
    ]);

    const t2 = tempDir('crm-chain-b-');
    const other = new BetterSqlite3(path.join(t2.dir, 'b.db'));
    try {
      migrate(other);
      for (let i = 0; i < 4; i++) recordAudit(other, actor, { action: 'customers.reveal', outcome: 'ok' });
      other.exec(`DROP TRIGGER audit_chain_no_update;
        UPDATE audit_chain SET hash = '${'a'.repeat(64)}' WHERE id = 3;`);
      const r = verifyChain(other);
      // Entry 3's record no longer matches it, and entry 4 no longer follows from it.
      expect(r.problems.map((p) => [p.problem, p.id])).toEqual([
        ['altered', 3],
        ['altered', 4],
      ]);
    } finally {
      other.close();
      t2.cleanup();
    }
  });

  it('entries removed at the tail (log and chain) pass the walk but not the anchor; ids are not reused', () => {
    migrate(db);
    day(20);
    const anchor = chainHead(db);
    expect(checkAnchor(db, anchor)).toMatchObject({ ok: true, problem: null });
    db.exec(`DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_chain_no_delete;
      DELETE FROM audit_log WHERE id > 17; DELETE FROM audit_chain WHERE id > 17;`);
    expect(verifyChain(db).ok).toBe(true);
    expect(checkAnchor(db, anchor)).toMatchObject({ ok: false, problem: 'tail_removed', head: { seq: 17 } });
    // New entries take the removed ids again (nothing left to say otherwise): the anchor sees another hash.
    day(5);
    expect(checkAnchor(db, anchor)).toMatchObject({ ok: false, problem: 'rewritten' });
  });

  it('an entry removed from the log alone leaves its id taken: the next entry does not slip into its place', () => {
    migrate(db);
    day(6);
    db.exec('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 6;');
    day(1);
    expect(db.prepare('SELECT MAX(id) AS id FROM audit_log').get()).toEqual({ id: 7 });
    expect(verifyChain(db).problems).toEqual([{ problem: 'removed', id: 6, at: null, action: null }]);
  });

  it('two connections writing at once build one chain', async () => {
    migrate(db);
    const second = new BetterSqlite3(path.join(t.dir, 'crm.db'));
    second.pragma('busy_timeout = 5000');
    db.pragma('busy_timeout = 5000');
    try {
      // Interleaved on the event loop: each write reads the head under the write lock it then uses.
      await Promise.all(
        [db, second].map(async (conn, k) => {
          for (let i = 0; i < 100; i++) {
            recordAudit(conn, actor, { action: `writer${k}`, outcome: 'ok' });
            if (i % 7 === 0) await new Promise((r) => setImmediate(r));
          }
        }),
      );
    } finally {
      second.close();
    }
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 200, breaks: 0 });
  });

  it('three processes writing at once build one chain, each entry linked to the one before it', async () => {
    migrate(db);
    const file = path.join(t.dir, 'crm.db');
    const child = path.join(__dirname, 'audit-writer-child.ts');
    const barrier = path.join(t.dir, 'ready');
    mkdirSync(barrier);
    const run = (name: string) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', child, file, name, '300', barrier, '3'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        p.stdout.on('data', (d) => {
          out += d;
        });
        p.stderr.on('data', (d) => {
          out += d;
        });
        p.on('error', reject);
        p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${name} exited ${code}: ${out}`))));
      });
    await Promise.all(['w1', 'w2', 'w3'].map(run));
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 900, breaks: 0, head: { seq: 900 } });
    // The writers really interleaved (not one after the other), and no two entries share a predecessor.
    const order = (db.prepare('SELECT username FROM audit_log ORDER BY id').all() as { username: string }[]).map(
      (r) => r.username,
    );
    const switches = order.filter((u, i) => i > 0 && u !== order[i - 1]).length;
    expect(switches).toBeGreaterThan(2);
    expect(db.prepare('SELECT COUNT(DISTINCT prev_id) AS n FROM audit_chain').get()).toEqual({ n: 899 });
  }, 60_000);
});
