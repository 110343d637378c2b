/**
 * Computes every customer's scores (shared/scores.ts says what each is) from the raw tables: accounts
 * with their month-end balances (daily_balances), term deposits, wealth holdings, loans, transactions.
 * Runs as an after-import step (main/jobs/after-import.ts), in the follow-up worker for big books.
 *
 * Full or incremental. The figures are a function of each customer's own rows, the as-of month M (the
 * latest reported month), the parameters and, for CLV, the retention by tier. So when M and the
 * parameters are those of the last run, only customers whose rows changed since are recomputed: those
 * the import jobs committed after the last run touched (the jobs' own markers: last_job_id, their
 * before-images, the journal's new row ids) and customers without scores yet. A revert, a new month,
 * new parameters, or a products job recompute everyone. CLV alone is redone for everyone when the
 * retention estimate or the tiers moved. test/integration/scores/ checks that incremental = full.
 *
 * Reading happens in one read transaction (a consistent snapshot) with typed arrays indexed by a slot
 * per customer; writing in one write transaction after. Rows a concurrent job commits in between carry
 * a job id above the watermark taken in the snapshot, so the next run recomputes them.
 */
import type { Database } from 'better-sqlite3';
import {
  clvFactor,
  DEPOSIT_CLASSES,
  PRODUCT_CLASSES,
  WEALTH_CLASSES,
  type ProductClass,
  type ScoreParams,
} from '../../shared/scores';
import { recordColumnChanges } from '../customer-columns-delta';
import { paramsHash, readScoreParams } from './params';
import { monthEnd, retentionSource, type RetentionSource } from './retention';

export interface ScoreRunOptions {
  /** Today's business date (YYYY-MM-DD): M is the latest reported month not after it. */
  today: string;
  /** Recompute everyone whatever the state says. */
  full?: boolean;
  /** CLV for everyone (the tiers moved: re-tiering). */
  clvAll?: boolean;
  /** Instead of the configured retention (tests, the churn model's what-if). */
  retention?: RetentionSource;
}

export interface ScoreRunResult {
  mode: 'full' | 'incremental' | 'none';
  asOf: string;
  customers: number;
  clvUpdated: number;
  ms: number;
}

const CLASS_INDEX = new Map<string, number>(PRODUCT_CLASSES.map((c, i) => [c, i]));
const NC = PRODUCT_CLASSES.length;
const LOAN = CLASS_INDEX.get('loan')!;
const IS_DEPOSIT = PRODUCT_CLASSES.map((c) => (DEPOSIT_CLASSES as readonly string[]).includes(c));
const IS_WEALTH = PRODUCT_CLASSES.map((c) => (WEALTH_CLASSES as readonly string[]).includes(c));
const IS_AUM = PRODUCT_CLASSES.map((_, i) => IS_DEPOSIT[i]! || IS_WEALTH[i]!);

/** A product category to its class in the family an account or holding belongs to. */
const depositClass = (cat: string) => CLASS_INDEX.get(IS_DEPOSIT[CLASS_INDEX.get(cat) ?? -1] ? cat : 'demand')!;
const termClass = (cat: string) => CLASS_INDEX.get(cat === 'cd' ? 'cd' : 'term')!;
const wealthClass = (cat: string) => CLASS_INDEX.get(IS_WEALTH[CLASS_INDEX.get(cat) ?? -1] ? cat : 'wealth')!;

/** round(a / b) half away from zero, exactly (BigInt). */
export function roundDiv(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const x = neg ? -a : a;
  const q = (x * 2n + b) / (2n * b);
  return neg ? -q : q;
}

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;

/** The as-of month: the latest reported month (balance extract) not after today; else today's month. */
export function asOfMonth(db: Database, today: string): string {
  const row = db.prepare('SELECT MAX(month) AS m FROM report_months WHERE month <= ?').get(today.slice(0, 7)) as {
    m: string | null;
  };
  return row.m ?? today.slice(0, 7);
}

/** Per-customer figures of one run, by slot. */
interface Acc {
  n: number;
  ids: Int32Array;
  /** Sum of the 12 window month-end balances, per class (fen; exact below 2^53). */
  classSum: Float64Array[];
  /** Month-end AUM per needed month (index into `aumMonths`). */
  aum: Float64Array[];
  fee: Float64Array;
  activeMonths: Int32Array;
  held: Int32Array;
  txnPts: Map<number, Int32Array>;
}

