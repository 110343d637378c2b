/**
 * Files the product had never seen (issue 15): .xlsx rows that end early, identifiers that are wrong
 * or typed as numbers, each written here by the test and run through the real engine.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describer, reasonHeader } from '../../../main/jobs/engine/reasons';
import { builtinProfile } from '../../../main/jobs/profiles/builtin';
import { runImport, type RunOptions } from '../../../main/jobs/engine/run';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import type { ImportProfile } from '../../../shared/imports';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { ACCOUNTS_HEADER, ACCOUNTS_PROFILE, CIF_HEADER, CIF_PROFILE, tempDir, writeText } from './helpers';

const id = (body17: string) => body17 + residentIdCheckChar(body17);

let store: DemoStore;
let dir: string;
let n = 0;
let manager: string;

const XLSX_CIF: ImportProfile = {
  ...CIF_PROFILE,
  name: 'cif-xlsx-test',
  format: 'xlsx',
  delimiter: undefined,
  sheet: 1,
  columns: [
    ...CIF_PROFILE.columns.filter((c) => c.field !== 'manager_employee_no'),
    { field: 'credit_rating', source: '信用等级' },
    { field: 'risk_tolerance', source: '风险承受能力' },
    { field: 'manager_employee_no', source: '客户经理' },
  ],
};
const XLSX_HEADER = [
  '客户号',
  '客户类型',
  '客户名称',
  '证件类型',
  '证件号码',
  '手机号',
  '地址',
  '网点号',
  '开户日期',
  '信用等级',
  '风险承受能力',
  '客户经理',
];

function opts(file: string, profile: ImportProfile, extra: Partial<RunOptions> = {}): RunOptions {
  return { file, profile, tolerance: 0, rejectsDir: path.join(dir, 'rejects'), userId: 1, username: 'admin', ...extra };
}

/** Writes a sheet; `undefined` cells are not written at all (as Excel leaves blank cells out). */
async function xlsx(rows: (string | number | undefined)[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.addRow(XLSX_HEADER);
  rows.forEach((cells, r) => {
    const row = ws.getRow(r + 2);
    cells.forEach((v, c) => {
      if (v !== undefined) row.getCell(c + 1).value = v;
    });
    row.commit();
  });
  const file = path.join(dir, `cif-${++n}.xlsx`);
  await wb.xlsx.writeFile(file);
  return file;
}

beforeAll(async () => {
  store = await makeDemoStore({ customers: 200, seed: 15 });
  dir = tempDir();
  manager = (
    store.db.prepare(`SELECT employee_no AS e FROM staff WHERE position = 'manager' ORDER BY id LIMIT 1`).get() as {
      e: string;
    }
  ).e;
});
afterAll(() => {
  store.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

describe('.xlsx rows with blank trailing cells (item 8)', () => {
  it('reads the missing trailing cells as empty fields, not a wrong column count', async () => {
    const file = await xlsx([
      ['9915000001', '个人', '王喆', '身份证', id('11010819500802686'), '13800138000', '上海市', '310101', '20240131'],
      [
        '9915000002',
        '个人',
        '李镕',
        '身份证',
        id('11010819600101123'),
        undefined,
        '上海市',
        '310101',
        '20240131',
        'AA',
        3,
        manager,
      ],
    ]);
    const out = await runImport(store.db, opts(file, XLSX_CIF));
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 2, rowsRejected: 0 });
    const row = store.db
      .prepare('SELECT credit_rating, risk_tolerance, manager_staff_id, mobile FROM customers WHERE customer_no = ?')
      .get('9915000001');
    expect(row).toEqual({ credit_rating: null, risk_tolerance: null, manager_staff_id: null, mobile: '13800138000' });
  });
});

function rejects(jobId: number): { line: number; field: string | null; value: string | null; reason: string }[] {
  return store.db
    .prepare('SELECT line, field, value, reason FROM import_rejects WHERE job_id = ? ORDER BY seq')
    .all(jobId) as never;
}

describe('identifiers are validated (item 1)', () => {
  it('a GB18030 CIF file: wrong check character and a mobile with a letter are rejected, the rest loads', async () => {
    const legacy = '110108500802686';
    const rows = [
      `9915000101,个人,王喆,身份证,110108195008026860,13800138000,上海市,310101,20240131,`,
      `9915000102,个人,𠮷祥,身份证,${id('11010819700101123')},1735576581X,上海市,310101,20240131,`,
      `9915000103,个人,李镕,身份证,${legacy},+86 138-0013-8001,上海市,310101,20240131,`,
      `9915000104,个人,张·三,护照,e12345678,,上海市,310101,20240131,`,
      `9915000105,个人,陈四,港澳通行证,X1234567,,上海市,310101,20240131,`,
    ];
    const file = writeText(dir, `cif-${++n}.csv`, `${[CIF_HEADER, ...rows].join('\r\n')}\r\n`, 'gb18030');
    const profile: ImportProfile = {
      ...CIF_PROFILE,
      columns: CIF_PROFILE.columns.map((c) =>
        c.field === 'id_type'
          ? { ...c, values: { 身份证: 'resident_id', 护照: 'passport', 港澳通行证: 'hk_mo_permit' } }
          : c,
      ),
    };
    const out = await runImport(store.db, opts(file, profile, { tolerance: 10 }));
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 2, rowsRejected: 3 });
    expect(rejects(out.jobId)).toEqual([
      { line: 2, field: 'id_no', value: '110108195008026860', reason: 'bad_id_no' },
      { line: 3, field: 'mobile', value: '1735576581X', reason: 'bad_mobile' },
      { line: 6, field: 'id_no', value: 'X1234567', reason: 'bad_id_no' },
    ]);
    const stored = store.db
      .prepare(
        `SELECT customer_no, id_no, mobile FROM customers WHERE customer_no IN ('9915000103', '9915000104') ORDER BY 1`,
      )
      .all();
    expect(stored).toEqual([
      {
        customer_no: '9915000103',
        id_no: `11010819500802686${residentIdCheckChar('11010819500802686')}`,
        mobile: '13800138001',
      },
      { customer_no: '9915000104', id_no: 'E12345678', mobile: null },
    ]);
  });

  it('the customer remark (备注) imports like any other field, quoted commas and newlines included', async () => {
    const rows = [
      `9915000901,个人,周备注,身份证,${id('11010819800101234')},,上海市,310101,20240131,,"VIP，每月初来行; 偏好理财"`,
      `9915000902,个人,吴备注,身份证,${id('11010819800101235')},,上海市,310101,20240131,,"两行
备注"`,
      `9915000903,个人,郑备注,身份证,${id('11010819800101236')},,上海市,310101,20240131,,`,
    ];
    const file = writeText(dir, `cif-${++n}.csv`, `${[`${CIF_HEADER},备注`, ...rows].join('\r\n')}\r\n`, 'gb18030');
    const profile: ImportProfile = {
      ...CIF_PROFILE,
      columns: [...CIF_PROFILE.columns, { field: 'remark', source: '备注', optional: true }],
    };
    const out = await runImport(store.db, opts(file, profile));
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 3, rowsRejected: 0 });
    const stored = store.db
      .prepare("SELECT customer_no, remark FROM customers WHERE customer_no LIKE '99150009%' ORDER BY 1")
      .all();
    expect(stored).toEqual([
      { customer_no: '9915000901', remark: 'VIP，每月初来行; 偏好理财' },
      { customer_no: '9915000902', remark: '两行\n备注' },
      { customer_no: '9915000903', remark: null },
    ]);
    // The built-in CIF profile offers the column, optional: files without it still load.
    const cif = builtinProfile('cif')!;
    expect(cif.columns.find((c) => c.field === 'remark')).toMatchObject({ source: '备注', optional: true });
  });

  it('a 15-digit ID is kept as issued when the id_no column says keep15', async () => {
    const file = writeText(
      dir,
      `cif-${++n}.csv`,
      `${CIF_HEADER}\r\n9915000111,个人,赵五,身份证,110108500802686,,上海市,310101,20240131,\r\n`,
    );
    const profile: ImportProfile = {
      ...CIF_PROFILE,
      columns: CIF_PROFILE.columns.map((c) => (c.field === 'id_no' ? { ...c, format: 'keep15' } : c)),
    };
    const out = await runImport(store.db, opts(file, profile));
    expect(out.status).toBe('committed');
    expect(store.db.prepare(`SELECT id_no FROM customers WHERE customer_no = '9915000111'`).get()).toEqual({
      id_no: '110108500802686',
    });
  });

  it('an 18-digit ID typed as a number in .xlsx is refused (format the column as text), as text it loads', async () => {
    const file = await xlsx([
      [
        '9915000201',
        '个人',
        '王喆',
        '身份证',
        Number('110108195008026868'), // as Excel stores it: 110108195008027000
        '13800138000',
        '上海市',
        '310101',
        '20240131',
      ],
      ['9915000202', '个人', '李镕', '身份证', '110108195008026868', '13800138000', '上海市', '310101', '20240131'],
    ]);
    const out = await runImport(store.db, opts(file, XLSX_CIF, { tolerance: 1 }));
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 1, rowsRejected: 1 });
    expect(rejects(out.jobId)).toEqual([
      { line: 2, field: 'id_no', value: '110108195008027000', reason: 'numeric_cell' },
    ]);
    expect(store.db.prepare(`SELECT id_no FROM customers WHERE customer_no = '9915000202'`).get()).toEqual({
      id_no: '110108195008026868',
    });
    expect(store.db.prepare(`SELECT 1 FROM customers WHERE customer_no = '9915000201'`).get()).toBeUndefined();
  });

  it('card accounts must pass Luhn, account numbers must look like account numbers', async () => {
    const c = store.db.prepare('SELECT customer_no FROM customers ORDER BY id LIMIT 1').get() as {
      customer_no: string;
    };
    const p = store.db.prepare(`SELECT code FROM products WHERE category = 'card' LIMIT 1`).get() as { code: string };
    const lines = [
      `4111111111111111|${c.customer_no}|${p.code}|310101|card|2024-01-31|0`,
      `4111111111111112|${c.customer_no}|${p.code}|310101|card|2024-01-31|0`,
      `62 17 00|${c.customer_no}|${p.code}|310101|demand|2024-01-31|0`,
    ];
    const file = writeText(dir, `acc-${++n}.csv`, `${[ACCOUNTS_HEADER, ...lines].join('\n')}\n`, 'utf-8');
    const out = await runImport(store.db, opts(file, ACCOUNTS_PROFILE, { tolerance: 5 }));
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 1, rowsRejected: 2 });
    expect(rejects(out.jobId).map((r) => [r.line, r.reason])).toEqual([
      [3, 'bad_card_no'],
      [4, 'bad_account_no'],
    ]);
  });
});

