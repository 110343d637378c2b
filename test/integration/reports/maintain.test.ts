import path from 'node:path';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/open';
import { REPORTING_TABLES, rebuildReporting } from '../../../db/reporting/maintain';
import { refreshFactors, retier } from '../../../db/tiering';
import { LOAD_ORDER } from '../../../main/jobs/engine/kinds';
import { revertJob } from '../../../main/jobs/engine/revert';
import { runImport, type JobOutcome } from '../../../main/jobs/engine/run';
import { BUILTIN } from '../../../main/jobs/profiles/builtin';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import type { ImportProfile } from '../../../shared/imports';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { CIF_HEADER, CIF_PROFILE, tempDir, writeText } from '../imports/helpers';

/**
 * The reporting summaries kept incrementally (bulk loads, updates, new months, moved customers,
 * reverts, re-tiering) must equal a full rebuild from the raw tables, row for row.
 */
let demo: DemoStore;
let dir: string;
let db: Database.Database;
let copies = 0;
const ADMIN = { userId: null, username: 'admin', role: 'admin' };

function snapshot(d: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of REPORTING_TABLES) {
    const n = (d.prepare('SELECT COUNT(*) AS n FROM pragma_table_info(?)').get(t) as { n: number }).n;
    out[t] = d
      .prepare(`SELECT * FROM ${t} ORDER BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}`)
      .raw()
      .all();
  }
  return out;
}

/** Rebuilds on a copy of the store (so the incremental state under test keeps accumulating). */
function rebuiltCopy(d: Database.Database): Record<string, unknown[]> {
  const file = path.join(dir, `copy-${++copies}.db`);
  d.prepare('VACUUM INTO ?').run(file);
  const copy = new Database(file);
  try {
    // Small chunks, so the journal is folded in many parts: the sums must not depend on the chunking.
    const steps: [number, number][] = [];
    rebuildReporting(copy, { txnChunk: 997, onProgress: (done, total) => steps.push([done, total]) });
    const maxId = (copy.prepare('SELECT MAX(id) AS m FROM transactions').get() as { m: number | null }).m ?? 0;
    const total = 4 + Math.ceil(maxId / 997);
    expect(total).toBeGreaterThan(6);
    expect(steps.map(([d]) => d)).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
    expect(steps.every(([, t]) => t === total)).toBe(true);
    return snapshot(copy);
  } finally {
    copy.close();
    rmSync(file, { force: true });
  }
}

function expectMatchesRebuild(d: Database.Database): void {
  const inc = snapshot(d);
  const reb = rebuiltCopy(d);
  for (const t of REPORTING_TABLES) expect(inc[t], t).toEqual(reb[t]);
}

const profile = (p: Omit<ImportProfile, 'encoding' | 'header' | 'format' | 'delimiter'>): ImportProfile =>
  ({ ...p, format: 'delimited', encoding: 'auto', delimiter: ',', header: true }) as ImportProfile;

const TXN_PROFILE = profile({
  name: 'txn-test',
  kind: 'transactions',
  columns: [
    { field: 'serial_no', source: 'serial' },
    { field: 'account_no', source: 'account' },
    { field: 'txn_at', source: 'at', format: 'auto' },
    { field: 'amount', source: 'amount' },
    { field: 'direction', source: 'dir' },
    { field: 'channel', source: 'channel' },
    { field: 'txn_type', source: 'type' },
    { field: 'teller_employee_no', source: 'teller' },
  ],
} as never);
const BAL_PROFILE = profile({
  name: 'bal-test',
  kind: 'daily_balances',
  columns: [
    { field: 'account_no', source: 'account' },
    { field: 'on_date', source: 'date', format: 'auto' },
    { field: 'balance', source: 'balance' },
  ],
} as never);
const WEALTH_PROFILE = profile({
  name: 'wealth-test',
  kind: 'wealth_holdings',
  columns: [
    { field: 'holding_no', source: 'no' },
    { field: 'customer_no', source: 'customer' },
    { field: 'product_code', source: 'product' },
    { field: 'cost', source: 'cost' },
    { field: 'market_value', source: 'value' },
    { field: 'purchased_on', source: 'bought', format: 'auto' },
  ],
} as never);

async function load(file: string, p: ImportProfile): Promise<JobOutcome> {
  const out = await runImport(db, {
    file,
    profile: p,
    tolerance: 0,
    rejectsDir: path.join(dir, 'rejects'),
    allowDuplicate: true,
  });
  expect(out.error).toBeUndefined();
  expect(out.status).toBe('committed');
  return out;
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 300, seed: 17 });
  dir = tempDir('crm-reports-');
  const extracts = await writeExtracts(demo.db, path.join(dir, 'extracts'));
  db = (await openStore(path.join(dir, 'target.db'))).db;
  for (const kind of LOAD_ORDER) {
    const x = extracts.find((e) => e.kind === kind)!;
    const b = BUILTIN.find((bb) => bb.profile.kind === kind)!;
    await load(x.file, b.profile);
  }
}, 180_000);

