/**
 * Issue 19.4(b), the anchor: a workstation joined to a branch hub sends its audit chain's head after each
 * sync cycle; the hub (real PostgreSQL, reached as the least-privilege app role) keeps every head
 * append-only. Entries removed at the tail of the log, or a chain recomputed after removing entries, pass
 * the local walk but not the hub's anchor: `crm audit verify` and `crm check` say so and exit 2, and the
 * hub refuses (and keeps) a head whose chain no longer holds its latest anchor.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { chainHash, chainHead, GENESIS, verifyChain } from '../../../db/audit-chain';
import { branchAnchors } from '../../../db/hub/anchors';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { recordAudit } from '../../../db/repos/audit';
import { setHubCa } from '../../../db/sync/membership';
import { ensureSyncSchema, readSyncState } from '../../../db/sync/schema';
import { renderLines, runAuditCommand, verifyAudit } from '../../../main/cli/audit';
import { runCheckCommand } from '../../../main/cli/check';
import { type Hub, startHub } from '../../../main/hub/service';
import { sendAuditAnchor } from '../../../main/sync/audit-anchor';
import { authHeader, enrolWorkstation } from '../../../main/sync/hub-client';
import { SyncWorker } from '../../../main/sync/worker';
import { makeWorld, type World } from '../support/store';
import { ownerPool, startPg, type TestPg } from './support';
import { makeThrowawayCa } from './throwaway-ca';

const BRANCH = 'A01';
let server: TestPg;
let dbName: string;
let owner: pg.Pool;
let hub: Hub;

beforeAll(async () => {
  server = await startPg();
  dbName = await server.createHubDb('anchors');
  owner = ownerPool(server, dbName);
  hub = await startHub({ pg: server.appUrl(dbName) });
  await ensureBranch(owner, BRANCH);
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

let w: World;
beforeEach(async () => {
  w = await makeWorld();
  ensureSyncSchema(w.db);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await enrolWorkstation(w.db, { hubUrl: hub.url, branch: BRANCH, code, name: 'PC' });
  return () => w.close();
});

const actor = { userId: 2, username: 'manager1', role: 'manager' };
function reveals(n: number): void {
  for (let i = 0; i < n; i++)
    recordAudit(w.db, actor, { action: 'customers.reveal', outcome: 'ok', targetType: 'customer', targetId: i + 1 });
}

/** A copy of the store as a user would take it, then `edit` applied to the copy with sqlite3-like access. */
function tamperedCopy(name: string, edit: (db: BetterSqlite3.Database) => void): string {
  w.db.pragma('wal_checkpoint(TRUNCATE)');
  const file = path.join(w.dir, name);
  copyFileSync(path.join(w.dir, 'crm.db'), file);
  const db = new BetterSqlite3(file);
  try {
    edit(db);
  } finally {
    db.close();
  }
  return file;
}

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

const removeTail = (from: number) => (db: BetterSqlite3.Database) =>
  db.exec(`DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_chain_no_delete;
    DELETE FROM audit_log WHERE id >= ${from}; DELETE FROM audit_chain WHERE id >= ${from};
    DELETE FROM audit_anchors;`);