describe('UTF-16 files (item 5)', () => {
  for (const enc of ['utf-16le', 'utf-16be'] as const) {
    it(`imports ${enc} with a BOM and writes its rejects file in the same encoding`, async () => {
      const rows = [
        `99150003${enc === 'utf-16le' ? '01' : '11'},个人,𠮷祥,身份证,${id('11010819700101123')},13800138000,"上海市,浦东",310101,20240131,`,
        `99150003${enc === 'utf-16le' ? '02' : '12'},个人,王喆,身份证,${id('11010819700101124')},13800138000,上海市,310101,20240230,`,
      ];
      const text = `${[CIF_HEADER, ...rows].join('\r\n')}\r\n`;
      const le = Buffer.from(text, 'utf16le');
      const bytes = Buffer.concat([
        Buffer.from(enc === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff]),
        enc === 'utf-16le' ? le : Buffer.from(le).swap16(),
      ]);
      const file = path.join(dir, `cif-${++n}.txt`);
      writeFileSync(file, bytes);
      const out = await runImport(store.db, opts(file, CIF_PROFILE, { tolerance: 1 }));
      expect(out).toMatchObject({ status: 'committed', rowsInserted: 1, rowsRejected: 1, encoding: enc });
      expect(out.rejects?.encoding).toBe(enc);
      const written = readFileSync(out.rejects!.file);
      const decoded = new TextDecoder(enc).decode(written); // drops the BOM
      expect(written.subarray(0, 2)).toEqual(Buffer.from(enc === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff]));
      expect(decoded.split('\r\n')[0]).toBe(`${CIF_HEADER},"reason"`);
      expect(decoded).toContain(rows[1]);
    });
  }
});