afterAll(() => {
  db?.close();
  demo?.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

describe('reporting summaries kept current', () => {
  it('a full load through the import jobs gives what the generator rebuilt, and what a rebuild gives', () => {
    const loaded = snapshot(db);
    expect(loaded.summary_txn_months!.length).toBeGreaterThan(50);
    expect(loaded.report_months!.length).toBe(12);
    // The extracts carry no tiers (the bank's model sets them), so compare tier-free figures with the generator's store.
    const untiered = (d: Database.Database) =>
      d
        .prepare(
          `SELECT month, SUM(customers), SUM(deposit_fen), SUM(wealth_fen), SUM(loan_fen) FROM summary_months GROUP BY 1 ORDER BY 1`,
        )
        .raw()
        .all();
    expect(untiered(db)).toEqual(untiered(demo.db));
    const figures = (d: Database.Database) =>
      d
        .prepare(
          'SELECT customer_id, month, deposit_fen, wealth_fen, loan_fen, aum_change_fen FROM report_customer_months ORDER BY 1, 2',
        )
        .raw()
        .all();
    expect(figures(db)).toEqual(figures(demo.db));
    expectMatchesRebuild(db);
  });

  it('stays equal to a rebuild through new and updated transactions, a new balance month, moved customers and wealth changes, and their reverts', async () => {
    const jobs: number[] = [];
    const before = snapshot(db);
    const acct = db
      .prepare(
        `SELECT a.account_no, c.customer_no FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.kind = 'demand' AND a.status = 'active' ORDER BY a.id LIMIT 3`,
      )
      .all() as { account_no: string; customer_no: string }[];
    const old = db
      .prepare(
        `SELECT serial_no, t.txn_at, a.account_no FROM transactions t JOIN accounts a ON a.id = t.account_id ORDER BY t.id LIMIT 2`,
      )
      .all() as { serial_no: string; txn_at: string; account_no: string }[];
    const teller = (
      db.prepare(`SELECT employee_no FROM staff WHERE position = 'teller' LIMIT 1`).get() as { employee_no: string }
    ).employee_no;
    const txnFile = writeText(
      dir,
      'txn.csv',
      [
        'serial,account,at,amount,dir,channel,type,teller',
        `NEW0001,${acct[0]!.account_no},2026-10-31 10:15:00,1234.56,C,counter,deposit,${teller}`,
        `NEW0002,${acct[1]!.account_no},2026-11-01 21:05:00,88.00,D,pos,consumption,`,
        `NEW0003,${acct[2]!.account_no},2026-11-02 08:00:00,5000.00,D,atm,withdrawal,`,
        // updates: another amount, channel and type on existing rows (before-images must come out)
        `${old[0]!.serial_no},${old[0]!.account_no},${old[0]!.txn_at},77.77,C,phone,transfer_in,`,
        `${old[1]!.serial_no},${old[1]!.account_no},${old[1]!.txn_at},9999.99,D,online,transfer_out,${teller}`,
      ].join('\n'),
      'utf-8',
    );
    jobs.push((await load(txnFile, TXN_PROFILE)).jobId);
    expect(db.prepare(`SELECT SUM(n) AS n FROM summary_txn_months WHERE month = '2026-11'`).get()).toEqual({ n: 2 });
    expectMatchesRebuild(db);

    // New reporting months (and a changed balance in an existing one).
    const balFile = writeText(
      dir,
      'bal.csv',
      [
        'account,date,balance',
        `${acct[0]!.account_no},2026-11-30,12345.67`,
        `${acct[1]!.account_no},2026-11-30,1.00`,
        `${acct[2]!.account_no},2026-10-31,4242.42`,
        // and a month before the first one: the following month's AUM changes are recomputed for everyone
        `${acct[1]!.account_no},2025-10-31,500.00`,
      ].join('\n'),
      'utf-8',
    );
    jobs.push((await load(balFile, BAL_PROFILE)).jobId);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM report_months`).get()).toEqual({ n: 14 });
    expect(
      db
        .prepare(
          `SELECT COUNT(*) AS n FROM report_customer_months WHERE month = '2025-11' AND aum_change_fen IS NOT NULL`,
        )
        .get(),
    ).not.toEqual({ n: 0 });
    expectMatchesRebuild(db);

    // Customers move to another manager and branch (their transactions and figures move with them).
    const movers = db
      .prepare(`SELECT c.customer_no, c.kind, c.name, c.id_no, c.mobile, c.address, b.code AS branch, c.opened_on, s.employee_no AS mgr
      FROM customers c JOIN branches b ON b.id = c.branch_id LEFT JOIN staff s ON s.id = c.manager_staff_id
      WHERE c.id_type = 'resident_id' AND c.last_txn_on IS NOT NULL ORDER BY c.id LIMIT 4`)
      .all() as Record<string, string | null>[];
    const mgrs = (
      db.prepare(`SELECT employee_no FROM staff WHERE position = 'manager' ORDER BY id`).all() as {
        employee_no: string;
      }[]
    ).map((r) => r.employee_no);
    const branches = (db.prepare(`SELECT code FROM branches ORDER BY id`).all() as { code: string }[]).map(
      (r) => r.code,
    );
    const cif = [
      CIF_HEADER,
      ...movers.map((m, i) =>
        [
          m.customer_no,
          m.kind === 'corporate' ? '对公' : '个人',
          m.name,
          '身份证',
          m.id_no ?? '',
          m.mobile ?? '',
          m.address ?? '',
          i === 0 ? branches.find((b) => b !== m.branch)! : m.branch,
          m.opened_on,
          mgrs.find((g) => g !== m.mgr) ?? '',
        ].join(','),
      ),
    ].join('\n');
    jobs.push((await load(writeText(dir, 'cif.csv', cif, 'utf-8'), CIF_PROFILE)).jobId);
    expectMatchesRebuild(db);

    const wealthProduct = (
      db.prepare(`SELECT code FROM products WHERE category = 'wealth' ORDER BY id LIMIT 1`).get() as { code: string }
    ).code;
    const holding = db
      .prepare(`SELECT h.holding_no, c.customer_no, p.code, h.purchased_on FROM wealth_holdings h JOIN customers c ON c.id = h.customer_id
      JOIN products p ON p.id = h.product_id WHERE h.status = 'active' ORDER BY h.id LIMIT 1`)
      .get() as { holding_no: string; customer_no: string; code: string; purchased_on: string };
    const wFile = writeText(
      dir,
      'wealth.csv',
      [
        'no,customer,product,cost,value,bought',
        `${holding.holding_no},${holding.customer_no},${holding.code},1000.00,2500.00,${holding.purchased_on}`,
        `WNEW1,${acct[0]!.customer_no},${wealthProduct},50000.00,50100.00,2026-09-15`,
      ].join('\n'),
      'utf-8',
    );
    jobs.push((await load(wFile, WEALTH_PROFILE)).jobId);
    expectMatchesRebuild(db);

    for (const id of jobs.reverse()) {
      revertJob(db, id, ADMIN);
      expectMatchesRebuild(db);
    }
    // Everything undone: back to exactly the state before the jobs.
    expect(snapshot(db)).toEqual(before);
  }, 120_000);

  it('re-tiering moves what is dated from its day on to the new tiers, and history keeps the tiers it was counted under', () => {
    const tx = db.prepare('SELECT customer_id, txn_at FROM transactions').all() as {
      customer_id: number;
      txn_at: string;
    }[];
    /** Point-in-time tier, straight from the change log: the from_tier of the first change dated after the day, else today's tier. */
    const tierOnDay = (
      changes: { customer_id: number; from_tier: string | null; changed_at: string }[],
      current: Map<number, string>,
      id: number,
      day: string,
    ) => {
      const next = changes.find((x) => x.customer_id === id && x.changed_at.slice(0, 10) > day);
      return next ? (next.from_tier ?? '') : (current.get(id) ?? '');
    };
    const check = () => {
      expectMatchesRebuild(db);
      const changes = db
        .prepare('SELECT customer_id, from_tier, changed_at FROM customer_tier_changes ORDER BY changed_at, id')
        .all() as {
        customer_id: number;
        from_tier: string | null;
        changed_at: string;
      }[];
      const current = new Map(
        (
          db.prepare("SELECT id, COALESCE(tier, '') AS tier FROM customers").all() as { id: number; tier: string }[]
        ).map((c) => [c.id, c.tier]),
      );
      // Transactions per month and tier held on their day.
      const want = new Map<string, number>();
      for (const t of tx) {
        const k = `${t.txn_at.slice(0, 7)}|${tierOnDay(changes, current, t.customer_id, t.txn_at.slice(0, 10))}`;
        want.set(k, (want.get(k) ?? 0) + 1);
      }
      const got = db.prepare('SELECT month, tier, SUM(n) AS n FROM summary_txn_months GROUP BY 1, 2').all() as {
        month: string;
        tier: string;
        n: number;
      }[];
      expect(Object.fromEntries(got.map((g) => [`${g.month}|${g.tier}`, g.n]))).toEqual(Object.fromEntries(want));
      // Customers per month end and tier held at that month end.
      const rows = db.prepare('SELECT customer_id, month FROM report_customer_months').all() as {
        customer_id: number;
        month: string;
      }[];
      const wantM = new Map<string, number>();
      for (const r of rows) {
        const end = new Date(Date.UTC(Number(r.month.slice(0, 4)), Number(r.month.slice(5, 7)), 0))
          .toISOString()
          .slice(0, 10);
        const k = `${r.month}|${tierOnDay(changes, current, r.customer_id, end)}`;
        wantM.set(k, (wantM.get(k) ?? 0) + 1);
      }
      const gotM = db.prepare('SELECT month, tier, SUM(customers) AS n FROM summary_months GROUP BY 1, 2').all() as {
        month: string;
        tier: string;
        n: number;
      }[];
      expect(Object.fromEntries(gotM.map((g) => [`${g.month}|${g.tier}`, g.n]))).toEqual(Object.fromEntries(wantM));
      // Today's totals by tier, kept by deltas: equal to grouping the customers now.
      expect(db.prepare('SELECT * FROM summary_customers ORDER BY 1, 2, 3').raw().all()).toEqual(
        db
          .prepare(`SELECT branch_id, COALESCE(manager_staff_id, 0), COALESCE(tier, ''), COUNT(*), SUM(deposit_fen), SUM(wealth_fen), SUM(loan_fen), SUM(aum_fen)
          FROM customers GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
          .raw()
          .all(),
      );
      return changes;
    };
    refreshFactors(db, '2026-06-15');
    // Dated mid-year: the months and transactions before 2026-06-15 keep the tiers they had.
    const r1 = retier(
      db,
      {
        ...DEFAULT_TIER_MODEL,
        thresholds: { ...DEFAULT_TIER_MODEL.thresholds, ordinary: DEFAULT_TIER_MODEL.thresholds.ordinary + 3 },
      },
      {
        userId: null,
        now: new Date('2026-06-15T10:00:00Z'),
      },
    );
    expect(r1.changed).toBeGreaterThan(0);
    const moved = new Set(check().map((c) => c.customer_id));
    // History did not move: May (before the re-tier) still counts the moved customers under their old tiers.
    const may = db
      .prepare(
        "SELECT COUNT(*) AS n FROM report_customer_months m JOIN customers c ON c.id = m.customer_id WHERE m.month = '2026-05' AND m.tier IS NOT COALESCE(c.tier, '')",
      )
      .get() as { n: number };
    expect(may.n).toBeGreaterThan(0);
    expect(may.n).toBeLessThanOrEqual(moved.size);
    const june = db
      .prepare(
        "SELECT COUNT(*) AS n FROM report_customer_months m JOIN customers c ON c.id = m.customer_id WHERE m.month >= '2026-06' AND m.tier IS NOT COALESCE(c.tier, '')",
      )
      .get() as { n: number };
    expect(june.n).toBe(0);
    // A second re-tier at the end of October, on top of the first.
    refreshFactors(db, '2026-10-31');
    const r2 = retier(
      db,
      {
        ...DEFAULT_TIER_MODEL,
        thresholds: { ...DEFAULT_TIER_MODEL.thresholds, key: DEFAULT_TIER_MODEL.thresholds.key - 4 },
      },
      {
        userId: null,
        now: new Date('2026-10-31T10:00:00Z'),
      },
    );
    expect(r2.changed).toBeGreaterThan(0);
    check();
    // A clock set back: a re-tier dated before the last one is refused, and nothing changes.
    const before = snapshot(db);
    const tiers = db.prepare('SELECT id, tier FROM customers ORDER BY id').raw().all();
    expect(() =>
      retier(
        db,
        {
          ...DEFAULT_TIER_MODEL,
          thresholds: { ...DEFAULT_TIER_MODEL.thresholds, quality: DEFAULT_TIER_MODEL.thresholds.quality - 6 },
        },
        {
          userId: null,
          now: new Date('2026-08-20T10:00:00Z'),
        },
      ),
    ).toThrow(expect.objectContaining({ code: 'TIER_CLOCK_BEHIND', details: { last: '2026-10-31T10:00:00.000Z' } }));
    expect(snapshot(db)).toEqual(before);
    expect(db.prepare('SELECT id, tier FROM customers ORDER BY id').raw().all()).toEqual(tiers);
    expect((db.prepare('SELECT COUNT(*) AS n FROM tier_models WHERE active = 1').get() as { n: number }).n).toBe(1);
  });
});
