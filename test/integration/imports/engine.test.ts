import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runImport, type RunOptions } from '../../../main/jobs/engine/run';
import { revertJob } from '../../../main/jobs/engine/revert';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import {
  ACCOUNTS_HEADER,
  ACCOUNTS_PROFILE,
  CIF_HEADER,
  CIF_PROFILE,
  figureMismatches,
  referenceSummaries,
  storeDigest,
  storedSummaries,
  tempDir,
  writeText,
} from './helpers';

const id = (body17: string) => body17 + residentIdCheckChar(body17);
const ADMIN = { userId: 1, username: 'admin', role: 'admin' };

let store: DemoStore;
let dir: string;
let n = 0;

function opts(file: string, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    file,
    profile: CIF_PROFILE,
    tolerance: 0,
    rejectsDir: path.join(dir, 'rejects'),
    userId: 1,
    username: 'admin',
    ...extra,
  };
}

/** A fresh file name each time, so checksums differ unless a test wants them equal. */
function cif(rows: string[], encoding: 'utf-8' | 'gbk' | 'gb18030' = 'gb18030'): string {
  return writeText(dir, `cif-${++n}.csv`, `${[CIF_HEADER, ...rows].join('\r\n')}\r\n`, encoding);
}

beforeAll(async () => {
  store = await makeDemoStore({ customers: 300, seed: 7 });
  dir = tempDir();
});
afterAll(() => {
  store.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

describe('customer (CIF) import', () => {
  let manager: string;
  let before: ReturnType<typeof storeDigest>;
  beforeEach(() => {
    manager = (
      store.db.prepare(`SELECT employee_no AS e FROM staff WHERE position = 'manager' ORDER BY id LIMIT 1`).get() as {
        e: string;
      }
    ).e;
    before = storeDigest(store.db);
  });

  it('inserts new customers exactly, keeps a GB18030-only character, and keeps summaries current', async () => {
    const at = '2026-03-02T01:02:03.456Z';
    const out = await runImport(
      store.db,
      opts(
        cif([
          `9900000001,个人,𠮷祥,身份证,${id('11010119900307123')},13800138000,上海市浦东新区世纪大道1号,310101,20240131,${manager}`,
          `9900000002,对公,上海示范贸易有限公司,身份证,${id('31011519851201002')},,上海市浦东新区张杨路2号,310102,2024-02-29,`,
        ]),
        { now: () => new Date(at) },
      ),
    );
    expect(out.status).toBe('committed');
    // the rows carry the job's time
    expect(
      store.db
        .prepare(
          `SELECT DISTINCT created_at, updated_at FROM customers WHERE customer_no IN ('9900000001', '9900000002')`,
        )
        .all(),
    ).toEqual([{ created_at: at, updated_at: at }]);
    expect(out.rowsInserted).toBe(2);
    expect(out.encoding).toBe('gb18030');
    const row = store.db
      .prepare(
        'SELECT name, kind, opened_on, branch_id, manager_staff_id, name_initials, created_job_id FROM customers WHERE customer_no = ?',
      )
      .get('9900000001') as Record<string, unknown>;
    expect(row.name).toBe('𠮷祥');
    expect(row.opened_on).toBe('2024-01-31');
    expect(row.created_job_id).toBe(out.jobId);
    expect(row.manager_staff_id).toBe(
      (store.db.prepare('SELECT id FROM staff WHERE employee_no = ?').get(manager) as { id: number }).id,
    );
    expect(
      store.db.prepare('SELECT COUNT(*) AS c FROM manager_assignments WHERE created_job_id = ?').get(out.jobId),
    ).toEqual({ c: 1 });
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
    const job = store.db
      .prepare('SELECT status, rows_inserted, checksum FROM import_jobs WHERE id = ?')
      .get(out.jobId) as Record<string, unknown>;
    expect(job.status).toBe('committed');
    expect(String(job.checksum)).toMatch(/^[0-9a-f]{64}$/);
    expect(
      store.db
        .prepare(`SELECT outcome FROM audit_log WHERE action = 'imports.run' AND target_id = ?`)
        .get(String(out.jobId)),
    ).toEqual({ outcome: 'ok' });
  });

  it('updates by natural key, keeps history of the address, and reverts exactly', async () => {
    const c = store.db
      .prepare(
        'SELECT customer_no, name, id_no, mobile, address, opened_on FROM customers WHERE created_job_id IS NULL ORDER BY id LIMIT 1',
      )
      .get() as Record<string, string>;
    const branch = '310103';
    const line = `${c.customer_no},个人,${c.name},身份证,${c.id_no ?? ''},${c.mobile ?? ''},上海市浦东新区新地址8号,${branch},${c.opened_on},${manager}`;
    const stamps = () =>
      store.db
        .prepare('SELECT created_at, updated_at FROM customers WHERE customer_no = ?')
        .get(c.customer_no) as Record<string, string>;
    const created = stamps().created_at;
    const out = await runImport(store.db, opts(cif([line]), { now: () => new Date('2026-03-03T04:05:06.789Z') }));
    expect(out).toMatchObject({ status: 'committed', rowsUpdated: 1, rowsInserted: 0 });
    expect(stamps()).toEqual({ created_at: created, updated_at: '2026-03-03T04:05:06.789Z' });
    const hist = store.db
      .prepare(`SELECT field, old_value, new_value FROM customer_changes WHERE source = ?`)
      .all(`import:${out.jobId}`);
    expect(hist).toContainEqual({ field: 'address', old_value: c.address, new_value: '上海市浦东新区新地址8号' });
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));

    // The same file again is recognised by its checksum...
    const again = await runImport(store.db, opts(path.join(dir, `cif-${n}.csv`)));
    expect(again.status).toBe('failed');
    expect(again.error?.code).toBe('IMPORT_DUPLICATE_FILE');
    expect(again.error?.details.previousJob).toBe(out.jobId);

    // ...and reverting the job gives back the store as it was.
    const r = revertJob(store.db, out.jobId, ADMIN);
    expect(r.restored).toBe(1);
    expect(storeDigest(store.db)).toEqual(before);
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
  });

  it('rejects bad rows with line, column, value and reason, and fails without touching the store when over tolerance', async () => {
    const rows = [
      `9900000101,个人,赵一,身份证,${id('11010119900307223')},13800138001,地址1,310101,20240230,`, // no 30 February
      `9900000102,个人,钱二,身份证,${id('11010119900307323')},13800138002,地址2,999999,20240105,`, // unknown branch
      `9900000103,个人,孙三,身份证,${id('11010119900307423')},13800138003,地址3,310101,20240105,`,
      `9900000103,个人,孙三,身份证,${id('11010119900307423')},13800138003,地址3,310101,20240105,`, // duplicate key
      `9900000104,外星,李四,身份证,${id('11010119900307523')},13800138004,地址4,310101,20240105,`, // bad enum
      `9900000105,个人,周五,身份证,${id('11010119900307623')},13800138005,地址5,310101,20240105`, // a field short
    ];
    const file = cif(rows);
    const colOf = (row: number, value: string) => rows[row]!.indexOf(`,${value}`) + 2; // 1-based, after the comma
    const failed = await runImport(store.db, opts(file, { tolerance: 2 }));
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('IMPORT_TOO_MANY_REJECTS');
    expect(storeDigest(store.db)).toEqual(before);
    // The failed job's rows are gone, but its rejects view still names the lines that failed it.
    expect(store.db.prepare('SELECT COUNT(*) AS c FROM import_rejects WHERE job_id = ?').get(failed.jobId)).toEqual({
      c: failed.rowsRejected,
    });
    expect(failed.rowsRejected).toBeGreaterThan(2);

    const ok = await runImport(store.db, opts(file, { tolerance: 10, allowDuplicate: true }));
    expect(ok.status).toBe('committed');
    expect(ok.rowsInserted).toBe(1);
    expect(ok.rowsRejected).toBe(5);
    const rejects = store.db
      .prepare('SELECT line, col, field, value, reason FROM import_rejects WHERE job_id = ? ORDER BY seq')
      .all(ok.jobId);
    expect(rejects).toEqual([
      { line: 2, col: colOf(0, '20240230'), field: 'opened_on', value: '20240230', reason: 'bad_date' },
      { line: 3, col: colOf(1, '999999'), field: 'branch_code', value: '999999', reason: 'unknown_branch' },
      { line: 5, col: null, field: 'customer_no', value: '9900000103', reason: 'duplicate_key' },
      { line: 6, col: colOf(4, '外星'), field: 'kind', value: '外星', reason: 'bad_enum' },
      { line: 7, col: null, field: null, value: '9', reason: 'field_count' }, // 9 fields where the header has 10
    ]);
    // The rejects file: same encoding (GB18030) and layout, header plus a reason column.
    const text = iconv.decode(readFileSync(ok.rejects!.file), 'gb18030');
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(`${CIF_HEADER},"reason"`);
    expect(lines).toHaveLength(6);
    expect(lines[1]!.startsWith('9900000101,个人,赵一,')).toBe(true);
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
    revertJob(store.db, ok.jobId, ADMIN);
  });

  it('a row already stored, unchanged, twice in one file: the second is a duplicate key', async () => {
    const row = `9900000201,个人,吴六,身份证,${id('11010119900307823')},13800138021,地址21,310101,20240105,`;
    const other = `9900000202,个人,郑七,身份证,${id('11010119900307923')},13800138022,地址22,310101,20240105,`;
    const first = await runImport(store.db, opts(cif([row, other]), { allowDuplicate: true }));
    expect(first).toMatchObject({ status: 'committed', rowsInserted: 2 });
    const again = await runImport(store.db, opts(cif([row, other, row]), { tolerance: 5, allowDuplicate: true }));
    expect(again).toMatchObject({
      status: 'committed',
      rowsInserted: 0,
      rowsUpdated: 0,
      rowsUnchanged: 2,
      rowsRejected: 1,
    });
    expect(
      store.db.prepare('SELECT line, field, value, reason FROM import_rejects WHERE job_id = ?').all(again.jobId),
    ).toEqual([{ line: 4, field: 'customer_no', value: '9900000201', reason: 'duplicate_key' }]);
  });

  it('cancelling mid-job rolls everything back', async () => {
    const rows = Array.from(
      { length: 5000 },
      (_, i) => `98${String(i).padStart(8, '0')},个人,测试${i},身份证,,,地址,310101,20240105,`,
    );
    let batches = 0;
    const out = await runImport(
      store.db,
      opts(cif(rows), { cancelled: () => batches > 1, afterBatch: () => batches++ }),
    );
    expect(out.status).toBe('cancelled');
    expect(out.error?.code).toBe('IMPORT_CANCELLED');
    expect(storeDigest(store.db)).toEqual(before);
  });

  it('a file error names the line and column and leaves the store as it was', async () => {
    const file = cif([`9900000201,个人,"王五,身份证,,,地址,310101,20240105,`]);
    const out = await runImport(store.db, opts(file));
    expect(out.status).toBe('failed');
    expect(out.error).toMatchObject({ code: 'IMPORT_UNCLOSED_QUOTE', details: { line: 2, column: 15 } }); // the opening quote
    expect(storeDigest(store.db)).toEqual(before);
  });
});