interface Plan {
  asOf: string;
  m: number;
  /** First month of the 12-month window (index). */
  w0: number;
  /** First month of the points horizon: expiryMonths + 12 months back. */
  p0: number;
  /** Months whose month-end AUM is needed (balance points: reported months in the horizon; M-11 and M for loyalty). */
  aumMonths: number[];
  aumSlot: Map<number, number>;
  reported: Set<number>;
}

const ymOf = (i: number) => `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;

function plan(db: Database, asOf: string, p: ScoreParams): Plan {
  const m = monthIndex(asOf);
  const w0 = m - 11;
  const p0 = m - p.points.expiryMonths - 11;
  const reported = new Set(
    (
      db
        .prepare('SELECT month FROM report_months WHERE month >= ? AND month <= ?')
        .pluck()
        .all(ymOf(p0), asOf) as string[]
    ).map(monthIndex),
  );
  const aumMonths = [...new Set([...reported, w0, m])].sort((a, b) => a - b);
  return { asOf, m, w0, p0, aumMonths, aumSlot: new Map(aumMonths.map((x, i) => [x, i])), reported };
}

/** `slotOf(id)`: the slot of a customer of the run, -1 for others. */
type SlotOf = (id: number) => number;

function newAcc(ids: Int32Array, pl: Plan): Acc {
  const n = ids.length;
  return {
    n,
    ids,
    classSum: PRODUCT_CLASSES.map(() => new Float64Array(n)),
    aum: pl.aumMonths.map(() => new Float64Array(n)),
    fee: new Float64Array(n),
    activeMonths: new Int32Array(n),
    held: new Int32Array(n),
    txnPts: new Map(),
  };
}

/** The SQL that restricts a read to the run's customers (a temp table of ids), or none for everyone. */
interface Source {
  /** Whether the read is restricted to temp.score_set. */
  set: boolean;
  /** FROM text for a table under an alias: the table, or the set's customers' rows of it through its customer index. */
  from: (table: string, alias: string) => string;
}

const EVERYONE: Source = { set: false, from: (t, a) => `${t} ${a}` };
const THE_SET: Source = {
  set: true,
  from: (t, a) => `temp.score_set s CROSS JOIN ${t} ${a} ON ${a}.customer_id = s.id`,
};

function readAll(db: Database, src: Source, pl: Plan, p: ScoreParams, acc: Acc, slotOf: SlotOf): void {
  const needMonth = new Int32Array(pl.m - pl.p0 + 1).fill(-1);
  for (const [mi, s] of pl.aumSlot) if (mi >= pl.p0) needMonth[mi - pl.p0] = s;
  const addBal = (slot: number, cls: number, mi: number, fen: number) => {
    if (mi >= pl.w0 && mi <= pl.m) acc.classSum[cls]![slot]! += fen;
    if (IS_AUM[cls] && mi >= pl.p0 && mi <= pl.m) {
      const a = needMonth[mi - pl.p0]!;
      if (a >= 0) acc.aum[a]![slot]! += fen;
    }
  };
  const ends = Array.from({ length: pl.m - pl.p0 + 1 }, (_, i) => monthEnd(ymOf(pl.p0 + i)));
  const firstDay = `${ymOf(pl.p0)}-01`;
  const lastDay = monthEnd(pl.asOf);
  const heldBit = (slot: number, cls: number) => {
    acc.held[slot]! |= 1 << cls;
  };

  // Accounts (demand and card balances; what is held), then their month-end balances.
  const accSlot = new Map<number, number>();
  const accClass = new Map<number, number>();
  for (const [id, cust, kind, cat, status] of db
    .prepare(
      `SELECT a.id, a.customer_id, a.kind, p.category, a.status FROM ${src.from('accounts', 'a')} JOIN products p ON p.id = a.product_id`,
    )
    .raw()
    .iterate() as IterableIterator<[number, number, string, string, string]>) {
    const slot = slotOf(cust);
    if (slot < 0) continue;
    if (kind === 'demand' || kind === 'card') {
      const cls = depositClass(cat);
      accSlot.set(id, slot);
      accClass.set(id, cls);
      if (status !== 'closed') heldBit(slot, cls);
    }
  }
  // The balance of an account in a month is its row with the latest date in that month.
  let curAcc = -1;
  let curMonth = -1;
  let curBal = 0;
  const flush = () => {
    if (curAcc < 0) return;
    const slot = accSlot.get(curAcc);
    if (slot !== undefined) addBal(slot, accClass.get(curAcc)!, curMonth, curBal);
  };
  const balances = !src.set
    ? db.prepare(
        'SELECT account_id, on_date, balance_fen FROM daily_balances WHERE on_date >= ? AND on_date <= ? ORDER BY account_id, on_date',
      )
    : db.prepare(
        `SELECT d.account_id, d.on_date, d.balance_fen FROM ${src.from('accounts', 'a')} JOIN daily_balances d ON d.account_id = a.id
           WHERE d.on_date >= ? AND d.on_date <= ? ORDER BY d.account_id, d.on_date`,
      );
  for (const [acct, day, bal] of balances.raw().iterate(firstDay, lastDay) as IterableIterator<
    [number, string, number]
  >) {
    const mi = monthIndex(day);
    if (acct !== curAcc || mi !== curMonth) {
      flush();
      curAcc = acct;
      curMonth = mi;
    }
    curBal = bal;
  }
  flush();

  // Term deposits and wealth: outstanding at each month end (the reporting summaries' rule).
  const outstanding = (
    slot: number,
    cls: number,
    fen: number,
    from: string,
    status: string,
    maturity: string | null,
    matured: string,
  ) => {
    for (let mi = pl.p0; mi <= pl.m; mi++) {
      const me = ends[mi - pl.p0]!;
      if (from > me) continue;
      if (status === 'active' || (status === matured && maturity !== null && maturity > me)) addBal(slot, cls, mi, fen);
    }
  };
  for (const [cust, cat, fen, start, maturity, status] of db
    .prepare(
      `SELECT t.customer_id, p.category, t.principal_fen, t.start_on, t.maturity_on, t.status FROM ${src.from('term_deposits', 't')}
       JOIN products p ON p.id = t.product_id WHERE t.status <> 'withdrawn'`,
    )
    .raw()
    .iterate() as IterableIterator<[number, string, number, string, string, string]>) {
    const slot = slotOf(cust);
    if (slot < 0) continue;
    const cls = termClass(cat);
    if (status === 'active') heldBit(slot, cls);
    outstanding(slot, cls, fen, start, status, maturity, 'matured');
  }
  for (const [cust, cat, fen, bought, maturity, status] of db
    .prepare(
      `SELECT h.customer_id, p.category, h.market_value_fen, h.purchased_on, h.maturity_on, h.status FROM ${src.from('wealth_holdings', 'h')}
       JOIN products p ON p.id = h.product_id WHERE h.status <> 'redeemed'`,
    )
    .raw()
    .iterate() as IterableIterator<[number, string, number, string, string | null, string]>) {
    const slot = slotOf(cust);
    if (slot < 0) continue;
    const cls = wealthClass(cat);
    if (status === 'active') heldBit(slot, cls);
    outstanding(slot, cls, fen, bought, status, maturity, 'matured');
  }
  // Loans: the current balance for each month since disbursement (the store keeps no loan history).
  for (const [cust, fen, disbursed] of db
    .prepare(
      `SELECT l.customer_id, l.balance_fen, l.disbursed_on FROM ${src.from('loans', 'l')} WHERE l.status = 'active'`,
    )
    .raw()
    .iterate() as IterableIterator<[number, number, string]>) {
    const slot = slotOf(cust);
    if (slot < 0) continue;
    heldBit(slot, LOAN);
    for (let mi = pl.w0; mi <= pl.m; mi++) if (disbursed <= ends[mi - pl.p0]!) acc.classSum[LOAN]![slot]! += fen;
  }

  // Transactions: fee income and active months in the window; points on qualifying types in the horizon.
  const txnTypes = new Set<string>(p.points.txnTypes);
  const unit = p.points.txnUnitYuan * 100;
  const monthOf = new Map<string, number>();
  for (let mi = pl.p0; mi <= pl.m; mi++) monthOf.set(ymOf(mi), mi);
  const txns = !src.set
    ? db.prepare(
        'SELECT customer_id, txn_at, amount_fen, txn_type, direction FROM transactions WHERE txn_at >= ? AND txn_at < ?',
      )
    : db.prepare(
        `SELECT t.customer_id, t.txn_at, t.amount_fen, t.txn_type, t.direction FROM temp.score_set s
           JOIN transactions t ON t.customer_id = s.id AND t.txn_at >= ? AND t.txn_at < ?`,
      );
  for (const [cust, at, fen, type, dir] of txns.raw().iterate(firstDay, `${lastDay} 24`) as IterableIterator<
    [number, string, number, string, string]
  >) {
    const slot = slotOf(cust);
    if (slot < 0) continue;
    const mi = monthOf.get(at.slice(0, 7));
    if (mi === undefined) continue;
    if (mi >= pl.w0) {
      acc.activeMonths[slot]! |= 1 << (mi - pl.w0);
      if (type === 'fee' && dir === 'D') acc.fee[slot]! += fen;
    }
    if (txnTypes.has(type) && p.points.txnPoints > 0) {
      let arr = acc.txnPts.get(mi);
      if (!arr) {
        arr = new Int32Array(acc.n);
        acc.txnPts.set(mi, arr);
      }
      // Capped per month below; the sum is held only up to the cap so it never overflows.
      const add = Math.floor(fen / unit) * p.points.txnPoints;
      arr[slot] = Math.min(p.points.txnCap, arr[slot]! + Math.min(add, p.points.txnCap));
    }
  }
}

/** One customer's results, as written to customer_scores. */
export interface ScoreRow {
  customerId: number;
  depositFen: number;
  loanFen: number;
  wealthFen: number;
  feeFen: number;
  contributionFen: number;
  parts: { cls: ProductClass; avgFen: number; incomeFen: number }[];
  tenure: number;
  breadth: number;
  activity: number;
  kept: number;
  loyalty: number;
  ledger: { month: string; balance: number; txn: number; expired: number }[];
  points: number;
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function results(
  acc: Acc,
  pl: Plan,
  p: ScoreParams,
  opened: Map<number, string> | string[],
  emit: (r: ScoreRow) => void,
): void {
  const lastDay = monthEnd(pl.asOf);
  const mAum = pl.aumSlot.get(pl.m)!;
  const w0Aum = pl.aumSlot.get(pl.w0)!;
  const E = p.points.expiryMonths;
  const balUnit = BigInt(p.points.balanceUnitYuan) * 100n;
  const months = pl.m - pl.p0 + 1;
  const earned = new Int32Array(months);
  const balPts = new Int32Array(months);
  const txnPts = new Int32Array(months);
  const txnArrays = Array.from({ length: months }, (_, i) => acc.txnPts.get(pl.p0 + i));
  const reportedAum = Array.from({ length: months }, (_, i) =>
    pl.reported.has(pl.p0 + i) ? pl.aumSlot.get(pl.p0 + i)! : -1,
  );
  const w = p.loyalty;
  for (let s = 0; s < acc.n; s++) {
    const id = acc.ids[s]!;
    const parts: ScoreRow['parts'] = [];
    let dep = 0n;
    let lon = 0n;
    let wlt = 0n;
    for (let c = 0; c < NC; c++) {
      const sum = BigInt(acc.classSum[c]![s]!);
      if (sum === 0n) continue;
      const cls = PRODUCT_CLASSES[c]!;
      const income = roundDiv(sum * BigInt(p.rates[cls]), 12_000_000n);
      parts.push({ cls, avgFen: Number(roundDiv(sum, 12n)), incomeFen: Number(income) });
      if (IS_DEPOSIT[c]) dep += income;
      else if (c === LOAN) lon += income;
      else wlt += income;
    }
    const fee = roundDiv(BigInt(acc.fee[s]!) * BigInt(p.feeShare), 1_000_000n);
    const contribution = dep + lon + wlt + fee;

    const open = opened instanceof Map ? opened.get(id)! : opened[id]!;
    const days = Math.max(0, daysBetween(open, lastDay));
    const tenure = Math.min(10000, Math.floor((days * 10000) / (365 * w.tenureFullYears)));
    let nHeld = 0;
    for (let h = acc.held[s]!; h; h &= h - 1) nHeld++;
    const breadth = Math.min(10000, Math.floor((nHeld * 10000) / w.breadthFull));
    let nActive = 0;
    for (let h = acc.activeMonths[s]!; h; h &= h - 1) nActive++;
    const activity = Math.floor((nActive * 10000) / 12);
    const a1 = BigInt(acc.aum[mAum]![s]!);
    const a0 = BigInt(acc.aum[w0Aum]![s]!);
    const kept =
      a0 <= 0n
        ? a1 > 0n
          ? 10000
          : 0
        : Number(a1 <= 0n ? 0n : a1 * 10000n >= a0 * 10000n ? 10000n : (a1 * 10000n) / a0);
    const weighted =
      w.tenureWeight * tenure + w.breadthWeight * breadth + w.activityWeight * activity + w.keptWeight * kept;
    const loyalty = Math.floor((weighted + 5000) / 10000);

    // Points: earned per month, expiring expiryMonths later.
    for (let i = 0; i < months; i++) {
      const ra = reportedAum[i]!;
      let b = 0;
      if (ra >= 0) {
        const a = BigInt(acc.aum[ra]![s]!);
        if (a > 0n) {
          const units = a / balUnit;
          const raw = units * BigInt(p.points.balancePoints);
          b = raw > BigInt(p.points.balanceCap) ? p.points.balanceCap : Number(raw);
        }
      }
      balPts[i] = b;
      txnPts[i] = txnArrays[i]?.[s] ?? 0;
      earned[i] = b + txnPts[i]!;
    }
    const ledger: ScoreRow['ledger'] = [];
    let points = 0;
    for (let i = 0; i < months; i++) {
      const expired = i - E >= 0 ? earned[i - E]! : 0;
      if (balPts[i] || txnPts[i] || expired) {
        ledger.push({ month: ymOf(pl.p0 + i), balance: balPts[i]!, txn: txnPts[i]!, expired });
        points += balPts[i]! + txnPts[i]! - expired;
      }
    }
    emit({
      customerId: id,
      depositFen: Number(dep),
      loanFen: Number(lon),
      wealthFen: Number(wlt),
      feeFen: Number(fee),
      contributionFen: Number(contribution),
      parts,
      tenure,
      breadth,
      activity,
      kept,
      loyalty,
      ledger,
      points,
    });
  }
}

/** Customers the import jobs after `afterJob` touched, and those without scores, into temp.score_set. */
function markChanged(db: Database, afterJob: number, afterTxn: number): { products: boolean } {
  const ins = (sql: string, ...params: number[]) =>
    db.prepare(`INSERT OR IGNORE INTO temp.score_set (id) ${sql}`).run(...params);
  let products = false;
  for (const { id, kind } of db
    .prepare("SELECT id, kind FROM import_jobs WHERE id > ? AND status = 'committed' ORDER BY id")
    .all(afterJob) as { id: number; kind: string }[]) {
    switch (kind) {
      case 'customers':
        ins('SELECT id FROM customers WHERE last_job_id = ?', id);
        break;
      case 'accounts':
      case 'term_deposits':
      case 'wealth_holdings':
      case 'loans':
      case 'transactions':
        ins(`SELECT customer_id FROM ${kind} WHERE last_job_id = ?`, id);
        ins(
          `SELECT json_extract(before, '$.customer_id') FROM import_changes WHERE job_id = ? AND tbl = '${kind}' AND json_extract(before, '$.customer_id') IS NOT NULL`,
          id,
        );
        break;
      case 'daily_balances':
        ins(
          'SELECT a.customer_id FROM import_balance_changes b JOIN accounts a ON a.id = b.account_id WHERE b.job_id = ?',
          id,
        );
        break;
      case 'products':
        products = true;
        break;
      default:
        break;
    }
  }
  ins('SELECT customer_id FROM transactions WHERE id > ?', afterTxn);
  ins('SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = c.id)');
  return { products };
}

interface State {
  asOf: string;
  hash: string;
  retention: string;
  maxJob: number;
  maxTxn: number;
}

function readState(db: Database): State | null {
  const r = db
    .prepare(
      'SELECT as_of_month AS asOf, params_hash AS hash, retention, max_job_id AS maxJob, max_txn_id AS maxTxn FROM score_state WHERE id = 1',
    )
    .get() as State | undefined;
  return r ?? null;
}

/** Jobs up to this id are final (none queued or running): an incremental run starts after it. */
function jobWatermark(db: Database): number {
  const r = db
    .prepare(
      `SELECT COALESCE((SELECT MIN(id) - 1 FROM import_jobs WHERE status IN ('queued','running')), (SELECT MAX(id) FROM import_jobs), 0) AS w`,
    )
    .get() as { w: number };
  return r.w;
}

/**
 * Brings the stored scores up to date (see the file comment). Idempotent: a second run with nothing
 * changed recomputes nobody.
 */
export function computeScores(db: Database, opts: ScoreRunOptions): ScoreRunResult {
  const t0 = performance.now();
  const p = readScoreParams(db);
  const hash = paramsHash(p);
  db.exec('CREATE TEMP TABLE IF NOT EXISTS score_set (id INTEGER PRIMARY KEY)');
  db.exec('DELETE FROM temp.score_set');

  // Read: one snapshot.
  let full: boolean;
  let asOf: string;
  let retention: RetentionSource;
  let maxJob: number;
  let maxTxn: number;
  let acc: Acc;
  let pl: Plan;
  let opened: Map<number, string> | string[];
  let present: (id: number) => boolean;
  let prevRetention: string | null;
  db.exec('BEGIN');
  try {
    asOf = asOfMonth(db, opts.today);
    const state = readState(db);
    prevRetention = state?.retention ?? null;
    maxJob = jobWatermark(db);
    maxTxn = (db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM transactions').get() as { m: number }).m;
    full = opts.full === true || !state || state.asOf !== asOf || state.hash !== hash;
    if (!full && markChanged(db, state!.maxJob, state!.maxTxn).products) full = true;
    pl = plan(db, asOf, p);
    retention = opts.retention ?? retentionSource(db, asOf, p);
    if (full) {
      const maxId = (db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM customers').get() as { m: number }).m;
      const on: string[] = new Array(maxId + 1);
      const has = new Uint8Array(maxId + 1);
      for (const [id, o] of db.prepare('SELECT id, opened_on FROM customers').raw().iterate() as IterableIterator<
        [number, string]
      >) {
        on[id] = o;
        has[id] = 1;
      }
      // Slots are the customer ids themselves (ids are dense: assigned in order).
      const slots = new Int32Array(maxId + 1);
      for (let i = 0; i <= maxId; i++) slots[i] = i;
      acc = newAcc(slots, pl);
      readAll(db, EVERYONE, pl, p, acc, (id) => (id <= maxId && has[id] ? id : -1));
      opened = on;
      present = (id) => has[id] === 1;
    } else {
      const ids = Int32Array.from(
        db
          .prepare(
            'SELECT s.id FROM temp.score_set s WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = s.id) ORDER BY s.id',
          )
          .pluck()
          .all() as number[],
      );
      const slotMap = new Map<number, number>();
      for (let i = 0; i < ids.length; i++) slotMap.set(ids[i]!, i);
      const on = new Map<number, string>();
      for (const [id, o] of db
        .prepare('SELECT c.id, c.opened_on FROM temp.score_set s JOIN customers c ON c.id = s.id')
        .raw()
        .iterate() as IterableIterator<[number, string]>)
        on.set(id, o);
      acc = newAcc(ids, pl);
      if (ids.length > 0) readAll(db, THE_SET, pl, p, acc, (id) => slotMap.get(id) ?? -1);
      opened = on;
      present = () => true;
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }

  // Write: one transaction, rows streamed from the typed arrays.
  const retentionJson = JSON.stringify(retention.groups);
  const clvAll = full || opts.clvAll === true || prevRetention !== retentionJson;
  let customers = 0;
  let clvUpdated = 0;
  db.transaction(() => {
    // The grid's copies below are columns the grid sorts by: recorded, so its columns are updated from
    // what moved rather than built again after every import's follow-ups (issue 18.1).
    const columns = recordColumnChanges(db);
    if (full) {
      db.exec('DELETE FROM points_ledger');
      db.exec('DELETE FROM customer_scores');
    } else {
      db.exec('DELETE FROM points_ledger WHERE customer_id IN (SELECT id FROM temp.score_set)');
      db.exec('DELETE FROM customer_scores WHERE customer_id IN (SELECT id FROM temp.score_set)');
    }
    const ins = db.prepare(
      `INSERT INTO customer_scores (customer_id, deposit_fen, loan_fen, wealth_fen, fee_fen, contribution_fen, parts,
         tenure_x100, breadth_x100, activity_x100, kept_x100, loyalty, retention_ppm, clv_fen, points)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
    );
    const led = db.prepare(
      'INSERT INTO points_ledger (customer_id, month, balance_pts, txn_pts, expired_pts) VALUES (?, ?, ?, ?, ?)',
    );
    results(acc, pl, p, opened, (r) => {
      if (!present(r.customerId)) return;
      customers++;
      ins.run(
        r.customerId,
        r.depositFen,
        r.loanFen,
        r.wealthFen,
        r.feeFen,
        r.contributionFen,
        JSON.stringify(r.parts),
        r.tenure,
        r.breadth,
        r.activity,
        r.kept,
        r.loyalty,
        r.points,
      );
      for (const l of r.ledger) led.run(r.customerId, l.month, l.balance, l.txn, l.expired);
    });
    clvUpdated = updateClv(db, p, retention, clvAll);
    db.prepare(
      `INSERT INTO score_state (id, as_of_month, params_hash, retention, max_job_id, max_txn_id, computed_at, mode, customers)
       VALUES (1, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?, ?)
       ON CONFLICT (id) DO UPDATE SET as_of_month = excluded.as_of_month, params_hash = excluded.params_hash,
         retention = excluded.retention, max_job_id = excluded.max_job_id, max_txn_id = excluded.max_txn_id,
         computed_at = excluded.computed_at, mode = excluded.mode, customers = excluded.customers`,
    ).run(asOf, hash, retentionJson, maxJob, maxTxn, full ? 'full' : 'incremental', customers);
    // The grid's copies of the headline figures, where they moved.
    db.exec(`UPDATE customers SET contribution_fen = s.contribution_fen, loyalty = s.loyalty, clv_fen = s.clv_fen, points = s.points
      FROM customer_scores s WHERE s.customer_id = customers.id
        ${clvAll ? '' : 'AND s.customer_id IN (SELECT id FROM temp.score_set)'}
        AND (customers.contribution_fen <> s.contribution_fen OR customers.loyalty <> s.loyalty
             OR customers.clv_fen <> s.clv_fen OR customers.points <> s.points)`);
    columns?.beforeCommit(null);
  })();
  db.exec('DELETE FROM temp.score_set');
  return {
    mode: full ? 'full' : customers === 0 ? 'none' : 'incremental',
    asOf,
    customers,
    clvUpdated,
    ms: Math.round(performance.now() - t0),
  };
}

/** CLV = contribution × clvFactor(retention): everyone, or the run's customers (temp.score_set). Returns rows changed. */
function updateClv(db: Database, p: ScoreParams, src: RetentionSource, all: boolean): number {
  const set = db.prepare(
    'UPDATE customer_scores SET retention_ppm = @rho, clv_fen = @clv WHERE customer_id = @id AND (retention_ppm <> @rho OR clv_fen <> @clv)',
  );
  const factors = new Map<number, number>();
  let changed = 0;
  const sql = `SELECT s.customer_id, s.contribution_fen, COALESCE(c.tier, '') FROM customer_scores s JOIN customers c ON c.id = s.customer_id`;
  const rows = db
    .prepare(all ? sql : `${sql} WHERE s.customer_id IN (SELECT id FROM temp.score_set)`)
    .raw()
    .all() as [number, number, string][];
  for (const [id, contribution, tier] of rows) {
    const rho = src.retentionPpm(id, tier);
    let f = factors.get(rho);
    if (f === undefined) {
      f = clvFactor(rho, p.clv.discountRate, p.clv.horizonYears);
      factors.set(rho, f);
    }
    changed += set.run({ rho, clv: Math.round(contribution * f), id }).changes;
  }
  return changed;
}