describe('a refused file says where (items 3 and 6)', () => {
  it('one bad line among 2,000 with tolerance 0: the message and the rejects view name it', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const no = `9915${String(10_000 + i).padStart(6, '0')}`;
      const idNo =
        i === 1501
          ? '110108195008026860'
          : id(`110108198001${String(10 + (i % 18)).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`);
      return `${no},个人,客户${i},身份证,${idNo},13800138000,"上海市,浦东",310101,20240131,`;
    });
    const file = writeText(dir, `cif-${++n}.csv`, `${[CIF_HEADER, ...rows].join('\r\n')}\r\n`, 'gb18030');
    const out = await runImport(store.db, opts(file, CIF_PROFILE));
    expect(out.status).toBe('failed');
    expect(out.error?.code).toBe('IMPORT_TOO_MANY_REJECTS');
    const first = out.error!.details.first as {
      line: number;
      column: number;
      field: string;
      value: string;
      reason: string;
    }[];
    expect(out.error!.details.file).toBe(path.basename(file));
    expect(first).toEqual([
      {
        line: 1503,
        column: expect.any(Number),
        field: 'id_no',
        value: expect.stringMatching(/^110108\*+6860$/),
        reason: 'bad_id_no',
      },
    ]);
    expect(first[0]!.column).toBe(rows[1501]!.indexOf('110108195008026860') + 1);
    // The failed job's rejects view (the rows were rolled back) still has the line.
    expect(rejects(out.jobId)).toEqual([
      { line: 1503, field: 'id_no', value: '110108195008026860', reason: 'bad_id_no' },
    ]);
    // The rejects file names the reason in words, not as a code.
    const text = iconv.decode(readFileSync(out.rejects!.file), 'gb18030');
    expect(text).toContain('第 1503 行');
    expect(text).toContain('证件号码：证件号码不符合该证件类型的规则');
    expect(text).not.toContain('bad_id_no');
    expect(
      store.db
        .prepare(`SELECT COUNT(*) AS c FROM customers WHERE customer_no LIKE '99150%' AND customer_no >= '9915010000'`)
        .get(),
    ).toEqual({ c: 0 });
  });

  it('the rejects file speaks the user’s language', async () => {
    const file = writeText(
      dir,
      `cif-${++n}.csv`,
      `${CIF_HEADER}\r\n9915000401,个人,王喆,身份证,${id('11010819700101123')},1735576581X,上海市,310101,20240131,\r\n`,
    );
    const out = await runImport(
      store.db,
      opts(file, CIF_PROFILE, {
        tolerance: 1,
        describeReject: describer('en', CIF_PROFILE),
        reasonHeader: reasonHeader('en'),
      }),
    );
    const text = iconv.decode(readFileSync(out.rejects!.file), 'gb18030');
    expect(text.split('\r\n')[0]).toBe(`${CIF_HEADER},"Reason rejected"`);
    expect(text).toContain('line 2, column 41, 手机号: Invalid mobile number (11 digits starting 13-19) (1735576581X)');
  });
});