describe('the chain head on the hub', () => {
  it('the sync worker anchors the head after a cycle; verify compares with the hub', async () => {
    reveals(5);
    const worker = new SyncWorker({ db: w.db, mutators: {}, intervalMs: 60_000 });
    worker.start();
    try {
      await worker.syncNow();
    } finally {
      await worker.stop();
    }
    const head = chainHead(w.db);
    const state = await owner.query('SELECT seq, hash, accepted FROM audit_anchors ORDER BY id DESC LIMIT 1');
    expect(state.rows[0]).toEqual({ seq: String(head.seq), hash: head.hash, accepted: true });
    const v = await verifyAudit(w.db, { hub: true });
    expect(v).toMatchObject({ ok: true, joined: true, anchor: { source: 'hub', ok: true, anchor: head } });
    // Nothing new: nothing sent.
    expect(await sendAuditAnchor(w.db)).toEqual({ sent: false, reason: 'unchanged' });
  });

  it('entries removed at the tail pass the walk but not the hub anchor: verify and check exit 2', async () => {
    reveals(10);
    expect(await sendAuditAnchor(w.db)).toMatchObject({ sent: true, accepted: true });
    const anchored = chainHead(w.db).seq;
    // The user removes the last three entries (log, chain and this PC's copy of the anchor alike).
    const file = tamperedCopy('tail.db', removeTail(anchored - 2));
    const db = new BetterSqlite3(file, { readonly: true });
    expect(verifyChain(db)).toMatchObject({ ok: true, breaks: 0 });
    db.close();

    const en = await cli(() => runAuditCommand(['verify', '--db', file, '--lang', 'en']));
    expect(en.code).toBe(2);
    expect(en.out).toContain('audit log intact');
    expect(en.out).toContain(
      `entries removed at the tail: the anchor is #${anchored} (branch hub), this log's chain ends at #${anchored - 3}`,
    );
    const check = await cli(() => runCheckCommand(['--db', file, '--lang', 'zh-CN']));
    expect(check.code).toBe(2);
    expect(check.out).toMatch(/^数据库已损坏：.* \| 审计日志\n/);
    expect(check.out).toContain(`链尾记录被删除：锚点为 #${anchored}（支行中心）`);
    // Offline, with its own copy of the anchor removed too, the PC alone cannot tell: said, not hidden.
    const offline = await cli(() => runAuditCommand(['verify', '--db', file, '--offline', '--lang', 'en']));
    expect(offline.code).toBe(0);
  });

  it('a PC whose chain lost the anchored entry gets its next head refused, and the hub keeps the refusal', async () => {
    reveals(6);
    await sendAuditAnchor(w.db);
    const anchored = chainHead(w.db);
    removeTail(anchored.seq - 1)(w.db);
    reveals(2);
    const r = await sendAuditAnchor(w.db);
    expect(r).toMatchObject({ sent: true, accepted: false, reason: 'witness_mismatch', latest: { seq: anchored.seq } });
    const v = await verifyAudit(w.db, { hub: true });
    expect(v).toMatchObject({ ok: false, anchor: { source: 'hub', problem: 'rewritten', refused: 1 } });
    const hubAudit = await owner.query(
      "SELECT detail FROM audit WHERE branch = $1 AND action = 'audit_anchor.refused' ORDER BY id DESC LIMIT 1",
      [BRANCH],
    );
    expect(hubAudit.rows[0].detail).toMatchObject({ reason: 'witness_mismatch', latest: anchored });
    // The refused head was not made the latest: the hub's anchor is still the one the PC lost, and the
    // administrator's list (npm run hub -- audit-anchors) shows the refusal against this PC.
    const pcId = (w.db.prepare('SELECT pc_id FROM sync_state').get() as { pc_id: string }).pc_id;
    const mine = (await branchAnchors(owner, BRANCH)).find((p) => p.pcId === pcId);
    expect(mine).toMatchObject({ name: 'PC', latest: { seq: anchored.seq, hash: anchored.hash }, refused: 1 });
  });

  it('a chain recomputed after removing entries verifies locally, and the hub anchor shows the rewrite', async () => {
    reveals(8);
    await sendAuditAnchor(w.db);
    const anchored = chainHead(w.db).seq;
    // A careful attacker: remove two reveals, then rebuild every chain record with the published function.
    const file = tamperedCopy('rewritten.db', (db) => {
      db.exec(`DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_chain_no_delete;
        DELETE FROM audit_log WHERE id IN (3, 4); DELETE FROM audit_chain; DELETE FROM audit_anchors;`);
      let prev = GENESIS;
      let prevId: number | null = null;
      for (const row of db.prepare('SELECT * FROM audit_log ORDER BY id').all() as Parameters<typeof chainHash>[1][]) {
        prev = chainHash(prev, row);
        db.prepare('INSERT INTO audit_chain (id, prev_id, hash) VALUES (?, ?, ?)').run(row.id, prevId, prev);
        prevId = row.id;
      }
    });
    const r = await cli(() => runAuditCommand(['verify', '--db', file, '--json']));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({
      chain: { ok: true },
      anchor: { source: 'hub', ok: false, problem: 'rewritten', anchor: { seq: anchored } },
    });
  });

  it('a head accepted on a false witness (sent by hand with the PC token) still leaves the rewrite visible', async () => {
    reveals(6);
    await sendAuditAnchor(w.db);
    const anchored = chainHead(w.db);
    // The user removes the last two entries, lets the app write on, then tells the hub, by hand, that the
    // chain still holds its anchor.
    removeTail(anchored.seq - 1)(w.db);
    reveals(3);
    const id = readSyncState(w.db).identity!;
    const res = await fetch(`${id.hubUrl}/audit-anchor`, {
      method: 'POST',
      headers: { authorization: authHeader(id), 'content-type': 'application/json' },
      body: JSON.stringify({ head: chainHead(w.db), witness: { seq: anchored.seq, hash: anchored.hash } }),
    });
    expect(res.status).toBe(200);
    // The latest anchor now matches the rewritten chain; the one before it does not, and verify checks all.
    const v = await verifyAudit(w.db, { hub: true });
    expect(v).toMatchObject({ ok: false, anchor: { source: 'hub', problem: 'rewritten', anchor: anchored } });
    const out = renderLines(v.lines, 'en');
    expect(out).toContain(`an earlier anchor the branch hub accepted, #${anchored.seq}, does not match this chain`);
  });

  it('over TLS: the anchor goes up and verify asks the hub through the CA the PC joined with', async () => {
    const ca = makeThrowawayCa();
    const tlsHub = await startHub({ pg: server.appUrl(dbName), tls: { cert: ca.hubCertPem, key: ca.hubKeyPem } });
    const pc = await makeWorld();
    try {
      ensureSyncSchema(pc.db);
      setHubCa(pc.db, ca.caPem);
      const { code } = await issueEnrolCode(owner, BRANCH);
      await enrolWorkstation(pc.db, { hubUrl: tlsHub.url, branch: BRANCH, code, name: 'PC-TLS' });
      expect(tlsHub.url).toMatch(/^https:/);
      recordAudit(pc.db, actor, { action: 'customers.reveal', outcome: 'ok' });
      expect(await sendAuditAnchor(pc.db)).toMatchObject({ sent: true, accepted: true });
      expect(await verifyAudit(pc.db, { hub: true })).toMatchObject({
        ok: true,
        anchor: { source: 'hub', ok: true, anchor: chainHead(pc.db), hubError: null },
      });
    } finally {
      await pc.close();
      await tlsHub.close();
      ca.cleanup();
    }
  });

  it("the hub's service role can add anchors but not change or remove them", async () => {
    reveals(2);
    await sendAuditAnchor(w.db);
    const app = new pg.Client({ connectionString: server.appUrl(dbName) });
    await app.connect();
    try {
      await expect(app.query('DELETE FROM audit_anchors')).rejects.toThrow(/permission denied/);
      await expect(app.query("UPDATE audit_anchors SET hash = repeat('0', 64)")).rejects.toThrow(/permission denied/);
      const n = await app.query('SELECT count(*)::int AS n FROM audit_anchors');
      expect(n.rows[0].n).toBeGreaterThan(0);
    } finally {
      await app.end();
    }
  });
});
