/**
 * Issue 19.4(b), the attack as found: on a copy of a store, drop the audit triggers, delete three reveal
 * records, relabel the exports, recreate the triggers. Before the chain, `crm check` said "store ok" and
 * nothing else could tell. Now `crm audit verify` and `crm check` name the first broken entry (id, time,
 * action), in both languages, and exit 2; on the untouched store both say ok and exit 0.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAuditCommand } from '../../../main/cli/audit';
import { runCheckCommand } from '../../../main/cli/check';
import { runCli } from '../../../main/cli/index';
import { recordAudit } from '../../../db/repos/audit';
import { createServices } from '../../../main/services';
import { openExistingStore } from '../../../main/store-key';
import { call, makeWorld, ok, signIn, tempDir, type World } from '../support/store';

let w: World;
let clean: string;
let tampered: string;
let removed: number[];

/** stdout (the verdict lines a script reads) and stderr (usage errors, check's progress lines) apart. */
async function output(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const chunks: string[] = [];
  const errors: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    chunks.push(String(s));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    errors.push(String(s));
    return true;
  });
  try {
    return { code: await run(), out: chunks.join(''), err: errors.join('') };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  w = await makeWorld();
  const manager = await signIn(w, 'manager1');
  const { m1a, m1b, grantedToM1 } = w.ids.customers;
  for (let i = 0; i < 3; i++)
    for (const id of [m1a, m1b, grantedToM1]) await ok(w, 'customers.reveal', { id, reason: '柜面核实身份' }, manager);
  for (let i = 0; i < 2; i++) {
    const started = await ok(w, 'exports.start', { columns: ['customerNo', 'name'], format: 'csv' }, manager);
    for (;;) {
      const s = await ok(w, 'exports.status', { ticket: started.ticket }, manager);
      if (s.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  // Copies taken the way a user would (the store checkpointed and closed first).
  w.db.pragma('wal_checkpoint(TRUNCATE)');
  clean = path.join(w.dir, 'clean.db');
  tampered = path.join(w.dir, 'tampered.db');
  copyFileSync(path.join(w.dir, 'crm.db'), clean);
  copyFileSync(path.join(w.dir, 'crm.db'), tampered);

  const db = new BetterSqlite3(tampered);
  removed = (
    db.prepare("SELECT id FROM audit_log WHERE action = 'customers.reveal' ORDER BY id LIMIT 3 OFFSET 3").all() as {
      id: number;
    }[]
  ).map((r) => r.id);
  db.exec(`DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
    DELETE FROM audit_log WHERE id IN (${removed.join(',')});
    UPDATE audit_log SET action = 'reports.chartSaved' WHERE action LIKE 'exports.%';
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`);
  db.close();
}, 60_000);
afterAll(() => w.close());

function firstExportEntry(): { id: number; at: string } {
  return w.db.prepare("SELECT id, at FROM audit_log WHERE action LIKE 'exports.%' ORDER BY id LIMIT 1").get() as {
    id: number;
    at: string;
  };
}

/** exports.start and exports.finish of the two exports: each one relabelled. */
function exportEntries(): number {
  const n = (w.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'exports.%'").get() as { n: number })
    .n;
  expect(n).toBe(4);
  return n;
}

describe('crm audit verify', () => {
  it('an untouched store: intact, exit 0, both languages', async () => {
    const r = await output(() => runAuditCommand(['verify', '--db', clean]));
    expect(r.code).toBe(0);
    const n = (w.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    expect(r.out).toContain(`审计日志完整：${n} 条记录`);
    expect(r.out).toContain(`audit log intact: ${n} entries`);
    // Standalone: the limit is said, not hidden.
    expect(r.out).toContain('not joined to a branch hub');
  });

  it('the tampered copy: the first broken entry named with its id, time and action; exit 2', async () => {
    // The attack left the triggers in place and the page check clean.
    const db = new BetterSqlite3(tampered, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const first = firstExportEntry();
    // The reveals removed were written before the first export: the first break is the first removed one.
    const firstBreak = Math.min(first.id, removed[0]!);
    expect(firstBreak).toBe(removed[0]);
    const en = await output(() => runAuditCommand(['verify', '--db', tampered, '--lang', 'en']));
    expect(en.code).toBe(2);
    expect(en.out.split('\n')[0]).toBe(
      `audit log tampered with: first break at entry #${removed[0]} (its time and action are gone): the entry was deleted from the log; ${3 + exportEntries()} in all`,
    );
    for (const id of removed.slice(1))
      expect(en.out).toContain(`entry #${id} (its time and action are gone): the entry was deleted`);
    expect(en.out).toContain(
      `entry #${first.id} (${first.at}, reports.chartSaved): its content or chain record was changed`,
    );

    const zh = await output(() => runAuditCommand(['verify', '--db', tampered, '--lang', 'zh-CN']));
    expect(zh.code).toBe(2);
    expect(zh.out.split('\n')[0]).toBe(
      `审计日志已被篡改：第一处在记录 #${removed[0]}（时间、操作已无从得知）：该记录已从日志中删除；共 ${3 + exportEntries()} 处`,
    );
    expect(zh.out).toContain(`记录 #${first.id}（${first.at}，reports.chartSaved）：内容或链记录被改动`);
  });

  it('--json gives the findings for a script, through the CLI entry point', async () => {
    const r = await output(() => runCli(['audit', 'verify', '--db', tampered, '--json']));
    expect(r.code).toBe(2);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ ok: false, joined: false, chain: { ok: false, breaks: 3 + exportEntries() } });
    expect(j.chain.problems.map((p: { problem: string; id: number }) => [p.problem, p.id])).toEqual(
      [...removed.map((id) => ['removed', id]), ['altered', firstExportEntry().id]].concat(
        j.chain.problems.slice(4).map((p: { id: number }) => ['altered', p.id]),
      ),
    );
    expect(j.messages['zh-CN'][0]).toMatch(/^审计日志已被篡改/);
    expect(j.messages.en[0]).toMatch(/^audit log tampered with/);
  });

  it('usage errors exit 64', async () => {
    expect((await output(() => runAuditCommand(['verify', '--bogus']))).code).toBe(64);
    expect((await output(() => runAuditCommand(['list']))).code).toBe(64);
  });
});

describe('crm check', () => {
  it('says store ok only when the audit log is intact too', async () => {
    // every line in the one language asked for (--lang, else CRM_LANG, else zh-CN), the findings too
    vi.stubEnv('CRM_LANG', '');
    const good = await output(() => runCheckCommand(['--db', clean, '--lang', 'en']));
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^store ok: .* \| \d+ MiB checked in [\d.]+ s\naudit log intact/);
    expect(good.out).not.toMatch(/[\u4e00-\u9fff]|\{\{|\bcli\./);
    const goodZh = await output(() => runCheckCommand(['--db', clean]));
    expect(goodZh.out).toMatch(/^数据库完好：.* \| 已检查 \d+ MiB，用时 [\d.]+ 秒\n审计日志完整/);
    expect(goodZh.out).not.toMatch(/store ok|audit log|\{\{|\bcli\./);

    const bad = await output(() => runCheckCommand(['--db', tampered, '--lang', 'en']));
    expect(bad.code).toBe(2);
    expect(bad.out).not.toContain('store ok');
    expect(bad.out).toMatch(/^store damaged: .* \| audit log\n/);
    expect(bad.out).toContain(`audit log tampered with: first break at entry #${removed[0]}`);
    vi.stubEnv('CRM_LANG', 'zh-CN');
    const badZh = await output(() => runCheckCommand(['--db', tampered]));
    expect(badZh.code).toBe(2);
    expect(badZh.out).toMatch(/^数据库已损坏：.* \| 审计日志\n/);
    expect(badZh.out).toContain(`审计日志已被篡改：第一处在记录 #${removed[0]}`);
    expect(badZh.out).not.toContain('audit log');
    vi.unstubAllEnvs();
  });

  it('the live store the copies came from still verifies (the app kept writing to it)', async () => {
    const manager = await signIn(w, 'manager1');
    expect((await call(w, 'customers.reveal', { id: w.ids.customers.m1a, reason: '再次核实' }, manager)).ok).toBe(true);
    w.db.pragma('wal_checkpoint(TRUNCATE)');
    const r = await output(() => runAuditCommand(['verify', '--db', path.join(w.dir, 'crm.db'), '--lang', 'en']));
    expect(r.code).toBe(0);
  });
});

describe('standalone: an earlier copy of the store as the anchor (--anchor-from)', () => {
  it('the live store holds the copy head: ok; entries removed at the tail since: named, exit 2', async () => {
    const manager = await signIn(w, 'manager1');
    for (let i = 0; i < 3; i++)
      await ok(w, 'customers.reveal', { id: w.ids.customers.m1b, reason: '柜面核实身份' }, manager);
    w.db.pragma('wal_checkpoint(TRUNCATE)');
    const live = path.join(w.dir, 'crm.db');
    const good = await output(() => runAuditCommand(['verify', '--db', live, '--anchor-from', clean, '--lang', 'en']));
    expect(good.code).toBe(0);
    const backup = new BetterSqlite3(clean, { readonly: true });
    const backupHead = (backup.prepare('SELECT MAX(id) AS id FROM audit_chain').get() as { id: number }).id;
    backup.close();
    expect(good.out).toContain(`matches the chain head of the copy ${clean}: #${backupHead}`);

    // Every entry since two before the backup's head removed, with its chain records: the walk is clean.
    const cut = path.join(w.dir, 'cut.db');
    copyFileSync(live, cut);
    const db = new BetterSqlite3(cut);
    db.exec(`DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_chain_no_delete;
      DELETE FROM audit_log WHERE id > ${backupHead - 2}; DELETE FROM audit_chain WHERE id > ${backupHead - 2};`);
    db.close();
    expect((await output(() => runAuditCommand(['verify', '--db', cut, '--lang', 'en']))).code).toBe(0);
    const r = await output(() => runAuditCommand(['verify', '--db', cut, '--anchor-from', clean, '--lang', 'en']));
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      `entries removed at the tail: the anchor is #${backupHead} (the copy ${clean}), this log's chain ends at #${backupHead - 2}`,
    );
    // A copy whose own chain is broken is no anchor, and says so.
    const bad = await output(() =>
      runAuditCommand(['verify', '--db', live, '--anchor-from', tampered, '--lang', 'zh-CN']),
    );
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(`副本 ${tampered} 自身的审计链已损坏，不能作锚点`);
  });
});

describe('an encrypted store, as the app keeps it', () => {
  it('is verified with its key; the same attack made through the key is named', async () => {
    const t = tempDir('crm-chain-enc-');
    const file = path.join(t.dir, 'crm.db');
    try {
      const services = await createServices({ dbPath: file, mode: 'browser', encrypt: true, backupDir: t.dir });
      for (let i = 0; i < 6; i++)
        recordAudit(
          services.db,
          { userId: 2, username: 'manager1', role: 'manager' },
          {
            action: i % 2 ? 'exports.start' : 'customers.reveal',
            outcome: 'ok',
          },
        );
      await services.close();
      // Plain SQLite cannot read it: the tools open it with the key file beside it.
      expect(() => new BetterSqlite3(file, { readonly: true }).prepare('SELECT 1 FROM audit_log').get()).toThrow();
      expect((await output(() => runAuditCommand(['verify', '--db', file, '--lang', 'en']))).code).toBe(0);

      const db = openExistingStore(file);
      db.exec(`DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
        DELETE FROM audit_log WHERE id = 3; UPDATE audit_log SET action = 'auth.signIn' WHERE id = 4;`);
      db.close();
      const r = await output(() => runAuditCommand(['verify', '--db', file, '--lang', 'en']));
      expect(r.code).toBe(2);
      expect(r.out).toContain('first break at entry #3 (its time and action are gone): the entry was deleted');
      expect(r.out).toMatch(/entry #4 \([^,]+, auth\.signIn\): its content or chain record was changed/);
      expect((await output(() => runCheckCommand(['--db', file]))).code).toBe(2);
    } finally {
      t.cleanup();
    }
  });
});
