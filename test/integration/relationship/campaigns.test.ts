import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportStatus } from '../../../shared/api';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/** Marketing lists (营销名单): pushed by the president, split to managers of record, worked, exported and re-imported. */
let w: World;
let pres: string;
let m1: string;
let m2: string;
beforeEach(async () => {
  w = await makeWorld();
  [pres, m1, m2] = [await signIn(w, 'president'), await signIn(w, 'manager1'), await signIn(w, 'manager2')];
});
afterEach(async () => {
  await w.close();
});

const no = (id: number) =>
  (w.db.prepare('SELECT customer_no AS n FROM customers WHERE id = ?').get(id) as { n: number | string }).n as string;
const csv = (text: string, name = 'results.csv') => ({ name, data: Buffer.from(text, 'utf8').toString('base64') });
const count = (sql: string, ...p: unknown[]) => (w.db.prepare(sql).get(...p) as { n: number }).n;

async function pushAll(name = '理财节营销') {
  return ok(w, 'campaigns.create', { name, product: 'wealth', dueOn: '2026-11-30', source: { filter: {} } }, pres);
}
async function finished(ticket: number, session: string): Promise<ExportStatus> {
  for (;;) {
    const s = await ok(w, 'exports.status', { ticket }, session);
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('pushing a list', () => {
  it('splits the branch customers to their managers of record (queue for none) and never crosses branches', async () => {
    const c = await pushAll();
    const ids = w.ids.customers;
    expect(c.total).toBe(6);
    const rows = w.db
      .prepare(
        'SELECT customer_id AS c, manager_staff_id AS m FROM campaign_entries WHERE campaign_id = ? ORDER BY customer_id',
      )
      .all(c.id);
    expect(rows).toEqual(
      [
        { c: ids.m1a, m: w.ids.staff.manager1 },
        { c: ids.m1b, m: w.ids.staff.manager1 },
        { c: ids.m2a, m: w.ids.staff.manager2 },
        { c: ids.unassigned, m: null },
        { c: ids.outletCust, m: null },
        { c: ids.grantedToM1, m: w.ids.staff.manager2 },
      ].sort((a, b) => a.c - b.c),
    );
    expect(count('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?', 'campaigns.create')).toBe(1);
  });

  it('takes a customer list, a saved query or a head-office file of customer numbers; bad numbers refuse the whole file', async () => {
    const ids = w.ids.customers;
    const list = await ok(w, 'lists.save', { name: '重点客户' }, pres);
    await ok(w, 'lists.add', { listId: list.id, customerIds: [ids.m1a, ids.m2a] }, pres);
    expect((await ok(w, 'campaigns.create', { name: 'A', source: { listId: list.id } }, pres)).total).toBe(2);
    const q = await ok(w, 'queries.save', { name: '大户', filter: { aumMin: '50000' } }, pres);
    const fromQuery = await ok(w, 'campaigns.create', { name: 'B', source: { queryId: q.id } }, pres);
    expect(fromQuery.total).toBe(
      count(
        `SELECT COUNT(*) AS n FROM customers WHERE aum_fen >= 5000000 AND branch_id IN (?, ?)`,
        w.ids.branch,
        w.ids.outlet,
      ),
    );
    const file = await ok(
      w,
      'campaigns.create',
      { name: 'C', source: { file: csv(`客户号,姓名\n${no(ids.m1b)},x\n${no(ids.outletCust)},y\n`, 'hq.csv') } },
      pres,
    );
    expect(file).toMatchObject({ total: 2, origin: 'import' });
    const before = count('SELECT COUNT(*) AS n FROM campaigns');
    const bad = await call(
      w,
      'campaigns.create',
      {
        name: 'D',
        source: { file: csv(`客户号\n${no(ids.m1b)}\n9999999999\n\n${no(ids.otherBranchCust)}\n`, 'hq.csv') },
      },
      pres,
    );
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'CAMPAIGN_IMPORT_INVALID',
        details: {
          file: 'hq.csv',
          count: 2,
          errors: [
            { line: 3, column: '客户号', reason: 'unknownCustomer', value: '9999999999' },
            { line: 5, column: '客户号', reason: 'unknownCustomer', value: no(ids.otherBranchCust) },
          ],
        },
      },
    });
    expect(count('SELECT COUNT(*) AS n FROM campaigns')).toBe(before);
    const empty = await call(w, 'campaigns.create', { name: 'E', source: { filter: { aumMin: '99999999' } } }, pres);
    expect(empty).toMatchObject({ ok: false, error: { code: 'CAMPAIGN_EMPTY' } });
    expect(count('SELECT COUNT(*) AS n FROM campaigns')).toBe(before);
    // Only the president pushes lists.
    expect(await call(w, 'campaigns.create', { name: 'F', source: { filter: {} } }, m1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});

describe('working the list', () => {
  it('a manager sees and works only their own entries; progress per manager equals the raw entries', async () => {
    const c = await pushAll();
    const mine = await ok(w, 'campaigns.entries', { campaignId: c.id }, m1);
    expect(mine.rows.map((r) => r.customerId).sort()).toEqual([w.ids.customers.m1a, w.ids.customers.m1b].sort());
    expect(mine.rows[0]!.mobile).toMatch(/\*/);
    const theirs = await ok(w, 'campaigns.entries', { campaignId: c.id }, m2);
    expect(theirs.rows.map((r) => r.customerId)).not.toContain(w.ids.customers.m1a);
    // Even asking for manager1's part by id gives manager2 nothing; nor may they change it.
    expect(
      (await ok(w, 'campaigns.entries', { campaignId: c.id, managerStaffId: w.ids.staff.manager1 }, m2)).total,
    ).toBe(0);
    expect(await call(w, 'campaigns.setStatus', { entryId: mine.rows[0]!.id, status: 'won' }, m2)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect((await ok(w, 'campaigns.list', {}, m1))[0]).toMatchObject({ id: c.id, total: 2, pending: 2 });

    await ok(w, 'campaigns.setStatus', { entryId: mine.rows[0]!.id, status: 'contacted', note: '已电话介绍产品' }, m1);
    await ok(w, 'campaigns.setStatus', { entryId: mine.rows[1]!.id, status: 'won', note: '购买 20 万' }, m1);
    await ok(w, 'campaigns.setStatus', { entryId: theirs.rows[0]!.id, status: 'declined' }, m2);
    const queueEntry = (await ok(w, 'campaigns.entries', { campaignId: c.id, managerStaffId: 0 }, pres)).rows[0]!;
    await ok(w, 'campaigns.setStatus', { entryId: queueEntry.id, status: 'contacted' }, pres);

    const prog = await ok(w, 'campaigns.progress', { campaignId: c.id }, pres);
    const ref = w.db
      .prepare(
        `SELECT manager_staff_id AS staffId, COUNT(*) AS total, SUM(status='pending') AS pending, SUM(status='contacted') AS contacted, SUM(status='won') AS won, SUM(status='declined') AS declined
         FROM campaign_entries WHERE campaign_id = ? GROUP BY manager_staff_id`,
      )
      .all(c.id) as {
      staffId: number | null;
      total: number;
      pending: number;
      contacted: number;
      won: number;
      declined: number;
    }[];
    expect(prog.length).toBe(ref.length);
    for (const r of ref) {
      const p = prog.find((x) => x.staffId === r.staffId)!;
      expect(p).toMatchObject(r);
      expect(p.workedRate).toBe((r.total - r.pending) / r.total);
      // a manager with an enabled sign-in can work the entries; the branch queue is the president's
      const login = w.db.prepare('SELECT 1 FROM users WHERE staff_id = ? AND disabled = 0').get(r.staffId);
      expect(p.hasLogin, `staff ${r.staffId}`).toBe(r.staffId === null || login !== undefined);
    }
    // a manager whose account is disabled: their entries are seen by no one, and the progress says so
    w.db.prepare('UPDATE users SET disabled = 1 WHERE staff_id = ?').run(w.ids.staff.manager1);
    try {
      const off = await ok(w, 'campaigns.progress', { campaignId: c.id }, pres);
      expect(off.find((x) => x.staffId === w.ids.staff.manager1)?.hasLogin).toBe(false);
      expect(
        off
          .filter((x) => x.staffId !== w.ids.staff.manager1)
          .every((x) => x.hasLogin === prog.find((y) => y.staffId === x.staffId)?.hasLogin),
      ).toBe(true);
    } finally {
      w.db.prepare('UPDATE users SET disabled = 0 WHERE staff_id = ?').run(w.ids.staff.manager1);
    }
    expect(prog.find((x) => x.staffId === w.ids.staff.manager1)).toMatchObject({
      contacted: 1,
      won: 1,
      pending: 0,
      name: '李经理',
    });
    expect(await call(w, 'campaigns.progress', { campaignId: c.id }, m1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // Worked entries became opportunities with source 'campaign', one per customer, owned by the entry's manager.
    const opps = w.db
      .prepare(
        `SELECT customer_id AS c, stage, owner_staff_id AS owner, source_ref AS ref FROM opportunities WHERE source = 'campaign' ORDER BY customer_id`,
      )
      .all() as { c: number; stage: string; owner: number | null; ref: string }[];
    const entryStage = { contacted: 'contacted', won: 'won', declined: 'lost' } as Record<string, string>;
    const worked = w.db
      .prepare(
        `SELECT customer_id AS c, status, manager_staff_id AS m FROM campaign_entries WHERE campaign_id = ? AND status != 'pending' ORDER BY customer_id`,
      )
      .all(c.id) as {
      c: number;
      status: string;
      m: number | null;
    }[];
    expect(opps).toEqual(worked.map((x) => ({ c: x.c, stage: entryStage[x.status], owner: x.m, ref: String(c.id) })));
    const fun = await ok(w, 'opportunities.funnel', {}, pres);
    expect(fun.sources.find((s) => s.source === 'campaign')).toMatchObject({ total: 4, won: 1, lost: 1, open: 2 });
    // The same status again changes nothing; a contacted entry later won passes through 方案制定.
    await ok(w, 'campaigns.setStatus', { entryId: mine.rows[1]!.id, status: 'won' }, m1);
    await ok(w, 'campaigns.setStatus', { entryId: mine.rows[0]!.id, status: 'won' }, m1);
    const hist = w.db
      .prepare(
        `SELECT h.to_stage AS s FROM opportunity_history h JOIN opportunities o ON o.id = h.opportunity_id WHERE o.customer_id = ? AND o.source = 'campaign' ORDER BY h.id`,
      )
      .all(mine.rows[0]!.customerId)
      .map((r) => (r as { s: string }).s);
    expect(hist).toEqual(['contacted', 'proposal', 'won']);
    expect(count(`SELECT COUNT(*) AS n FROM opportunities WHERE source = 'campaign'`)).toBe(4);
    // Once ended, entries no longer change.
    await ok(w, 'campaigns.close', { id: c.id }, pres);
    expect(await call(w, 'campaigns.setStatus', { entryId: mine.rows[0]!.id, status: 'won' }, m1)).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });
});

describe('offline calls: export and results import', () => {
  it('exports a manager’s own part (audited, masked) and takes the edited sheet back', async () => {
    const c = await pushAll();
    const started = await ok(w, 'campaigns.export', { campaignId: c.id, format: 'xlsx' }, m1);
    const done = await finished(started.ticket, m1);
    expect(done).toMatchObject({ state: 'done', rows: 2 });
    const userId = (w.db.prepare(`SELECT id FROM users WHERE username = 'manager1'`).get() as { id: number }).id;
    const file = w.services.vault.get(done.file!.id, userId)!;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file.path);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      '客户号',
      '客户名称',
      '手机号',
      '客户等级',
      '管户资产（元）',
      '客户经理',
      '营销状态',
      '备注',
    ]);
    const nos = [ws.getRow(2).getCell(1).value, ws.getRow(3).getCell(1).value].sort();
    expect(nos).toEqual([no(w.ids.customers.m1a), no(w.ids.customers.m1b)].sort());
    expect(String(ws.getRow(2).getCell(3).value)).toMatch(/\*/);
    expect(ws.getRow(2).getCell(7).value).toBe('待联系');
    expect(count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'campaigns.export'`)).toBe(1);
    // The manager writes the outcomes into the same sheet and brings it back.
    ws.getRow(2).getCell(7).value = '成功';
    ws.getRow(2).getCell(8).value = '已购买理财';
    ws.getRow(3).getCell(7).value = '拒绝';
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await ok(
      w,
      'campaigns.importResults',
      { campaignId: c.id, file: { name: '回执.xlsx', data: buf.toString('base64') } },
      m1,
    );
    expect(r).toEqual({ updated: 2 });
    const st = w.db
      .prepare(
        'SELECT c.customer_no AS no, e.status, e.note FROM campaign_entries e JOIN customers c ON c.id = e.customer_id WHERE e.campaign_id = ? AND e.manager_staff_id = ? ORDER BY c.customer_no',
      )
      .all(c.id, w.ids.staff.manager1) as { no: string; status: string; note: string | null }[];
    const byNo = Object.fromEntries(st.map((x) => [x.no, x]));
    expect(byNo[String(ws.getRow(2).getCell(1).value)]).toMatchObject({ status: 'won', note: '已购买理财' });
    expect(byNo[String(ws.getRow(3).getCell(1).value)]).toMatchObject({ status: 'declined' });
  });

  it('refuses a bad results file whole, naming file, line and column; GBK CSV and English labels are read', async () => {
    const c = await pushAll();
    const [a, b] = [no(w.ids.customers.m1a), no(w.ids.customers.m1b)];
    const theirs = no(w.ids.customers.m2a);
    const snapshot = () => w.db.prepare('SELECT id, status, note FROM campaign_entries ORDER BY id').all();
    const before = snapshot();
    const bad = await call(
      w,
      'campaigns.importResults',
      {
        campaignId: c.id,
        file: csv(`客户号,营销状态,备注\n${a},成功,好\n${b},maybe,\n${theirs},已联系,\n${a},拒绝,\n`),
      },
      m1,
    );
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'CAMPAIGN_IMPORT_INVALID',
        details: {
          file: 'results.csv',
          errors: [
            { line: 3, column: '营销状态', reason: 'badStatus', value: 'maybe' },
            { line: 5, column: '客户号', reason: 'duplicate', value: a },
          ],
        },
      },
    });
    // Another manager's customer is refused too (and nothing of the good lines is written).
    const notMine = await call(
      w,
      'campaigns.importResults',
      { campaignId: c.id, file: csv(`客户号,状态\n${a},成功\n${theirs},已联系\n`) },
      m1,
    );
    expect(notMine).toMatchObject({
      ok: false,
      error: {
        code: 'CAMPAIGN_IMPORT_INVALID',
        details: { errors: [{ line: 3, column: '客户号', reason: 'notInCampaign', value: theirs }] },
      },
    });
    const noStatus = await call(
      w,
      'campaigns.importResults',
      { campaignId: c.id, file: csv(`客户号,备注\n${a},x\n`) },
      m1,
    );
    expect(noStatus).toMatchObject({
      ok: false,
      error: {
        code: 'CAMPAIGN_IMPORT_INVALID',
        details: { errors: [{ line: 1, reason: 'missingColumn', column: '状态' }] },
      },
    });
    const notXlsx = await call(
      w,
      'campaigns.importResults',
      { campaignId: c.id, file: { name: 'x.xlsx', data: Buffer.from('not a zip').toString('base64') } },
      m1,
    );
    expect(notXlsx).toMatchObject({
      ok: false,
      error: { code: 'CAMPAIGN_IMPORT_INVALID', details: { file: 'x.xlsx', errors: [{ reason: 'notXlsx' }] } },
    });
    const wrongType = await call(
      w,
      'campaigns.importResults',
      { campaignId: c.id, file: { name: 'x.txt', data: '' } },
      m1,
    );
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(snapshot()).toEqual(before);

    const gbk = iconv.encode(`客户号,营销状态,备注\r\n${a},已联系,"约下周面谈, 带家人"\r\n${b},Won,\r\n`, 'gbk');
    const r = await ok(
      w,
      'campaigns.importResults',
      { campaignId: c.id, file: { name: '结果.csv', data: gbk.toString('base64') } },
      m1,
    );
    expect(r.updated).toBe(2);
    const rows = w.db
      .prepare(
        'SELECT e.status, e.note FROM campaign_entries e JOIN customers c ON c.id = e.customer_id WHERE c.customer_no IN (?, ?) AND e.campaign_id = ? ORDER BY c.customer_no',
      )
      .all(a, b, c.id);
    expect(rows).toEqual([
      { status: 'contacted', note: '约下周面谈, 带家人' },
      { status: 'won', note: null },
    ]);
    expect(count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'campaigns.importResults'`)).toBe(1);
  });
});
