import type { Database } from 'better-sqlite3';
import { DEMO_COST, hashPassword } from '../password';
import { rebuildSummaryTable } from '../summaries';
import { rebuildReporting } from '../reporting/maintain';
import { Calendar } from './calendar';
import { Events, type Gen, newCounts } from './context';
import { CustomerWriter, Plan } from './customers';
import { DEMO_PASSWORD, DEMO_USERS, insertOrg, insertTags, insertUsers } from './org';
import { resetLadders } from './holdings';
import { insertProducts } from './products';
import { writeGuarantors } from './guarantors';
import { seedRelationshipDemo } from './relationship';
import { Rng } from './rng';
import type { SavedIndex } from '../indexes';
import { dropBulkIndexes, enterBulkMode, Inserts, leaveBulkMode, recreateIndexes } from './sql';

export interface DemoOptions {
  customers: number;
  /** Default 20261123. */
  seed?: number;
  /** Average transactions per customer over the 12-month window; default 20. */
  txnsPerCustomer?: number;
  /** 'YYYY-MM-DD' the data is "as of"; default '2026-10-31' (fixed, never today, so output is reproducible). */
  asOf?: string;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

export interface DemoSummary {
  branches: number;
  staff: number;
  users: number;
  customers: number;
  accounts: number;
  transactions: number;
  loans: number;
  termDeposits: number;
  wealthHoldings: number;
  dailyBalances: number;
  seconds: number;
}

export const DEFAULT_SEED = 20261123;
export const DEFAULT_AS_OF = '2026-10-31';
export const DEFAULT_TXNS_PER_CUSTOMER = 20;
/** Rows per write transaction: big enough to amortise the commit, small enough to keep the journal modest. */
const BATCH_ROWS = 50_000;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fills an open, migrated, empty store with a deterministic demo branch: organisation, users, product
 * catalog and `customers` customers with accounts, holdings, loans and a year of transactions.
 * The same options give byte-identical tables (password hashes aside, which are salted).
 */
export async function generateDemo(db: Database, opts: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const customers = opts.customers;
  const txnsPerCustomer = opts.txnsPerCustomer ?? DEFAULT_TXNS_PER_CUSTOMER;
  if (!Number.isInteger(customers) || customers < 1 || customers > 5_000_000) {
    throw new RangeError(`customers must be an integer from 1 to 5,000,000, got ${customers}`);
  }
  if (!Number.isFinite(txnsPerCustomer) || txnsPerCustomer < 0 || txnsPerCustomer > 2000) {
    throw new RangeError(`txnsPerCustomer must be between 0 and 2000, got ${txnsPerCustomer}`);
  }
  const cal = new Calendar(opts.asOf ?? DEFAULT_AS_OF);
  const occupied = db
    .prepare(
      'SELECT (SELECT COUNT(*) FROM branches) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM customers) AS n',
    )
    .get() as { n: number };
  if (occupied.n > 0)
    throw new Error('generateDemo needs an empty store (branches, users or customers already present)');
  const progress = opts.onProgress ?? (() => {});

  progress({ phase: 'organisation', done: 0, total: 1 });
  // scrypt runs on the libuv pool while the load keeps the main thread busy; users are inserted last.
  const hashing = Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD, DEMO_COST)));
  hashing.catch(() => {});
  // Independent streams per phase: a change to how customers are drawn leaves the organisation as it was.
  const root = new Rng(opts.seed ?? DEFAULT_SEED);
  const orgRng = root.fork(10);
  const customerRng = root.fork(11);

  const pragmas = enterBulkMode(db);
  let saved: SavedIndex[] = [];
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  try {
    saved = dropBulkIndexes(db);
    begin.run();
    const org = insertOrg(db, orgRng, cal, customers);
    insertProducts(db, cal);
    insertTags(db, cal, org);
    progress({ phase: 'organisation', done: 1, total: 1 });

    const counts = newCounts();
    const g: Gen = { rng: customerRng, cal, ins: new Inserts(db), org, counts, events: new Events() };
    const plan = new Plan(cal, customers, txnsPerCustomer);
    resetLadders();
    const writer = new CustomerWriter(g, plan);
    let rows = 0;
    for (let i = 0; i < customers; i++) {
      rows += writer.write(i);
      if (rows >= BATCH_ROWS) {
        g.ins.flush();
        commit.run();
        rows = 0;
        progress({ phase: 'customers', done: i + 1, total: customers });
        await yieldToEventLoop();
        begin.run();
      }
    }
    writeGrants(g, writer, orgRng);
    g.ins.flush();
    // guarantors from a stream of their own: the branch is otherwise what it was before they existed
    writeGuarantors(db, root.fork(12), writer.leavers);
    commit.run();
    const hashes = await hashing;
    db.transaction(() => insertUsers(db, cal, org, hashes))();
    progress({ phase: 'customers', done: customers, total: customers });

    // The home pages read branch x manager x tier totals, not a million customer rows; the rows above
    // were written directly, so the totals are computed once here by the summaries' own definition.
    progress({ phase: 'summaries', done: 0, total: 1 });
    db.transaction(() => rebuildSummaryTable(db))();
    progress({ phase: 'summaries', done: 1, total: 1 });

    progress({ phase: 'indexes', done: 0, total: saved.length });
    recreateIndexes(db, saved, (done) => progress({ phase: 'indexes', done, total: saved.length }));
    // Sampled statistics: exact ones would rescan 20M rows for no better plans.
    progress({ phase: 'analyze', done: 0, total: 1 });
    db.pragma('analysis_limit = 1000');
    db.exec('ANALYZE');
    progress({ phase: 'analyze', done: 1, total: 1 });

    // Reporting summaries (db/reporting) read the raw tables through their indexes, so after them; and
    // after bulk mode: temp tables used under journal_mode=DELETE make later WAL checkpoints fail.
    leaveBulkMode(db, pragmas);
    // One step more than the rebuild's own: the referrals and contacts seeded after it.
    let reportingSteps = 1;
    rebuildReporting(db, {
      onProgress: (done, total) => {
        reportingSteps = total + 1;
        progress({ phase: 'reporting', done, total: reportingSteps });
      },
    });
    // referrals and contacts (issue 7): after the indexes are back, through the app's own tables
    seedRelationshipDemo(db, { asOf: opts.asOf ?? DEFAULT_AS_OF, seed: opts.seed ?? DEFAULT_SEED });
    progress({ phase: 'reporting', done: reportingSteps, total: reportingSteps });

    return {
      branches: 1 + org.outletIds.length,
      staff: org.staffCount,
      users: DEMO_USERS.length,
      customers,
      accounts: counts.accounts,
      transactions: counts.transactions,
      loans: counts.loans,
      termDeposits: counts.termDeposits,
      wealthHoldings: counts.wealthHoldings,
      dailyBalances: counts.dailyBalances,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    try {
      // Never leave the schema without its indexes, even after a failure part-way through.
      recreateIndexes(db, saved);
    } finally {
      leaveBulkMode(db, pragmas);
    }
  }
}

/** A manager covering for colleagues: access to a few customers of other managers. */
function writeGrants(g: Gen, writer: CustomerWriter, rng: Rng): void {
  const { cal, ins, counts, org } = g;
  const grantedBy = org.userIds.get('president') ?? null;
  const plan: [number, number][] = [
    [0, 3],
    [1, 2],
    [2, 2],
  ];
  for (const [manager, wanted] of plan) {
    const staff = org.managers[manager];
    if (!staff) continue;
    const others = writer.grantPool.filter((p) => p.manager !== manager);
    for (let k = 0; k < wanted && others.length > 0; k++) {
      const [pick] = others.splice(rng.int(others.length), 1);
      const expires = k === 0 ? null : cal.day(cal.asOf + (k === 1 ? 30 : 90));
      ins.grant.run(++counts.grants, staff.staffId, pick!.customerId, grantedBy, cal.stamp, expires);
    }
  }
}