describe('account import', () => {
  it('upserts balances exactly, rejects unknown references, keeps figures and summaries current, and reverts', async () => {
    const before = storeDigest(store.db);
    const acct = store.db
      .prepare(`SELECT a.account_no, c.customer_no, p.code AS product, b.code AS branch, a.kind, a.opened_on, a.balance_fen
      FROM accounts a JOIN customers c ON c.id = a.customer_id JOIN products p ON p.id = a.product_id JOIN branches b ON b.id = a.branch_id
      WHERE a.kind = 'demand' AND a.status <> 'closed' ORDER BY a.id LIMIT 1`)
      .get() as Record<string, string | number>;
    const owner = store.db
      .prepare('SELECT id, deposit_fen FROM customers WHERE customer_no = ?')
      .get(acct.customer_no) as { id: number; deposit_fen: number };
    const file = writeText(
      dir,
      'accounts.txt',
      [
        ACCOUNTS_HEADER,
        `${acct.account_no}|${acct.customer_no}|${acct.product}|${acct.branch}|demand|${acct.opened_on}|1,234,567.89`,
        `6200000000000000001|${acct.customer_no}|DP0001|${acct.branch}|demand|20240105|0.01`,
        `6200000000000000002|0000000000|DP0001|${acct.branch}|demand|20240105|5.00`,
        `6200000000000000003|${acct.customer_no}|NOPE01|${acct.branch}|demand|20240105|5.00`,
        `6200000000000000004|${acct.customer_no}|DP0001|${acct.branch}|demand|20240105|1,2,3`,
      ].join('\n'),
      'utf-8',
    );
    const out = await runImport(store.db, {
      file,
      profile: ACCOUNTS_PROFILE,
      tolerance: 5,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(out).toMatchObject({ status: 'committed', rowsInserted: 1, rowsUpdated: 1, rowsRejected: 3 });
    expect(
      store.db
        .prepare('SELECT reason FROM import_rejects WHERE job_id = ? ORDER BY seq')
        .all(out.jobId)
        .map((r) => (r as { reason: string }).reason),
    ).toEqual(['unknown_customer', 'unknown_product', 'bad_amount']);
    expect(store.db.prepare('SELECT balance_fen FROM accounts WHERE account_no = ?').get(acct.account_no)).toEqual({
      balance_fen: 123456789,
    });
    const after = store.db.prepare('SELECT deposit_fen FROM customers WHERE id = ?').get(owner.id) as {
      deposit_fen: number;
    };
    expect(after.deposit_fen).toBe(owner.deposit_fen - Number(acct.balance_fen) + 123456789 + 1);
    expect(figureMismatches(store.db)).toEqual([]);
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));

    revertJob(store.db, out.jobId, ADMIN);
    expect(storeDigest(store.db)).toEqual(before);
    expect(figureMismatches(store.db)).toEqual([]);
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
  });

  it('only the latest committed job can be reverted', async () => {
    const a = await runImport(store.db, opts(cif([`9900000301,个人,甲,身份证,,,地址,310101,20240105,`])));
    const b = await runImport(store.db, opts(cif([`9900000302,个人,乙,身份证,,,地址,310101,20240105,`])));
    expect(() => revertJob(store.db, a.jobId, ADMIN)).toThrow(/later_job/);
    revertJob(store.db, b.jobId, ADMIN);
    revertJob(store.db, a.jobId, ADMIN);
    expect(() => revertJob(store.db, a.jobId, ADMIN)).toThrow(/not_committed/);
  });
});
