/**
 * Files the product had never seen (issue 15): .xlsx rows that end early, identifiers that are wrong
 * or typed as numbers, each written here by the test and run through the real engine.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type RunOptions } from '../../../main/jobs/engine/run';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import type { ImportProfile } from '../../../shared/imports';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { CIF_PROFILE, tempDir } from './helpers';

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