describe('built-in profiles take files without their optional columns (item 7)', () => {
  it('a branches file with only 网点号,网点名称 loads; stored addresses stay', async () => {
    const profile = builtinProfile('branches')!;
    const before = store.db.prepare(`SELECT code, address, parent_id FROM branches WHERE code = '310101'`).get() as {
      address: string | null;
    };
    const file = writeText(
      dir,
      `branches-${++n}.csv`,
      '网点号,网点名称\r\n310101,第一支行(改名)\r\n319999,新开网点\r\n',
    );
    const out = await runImport(store.db, opts(file, profile));
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 1, rowsUpdated: 1 });
    expect(store.db.prepare(`SELECT code, address, parent_id FROM branches WHERE code = '310101'`).get()).toEqual(
      before,
    );
    expect(store.db.prepare(`SELECT name FROM branches WHERE code = '310101'`).get()).toEqual({
      name: '第一支行(改名)',
    });
  });

  it('a required column is still required', async () => {
    const file = writeText(dir, `staff-${++n}.csv`, '员工号,姓名\r\nE1,张三\r\n');
    const out = await runImport(store.db, opts(file, builtinProfile('staff')!));
    expect(out.error?.code).toBe('IMPORT_HEADER_MISMATCH');
    expect(out.error?.details.missing).toEqual(['网点号', '岗位']);
  });
});

