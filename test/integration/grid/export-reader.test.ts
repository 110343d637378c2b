import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { ExportColumn, ExportStatus, GridRow, Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * The exported workbook read back by an independent reader, openpyxl (Python), compared cell by cell
 * with the grid's own rows for the same filter and sort: every export column, Chinese text, masked
 * 18-character ID numbers and customer numbers as text, amounts as numbers, dates as dates.
 * Needs python3 with openpyxl (Debian: apt-get install python3-openpyxl; CRM_PYTHON names another).
 */
const PYTHON = process.env.CRM_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const READER = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=False)
out = []
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        cells = []
        for c in row:
            v = c.value
            if isinstance(v, datetime.datetime): v = {"date": v.strftime("%Y-%m-%d")}
            cells.append({"v": v, "fmt": c.number_format, "type": type(v).__name__})
        rows.append(cells)
    out.append({"title": ws.title, "frozen": ws.freeze_panes, "autofilter": ws.auto_filter.ref, "rows": rows})
print(json.dumps(out, ensure_ascii=False))
`;
import { demoSignIn } from '../support/demo-session';

let services: Services;
let registry: ReturnType<typeof createRegistry>;
let president: string;

async function ok<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await registry.dispatch({ method, input, session: president }, { adapter: 'test' })) as CallResult<
    Output<M>
  >;
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 600, seed: 31 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
  });
  registry = createRegistry(services);
  president = await demoSignIn(registry, 'president');
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

interface Cell {
  v: string | number | { date: string } | null;
  fmt: string;
  type: string;
}

describe('export read back by openpyxl', () => {
  it('matches the grid cell by cell across all export columns', async () => {
    let version = '';
    try {
      version = execFileSync(PYTHON, ['-c', 'import openpyxl; print(openpyxl.__version__)'], {
        encoding: 'utf8',
      }).trim();
    } catch {
      throw new Error(`this test needs ${PYTHON} with openpyxl (apt-get install python3-openpyxl, or set CRM_PYTHON)`);
    }
    expect(version).toMatch(/^\d+\./);

    const filter = { kinds: ['individual' as const], aumMin: '1000' };
    const sort = [{ col: 'customerNo' as const, dir: 'asc' as const }];
    // The twenty columns this test knows cell by cell (the catalogue may hold more).
    const columns: ExportColumn[] = [
      'customerNo',
      'name',
      'kind',
      'tier',
      'aum',
      'deposits',
      'wealth',
      'loans',
      'idNo',
      'mobile',
      'managerName',
      'branchName',
      'status',
      'openedOn',
      'lastTxnOn',
      'birthDate',
      'gender',
      'idType',
      'occupation',
      'creditRating',
    ];
    const started = await ok('exports.start', { filter, sort, columns, format: 'xlsx' });
    let done: ExportStatus = started;
    while (done.state === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      done = await ok('exports.status', { ticket: started.ticket });
    }
    expect(done.state).toBe('done');
    const rows: GridRow[] = [];
    for (let off = 0; off < done.rows; off += 500)
      rows.push(...(await ok('customers.grid', { filter, sort, offset: off, limit: 500 })).rows);
    expect(rows.length).toBe(done.rows);
    expect(rows.length).toBeGreaterThan(100);

    const userId = (services.db.prepare(`SELECT id FROM users WHERE username = 'president'`).get() as { id: number })
      .id;
    const file = services.vault.get(done.file!.id, userId)!;
    const book = JSON.parse(
      execFileSync(PYTHON, ['-c', READER, file.path], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    ) as { title: string; frozen: string | null; autofilter: string | null; rows: Cell[][] }[];
    expect(book).toHaveLength(1);
    const sheet = book[0]!;
    expect(sheet.title).toBe('客户清单');
    expect(sheet.frozen).toBe('A2'); // header row stays put
    expect(sheet.autofilter).toMatch(/^A1:T1$/); // twenty columns
    const header = sheet.rows[0]!.map((c) => c.v);
    expect(header).toEqual([
      '客户号',
      '客户名称',
      '客户类型',
      '分层',
      '管户资产（元）',
      '存款（元）',
      '理财（元）',
      '贷款（元）',
      '证件号码',
      '手机号码',
      '管户客户经理',
      '网点',
      '状态',
      '开户日期',
      '最近交易',
      '出生日期',
      '性别',
      '证件类型',
      '职业/行业',
      '信用等级',
    ]);
    expect(sheet.rows.length - 1).toBe(rows.length);

    const tierZh: Record<string, string> = {
      gold: '黄金',
      quality: '优质',
      key: '重点',
      ordinary: '普通',
      restricted: '限制',
      exit: '淘汰',
    };
    const statusZh: Record<string, string> = { active: '正常', dormant: '休眠', closed: '已销户' };
    const idTypeZh: Record<string, string> = {
      resident_id: '居民身份证',
      passport: '护照',
      hk_mo_permit: '港澳居民来往内地通行证',
      tw_permit: '台湾居民来往大陆通行证',
      uscc: '统一社会信用代码',
      other: '其他证件',
    };
    const text = (s: string | null) => (s === null || s === '' ? null : s);
    const money = (m: string) => ({ v: Number(m), fmt: '#,##0.00' });
    const date = (d: string | null) => (d === null ? null : { date: d });
    let chinese = 0;
    let ids18 = 0;
    rows.forEach((g, i) => {
      const got = sheet.rows[i + 1]!;
      const want: (string | number | { date: string } | null | { v: number; fmt: string })[] = [
        g.customerNo,
        g.name,
        '个人',
        g.tier ? tierZh[g.tier]! : null,
        money(g.aum),
        money(g.deposits),
        money(g.wealth),
        money(g.loans),
        text(g.idNo),
        text(g.mobile),
        text(g.managerName),
        g.branchName,
        statusZh[g.status]!,
        date(g.openedOn),
        date(g.lastTxnOn),
        date(g.birthDate),
        g.gender ? { M: '男', F: '女' }[g.gender] : null,
        idTypeZh[g.idType]!,
        text(g.occupation),
        text(g.creditRating),
      ];
      want.forEach((w, c) => {
        const cell = got[c]!;
        const where = `row ${i + 2} column ${c + 1}`;
        if (w !== null && typeof w === 'object' && 'fmt' in w) {
          expect(cell.v, where).toBe(w.v);
          expect(cell.fmt, where).toBe(w.fmt);
        } else expect(cell?.v ?? null, where).toEqual(w);
      });
      expect(got[0]!.type, 'customer number is text').toBe('str');
      if (/[\u4e00-\u9fff]/.test(g.name)) chinese++;
      if (g.idNo && g.idNo.length === 18) {
        ids18++;
        expect(got[8]!.type).toBe('str');
      }
    });
    expect(chinese).toBeGreaterThan(50);
    expect(ids18).toBeGreaterThan(50);
  });
});
