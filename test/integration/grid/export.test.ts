import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { exportQuery } from '../../../db/repos/customer-grid';
import { scopeFor } from '../../../db/scope';
import { fixedClock } from '../../../main/clock';
import { columnSpecs } from '../../../main/exports/labels';
import type { ExportMessage, ExportWorkerInput } from '../../../main/exports/worker';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { ExportStatus, Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { demoSignIn } from '../support/demo-session';

let services: Services;
let registry: ReturnType<typeof createRegistry>;
let president: string;

async function ok<M extends MethodName>(method: M, input: Input<M>, session = president): Promise<Output<M>> {
  const r = (await registry.dispatch({ method, input, session }, { adapter: 'test' })) as CallResult<Output<M>>;
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}
async function finished(ticket: number): Promise<ExportStatus> {
  for (;;) {
    const s = await ok('exports.status', { ticket });
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 800, seed: 23 });
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

describe('Excel export of the grid', () => {
  it('exports exactly what the grid shows: filter, sort, visible columns in order, masking, zh-CN headers, typed cells', async () => {
    const filter = { tiers: ['gold' as const, 'quality' as const] };
    const sort = [{ col: 'aum' as const, dir: 'desc' as const }];
    const columns = ['customerNo', 'name', 'tier', 'aum', 'idNo', 'mobile', 'openedOn'] as const;
    const started = await ok('exports.start', { filter, sort, columns: [...columns], format: 'xlsx' });
    const done = await finished(started.ticket);
    expect(done.state).toBe('done');
    const grid = await ok('customers.grid', { filter, sort, offset: 0, limit: 500 });
    const count = await ok('customers.gridCount', { filter });
    expect(done.rows).toBe(count.filtered);
    expect(done.file!.name).toMatch(/^客户清单-\d{8}-\d{6}\.xlsx$/);

    const file = services.vault.get(
      done.file!.id,
      (services.db.prepare(`SELECT id FROM users WHERE username = 'president'`).get() as { id: number }).id,
    )!;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file.path);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      '客户号',
      '客户名称',
      '分层',
      '管户资产（元）',
      '证件号码',
      '手机号码',
      '开户日期',
    ]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.rowCount - 1).toBe(count.filtered);
    grid.rows.slice(0, 50).forEach((g, i) => {
      const row = ws.getRow(i + 2);
      expect(row.getCell(1).value).toBe(g.customerNo); // text, never 8.1E+9
      expect(typeof row.getCell(1).value).toBe('string');
      expect(row.getCell(2).value).toBe(g.name);
      expect(row.getCell(3).value).toBe(g.tier === 'gold' ? '黄金' : '优质');
      expect(row.getCell(4).value).toBe(Number(g.aum)); // a number...
      expect(row.getCell(4).numFmt).toBe('#,##0.00'); // ...with a money format
      expect(row.getCell(5).value).toBe(g.idNo); // masked like the grid
      expect(String(row.getCell(5).value)).toMatch(/\*{4}/);
      expect(row.getCell(6).value).toBe(g.mobile);
      expect(row.getCell(7).value).toEqual(new Date(`${g.openedOn}T00:00:00Z`)); // a date
    });
    const audit = services.db
      .prepare(`SELECT action, outcome, details FROM audit_log WHERE action LIKE 'exports.%' ORDER BY id`)
      .all() as { action: string; details: string }[];
    expect(audit.map((a) => a.action)).toEqual(['exports.start', 'exports.finish']);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ rows: count.filtered, format: 'xlsx', filter });
  });

  it('CSV: UTF-8 with BOM, exact money text, same rows', async () => {
    const started = await ok('exports.start', {
      filter: { kinds: ['corporate'] },
      sort: [{ col: 'customerNo', dir: 'asc' }],
      columns: ['customerNo', 'name', 'loans'],
      format: 'csv',
    });
    const done = await finished(started.ticket);
    const file = services.vault.get(
      done.file!.id,
      (services.db.prepare(`SELECT id FROM users WHERE username = 'president'`).get() as { id: number }).id,
    )!;
    const text = readFileSync(file.path, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('客户号,客户名称,贷款（元）');
    const grid = await ok('customers.grid', {
      filter: { kinds: ['corporate'] },
      sort: [{ col: 'customerNo', dir: 'asc' }],
      offset: 0,
      limit: 500,
    });
    expect(lines.slice(1)).toEqual(grid.rows.map((r) => `${r.customerNo},${r.name},${r.loans}`));
  });

  it('continues on further sheets past the per-sheet row limit', async () => {
    const scope = scopeFor(
      services.db,
      {
        role: 'president',
        staffId: null,
        branchId: (
          services.db.prepare(`SELECT branch_id AS b FROM users WHERE username = 'president'`).get() as { b: number }
        ).b,
      },
      '2026-10-31',
    );
    const q = exportQuery(scope, {}, [], ['customerNo', 'aum'], '2026-10-31');
    const file = path.join(services.paths.exports, 'sheets.xlsx');
    const input: ExportWorkerInput = {
      dbPath: services.info.dbPath,
      ...q,
      columns: columnSpecs(['customerNo', 'aum'], 'zh-CN'),
      format: 'xlsx',
      file,
      sheetName: '客户清单',
      cancel: new SharedArrayBuffer(4),
      rowsPerSheet: 300,
    };
    const w = new Worker(path.resolve(__dirname, '../../../main/exports/worker-tsx.cjs'), { workerData: input });
    const result = await new Promise<ExportMessage>((resolve) =>
      w.on('message', (m: ExportMessage) => m.type !== 'progress' && resolve(m)),
    );
    expect(result).toMatchObject({ type: 'done', rows: 800 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['客户清单', '客户清单 (2)', '客户清单 (3)']);
    expect(wb.worksheets.map((s) => s.rowCount - 1)).toEqual([300, 300, 200]);
    expect(wb.worksheets[1]!.getRow(1).getCell(1).value).toBe('客户号'); // every sheet has the header
  });

  it('a manager exports only their own book', async () => {
    const r = (await registry.dispatch(
      { method: 'auth.signIn', input: { username: 'manager2', password: DEMO_PASSWORD } },
      { adapter: 'test' },
    )) as CallResult<{ session: string }>;
    const mgr = r.ok ? r.value.session : '';
    const started = await ok('exports.start', { filter: {}, sort: [], columns: ['customerNo'], format: 'csv' }, mgr);
    let s = started;
    while (s.state === 'running') {
      await new Promise((res) => setTimeout(res, 50));
      s = await ok('exports.status', { ticket: started.ticket }, mgr);
    }
    const count = await ok('customers.gridCount', { filter: {} }, mgr);
    expect(s.rows).toBe(count.total);
    expect(count.total).toBeLessThan((await ok('customers.gridCount', { filter: {} })).total);
    // Another user cannot see or fetch it.
    expect(
      (
        await registry.dispatch(
          { method: 'exports.status', input: { ticket: started.ticket }, session: president },
          { adapter: 'test' },
        )
      ).ok,
    ).toBe(false);
    expect(registry.file(president, s.file!.id)).toBeNull();
    expect(registry.file(mgr, s.file!.id)).not.toBeNull();
  });
});