describe('one file through profiles of two kinds (item 7)', () => {
  it('is not refused as a duplicate; the same kind again still is', async () => {
    const c = id('11010819700101125');
    const text = `客户号,客户类型,客户名称,证件类型,证件号码,网点号,开户日期,账号,产品号,账户类型,余额\r\n9915000501,个人,赵六,身份证,${c},310101,2024-01-31,6217000000000000501,P1,demand,12.00\r\n`;
    const file = writeText(dir, `cust-acc-${++n}.csv`, text);
    const customers: ImportProfile = {
      name: 'cust-part',
      kind: 'customers',
      format: 'delimited',
      encoding: 'auto',
      delimiter: ',',
      header: true,
      columns: [
        { field: 'customer_no', source: '客户号' },
        { field: 'kind', source: '客户类型', values: { 个人: 'individual' } },
        { field: 'name', source: '客户名称' },
        { field: 'id_type', source: '证件类型', values: { 身份证: 'resident_id' } },
        { field: 'id_no', source: '证件号码' },
        { field: 'branch_code', source: '网点号' },
        { field: 'opened_on', source: '开户日期' },
      ],
    };
    const first = await runImport(store.db, opts(file, customers));
    expect(first.status).toBe('committed');
    const product = store.db.prepare(`SELECT code FROM products WHERE category = 'demand' LIMIT 1`).get() as {
      code: string;
    };
    const accounts: ImportProfile = {
      name: 'acc-part',
      kind: 'accounts',
      format: 'delimited',
      encoding: 'auto',
      delimiter: ',',
      header: true,
      columns: [
        { field: 'account_no', source: '账号' },
        { field: 'customer_no', source: '客户号' },
        { field: 'product_code', constant: product.code },
        { field: 'branch_code', source: '网点号' },
        { field: 'kind', source: '账户类型' },
        { field: 'opened_on', source: '开户日期' },
        { field: 'balance', source: '余额' },
      ],
    };
    const second = await runImport(store.db, opts(file, accounts));
    expect(second.error).toBeUndefined();
    expect(second).toMatchObject({ status: 'committed', rowsInserted: 1 });
    const again = await runImport(store.db, opts(file, customers));
    expect(again.error?.code).toBe('IMPORT_DUPLICATE_FILE');
  });
});

describe('a flat branch tree is flagged (item 7)', () => {
  it('a branches load that leaves several top branches commits with a warning', async () => {
    const roots = () =>
      (store.db.prepare('SELECT COUNT(*) AS n FROM branches WHERE parent_id IS NULL').get() as { n: number }).n;
    const ok = writeText(
      dir,
      `branches-${++n}.csv`,
      '网点号,网点名称,上级网点号\r\n318801,挂在总行下,310101\r\n319999,新开网点,310101\r\n',
    );
    const quiet = await runImport(store.db, opts(ok, builtinProfile('branches')!));
    expect(quiet.status).toBe('committed');
    expect(quiet.warnings).toBeUndefined();
    expect(roots()).toBe(1);
    const flat = writeText(dir, `branches-${++n}.csv`, '网点号,网点名称\r\n318802,独立网点甲\r\n318803,独立网点乙\r\n');
    const out = await runImport(store.db, opts(flat, builtinProfile('branches')!));
    expect(out.status).toBe('committed');
    expect(out.warnings).toEqual([{ code: 'flat_branch_tree', roots: 3, branches: expect.any(Number) }]);
  });
});

describe('.xlsx with formulas and merged cells', () => {
  it('a formula cell imports its cached result, never its formula; a merged cell is its top-left value', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.addRow(XLSX_HEADER);
    const base = [
      '9915000601',
      '个人',
      '王喆',
      '身份证',
      id('11010819700101126'),
      '13800138000',
      '上海市',
      '310101',
      '20240131',
    ];
    ws.addRow(base);
    ws.addRow([
      '9915000602',
      '个人',
      '李镕',
      '身份证',
      id('11010819700101127'),
      '13800138000',
      '',
      '310101',
      '20240131',
    ]);
    // 客户名称 as a formula with its cached result; 地址 merged across rows 2-3 (Excel keeps the value in G2 only).
    ws.getCell('C3').value = { formula: 'CONCATENATE("李","镕")', result: '李镕' };
    ws.getCell('J2').value = { formula: '"A"&"A"', result: 'AA' };
    ws.mergeCells('G2:G3');
    const file = path.join(dir, `cif-${++n}.xlsx`);
    await wb.xlsx.writeFile(file);
    const out = await runImport(store.db, opts(file, XLSX_CIF));
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 2 });
    expect(
      store.db
        .prepare(
          `SELECT customer_no, name, address, credit_rating FROM customers WHERE customer_no IN ('9915000601', '9915000602') ORDER BY 1`,
        )
        .all(),
    ).toEqual([
      { customer_no: '9915000601', name: '王喆', address: '上海市', credit_rating: 'AA' },
      { customer_no: '9915000602', name: '李镕', address: null, credit_rating: null },
    ]);
  });
});
