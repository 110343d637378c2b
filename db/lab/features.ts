/**
 * The model lab's features and targets, computed from the raw tables as of a cut-off date.
 *
 * No look-ahead: every read below is bounded by a date at or before the cut-off (balances on month ends
 * up to it, transactions up to its end, holdings opened by it and judged open or not by their own dates,
 * tier changes and contacts up to it). Current-state columns that a later event rewrites — a
 * customer's status and tier, an account's or holding's status, a loan's balance — are never read for
 * features: the tier is the last tier change logged by the cut-off, a holding is open while its own
 * dates say so. Targets read (cutoff, windowEnd] only. test/integration/lab/no-leak.test.ts alters
 * every post-cut-off row and checks the features do not move.
 *
 * One pass per table into typed arrays indexed by customer row (no per-row objects), so a million
 * customers fit; the passes stream with iterate().
 */
import type { Database } from 'better-sqlite3';
import { LAB_FEATURES, LAB_PRODUCT_CATEGORIES, type LabFeature, type LabTarget } from '../../shared/lab';
import { dayOf, isoOf, monthEnd } from './history';

export const MONEY_FEATURES: ReadonlySet<LabFeature> = new Set([
  'aum',
  'deposit',
  'wealth',
  'loan',
  'txn_in_3m',
  'txn_out_3m',
  'term_maturing',
]);
const CATEGORICAL: ReadonlySet<LabFeature> = new Set(['kind', 'gender', 'tier']);

/** Columns in the learners' shape (main/models/dataset.ts; the store layer does not import main/). */
export interface NumericColumn {
  kind: 'numeric';
  name: string;
  values: Float32Array;
}
export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  codes: Int32Array;
  levels: string[];
}
export type Column = NumericColumn | CategoricalColumn;

/** Money enters the learners as log(1 + yuan) (heavy-tailed); factors are shown in yuan again. */
export function moneyIn(yuan: number): number {
  return Math.log1p(Math.max(0, yuan));
}
export function moneyOut(v: number): number {
  return Math.expm1(v);
}

export interface Snapshot {
  cutoff: string;
  /** Customer ids known at the cut-off (opened by then), ascending; row r is ids[r]. */
  ids: Int32Array;
  columns: Column[];
  /** Deposits + wealth at the cut-off, fen (the churn target's base). */
  aumFen: Float64Array;
  /** 1 when the customer held anything at the cut-off (a relationship to lose or grow). */
  active: Uint8Array;
  /** Bit per product category (LAB_PRODUCT_CATEGORIES order) held at the cut-off. */
  held: Uint16Array;
  /** Accounts open at the cut-off. */
  openAccounts: Uint16Array;
}

interface Book {
  ids: Int32Array;
  rowOf: (id: number) => number;
  /** Customer ids [from, to) only (scoring in blocks); every customer when absent. */
  range?: IdRange | undefined;
}

/** Customer ids from `from` up to `to` (exclusive). */
export interface IdRange {
  from: number;
  to: number;
}

/** SQL ` AND col >= ? AND col < ?` of a range (nothing without one), and its parameters. */
function within(col: string, range: IdRange | undefined): { sql: string; params: number[] } {
  return range ? { sql: ` AND ${col} >= ? AND ${col} < ?`, params: [range.from, range.to] } : { sql: '', params: [] };
}

function book(
  db: Database,
  cutoff: string,
  range?: IdRange,
): Book & { opened: Int32Array; birth: Float64Array; kind: Int32Array; gender: Int32Array } {
  const w = within('id', range);
  // Counted first, then streamed into typed arrays: a million customers as row arrays would cost ~100 MB of heap.
  const n = (
    db.prepare(`SELECT COUNT(*) AS n FROM customers WHERE opened_on <= ?${w.sql}`).get(cutoff, ...w.params) as {
      n: number;
    }
  ).n;
  const ids = new Int32Array(n);
  const opened = new Int32Array(n);
  const birth = new Float64Array(n);
  const kind = new Int32Array(n);
  const gender = new Int32Array(n);
  const it = db
    .prepare(`SELECT id, kind, gender, birth_date, opened_on FROM customers WHERE opened_on <= ?${w.sql} ORDER BY id`)
    .raw()
    .iterate(cutoff, ...w.params) as IterableIterator<[number, string, string | null, string | null, string]>;
  let i = 0;
  for (const r of it) {
    if (i >= n) break;
    ids[i] = r[0];
    kind[i] = r[1] === 'corporate' ? 1 : 0;
    gender[i] = r[2] === 'M' ? 0 : r[2] === 'F' ? 1 : -1;
    birth[i] = r[3] && /^\d{4}-\d{2}-\d{2}/.test(r[3]) ? dayOf(r[3]) : Number.NaN;
    opened[i] = dayOf(r[4]);
    i++;
  }
  return {
    ids,
    rowOf: rowLookup(ids),
    range,
    opened,
    birth,
    kind,
    gender,
  };
}

/**
 * Demand-account balances of each customer at each month end of `ends` (ascending): per account the
 * latest balance reported in the month up to that end, summed per customer. Reads those months only.
 */
function demandBalances(db: Database, b: Book, ends: string[]): Float64Array[] {
  const out = ends.map(() => new Float64Array(b.ids.length));
  if (!ends.length) return out;
  // Bucket k holds (the month end before ends[k], ends[k]]. Months between two buckets are not read: the
  // buckets go in runs of adjacent months, one range of the balance key per run (the features' ends skip
  // two months between the sixth month back and the third).
  const lo = ends.map((e) => monthEnd(e, -1));
  const runs: number[][] = [];
  for (let k = 0; k < ends.length; k++) {
    const prev = runs[runs.length - 1];
    if (prev && ends[prev[prev.length - 1]!] === lo[k]) prev.push(k);
    else runs.push([k]);
  }
  const last = new Float64Array(ends.length);
  const seen = new Uint8Array(ends.length);
  for (const ks of runs) {
    let acct = -1;
    let row = -1;
    const flush = () => {
      if (row >= 0) for (const k of ks) if (seen[k]) out[k]![row] = out[k]![row]! + last[k]!;
      seen.fill(0);
    };
    // The bucket is worked out by SQLite (an integer reaches JavaScript, not a date string). Ordered by a.id
    // (the scan's own order) and the balance key's date: no temporary B-tree to sort millions of rows.
    const bucket = `CASE ${ks
      .slice()
      .reverse()
      .map(() => 'WHEN b.on_date > ? THEN ?')
      .join(' ')} END`;
    const params: (string | number)[] = [];
    for (const k of ks.slice().reverse()) params.push(lo[k]!, k);
    // A block's accounts through accounts_customer, in that index's order (customer, account): each account's
    // rows still come together and by date, no temporary B-tree, and a customer's sum is of whole fen
    // (exact in any order), so a block's figures are the whole book's.
    const w = within('a.customer_id', b.range);
    const it = db
      .prepare(
        `SELECT b.account_id, a.customer_id, ${bucket}, b.balance_fen FROM daily_balances b JOIN accounts a ON a.id = b.account_id
         WHERE b.on_date > ? AND b.on_date <= ? AND a.kind = 'demand'${w.sql} ORDER BY ${w.sql ? 'a.customer_id, ' : ''}a.id, b.on_date`,
      )
      .raw()
      .iterate(...params, lo[ks[0]!]!, ends[ks[ks.length - 1]!]!, ...w.params) as IterableIterator<
      [number, number, number, number]
    >;
    for (const [accountId, customerId, k, bal] of it) {
      if (accountId !== acct) {
        flush();
        acct = accountId;
        row = b.rowOf(customerId);
      }
      last[k] = bal;
      seen[k] = 1;
    }
    flush();
  }
  return out;
}

/** A holding's span: open from `from` (day) until `to` (exclusive; OPEN while open). */
interface Spans {
  row: Int32Array;
  cat: Uint8Array;
  from: Int32Array;
  to: Int32Array;
  /** Amount (fen): principal, cost or (accounts) 0. */
  amount: Float64Array;
  /** 0 account, 1 term deposit, 2 wealth holding, 3 loan. */
  source: Uint8Array;
  n: number;
}

/** The `to` of a span still open: later than any day. */
const OPEN = 2 ** 31 - 1;

const CAT_INDEX = new Map<string, number>(LAB_PRODUCT_CATEGORIES.map((c, i) => [c, i]));
const BIT = (c: (typeof LAB_PRODUCT_CATEGORIES)[number]) => 1 << CAT_INDEX.get(c)!;

function spans(db: Database, b: Book): Spans {
  // Typed arrays sized by a count of each table (22 bytes a span; a million customers hold a few million
  // spans), never a per-row JS array of numbers. Dates reach JavaScript as day numbers worked out by
  // SQLite (dayOf's count, see day()) and products as their id: integers, not a few million strings.
  const sources = [
    // Closing, maturity and pay-off dates are the events' own dates; statuses (current state) are not read.
    // CROSS JOIN: the holdings' table is scanned in its own order, the product looked up by key (joined the
    // other way, SQLite walked the accounts by the product index and fetched each row out of order).
    {
      cust: 'a.customer_id',
      from: 'accounts a CROSS JOIN products p ON p.id = a.product_id',
      cols: `a.customer_id, p.id, ${day('a.opened_on')}, ${day('a.closed_on')}, 0`,
    },
    {
      cust: 't.customer_id',
      from: 'term_deposits t CROSS JOIN products p ON p.id = t.product_id',
      cols: `t.customer_id, p.id, ${day('t.start_on')}, ${day('t.maturity_on')}, t.principal_fen`,
    },
    {
      cust: 'h.customer_id',
      from: 'wealth_holdings h CROSS JOIN products p ON p.id = h.product_id',
      cols: `h.customer_id, p.id, ${day('h.purchased_on')}, ${day('h.maturity_on')}, h.cost_fen`,
    },
    {
      cust: 'l.customer_id',
      from: 'loans l CROSS JOIN products p ON p.id = l.product_id',
      cols: `l.customer_id, p.id, ${day('l.disbursed_on')}, ${day('COALESCE(MIN(l.paid_off_on, l.maturity_on), l.maturity_on)')}, l.principal_fen`,
    },
  ];
  const catOf = new Map<number, number>();
  for (const [id, category] of db.prepare('SELECT id, category FROM products').raw().all() as [number, string][]) {
    const k = CAT_INDEX.get(category);
    if (k !== undefined) catOf.set(id, k);
  }
  let cap = 0;
  const where = (src: { cust: string }) => {
    const w = within(src.cust, b.range);
    return { sql: w.sql ? ` WHERE ${w.sql.slice(5)}` : '', params: w.params };
  };
  for (const src of sources) {
    const w = where(src);
    cap += (db.prepare(`SELECT COUNT(*) AS n FROM ${src.from}${w.sql}`).get(...w.params) as { n: number }).n;
  }
  const sp: Spans = {
    row: new Int32Array(cap),
    cat: new Uint8Array(cap),
    from: new Int32Array(cap),
    to: new Int32Array(cap),
    amount: new Float64Array(cap),
    source: new Uint8Array(cap),
    n: 0,
  };
  sources.forEach((src, s) => {
    const w = where(src);
    const it = db
      .prepare(`SELECT ${src.cols} FROM ${src.from}${w.sql}`)
      .raw()
      .iterate(...w.params) as IterableIterator<[number, number, number | string, number | string | null, number]>;
    for (const [customerId, productId, since, until, amt] of it) {
      const r = b.rowOf(customerId);
      const k = catOf.get(productId);
      if (r < 0 || k === undefined || sp.n >= cap) continue;
      const i = sp.n++;
      sp.row[i] = r;
      sp.cat[i] = k;
      sp.from[i] = typeof since === 'number' ? since : dayOf(since);
      sp.to[i] = until === null || until === '' ? OPEN : typeof until === 'number' ? until : dayOf(until);
      sp.amount[i] = amt;
      sp.source[i] = s;
    }
  });
  return sp;
}

/**
 * SQL for dayOf(expr): the day number of a value starting with a YYYY-MM-DD date (SQLite's julianday of the
 * date part, which rolls an out-of-range day over as Date.UTC does), the value itself otherwise (NULL, or
 * text SQLite does not take as a date, which dayOf reads in JavaScript as before).
 */
function day(expr: string): string {
  return `CASE WHEN ${expr} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN COALESCE(CAST(julianday(substr(${expr}, 1, 10)) - 2440587.5 AS INTEGER), ${expr}) ELSE ${expr} END`;
}

/** Row of a customer id in ascending `ids` (-1: not there), through a dense table. */
export function rowLookup(ids: Int32Array): (id: number) => number {
  let maxId = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > maxId) maxId = ids[i]!;
  const lookup = new Int32Array(maxId + 1).fill(-1);
  for (let i = 0; i < ids.length; i++) lookup[ids[i]!] = i;
  return (id) => (id >= 0 && id <= maxId ? lookup[id]! : -1);
}

/**
 * Amounts held (fen) at each day of `days`: term deposits + wealth together (the balance figures add them
 * to the demand balances), and term, wealth and loans apart at the day `detail` indexes (-1: none).
 */
function heldAmounts(
  s: Spans,
  n: number,
  days: number[],
  detail: number,
): { termWealth: Float64Array[]; term: Float64Array; wealth: Float64Array; loan: Float64Array } {
  const termWealth = days.map(() => new Float64Array(n));
  const one = detail >= 0 ? n : 0;
  const term = new Float64Array(one);
  const wealth = new Float64Array(one);
  const loan = new Float64Array(one);
  for (let i = 0; i < s.n; i++) {
    const src = s.source[i]!;
    if (src === 0) continue;
    const r = s.row[i]!;
    const a = s.amount[i]!;
    for (let k = 0; k < days.length; k++) {
      const d = days[k]!;
      if (!(s.from[i]! <= d && s.to[i]! > d)) continue;
      if (src !== 3) termWealth[k]![r] = termWealth[k]![r]! + a;
      if (k !== detail) continue;
      if (src === 1) term[r] = term[r]! + a;
      else if (src === 2) wealth[r] = wealth[r]! + a;
      else loan[r] = loan[r]! + a;
    }
  }
  return { termWealth, term, wealth, loan };
}

const TIER_RANK: Record<string, number> = { exit: 0, restricted: 1, ordinary: 2, key: 3, quality: 4, gold: 5 };
const TIER_LEVELS = ['gold', 'quality', 'key', 'ordinary', 'restricted', 'exit'];

/**
 * Every feature of LAB_FEATURES for the customers known at `cutoff` (a month end); with `range`, for those
 * of its ids only (each read below bounded to them too: a block of the book costs its share, and a
 * customer's features are the same as in the whole book's snapshot).
 */
export function computeFeatures(db: Database, cutoff: string, range?: IdRange): Snapshot {
  const b = book(db, cutoff, range);
  const wc = within('customer_id', range);
  const rp = range ? { lo: range.from, hi: range.to } : {};
  const n = b.ids.length;
  const c = dayOf(cutoff);
  const dayAfter = isoOf(c + 1);
  const m3 = monthEnd(cutoff, -3);
  const m6 = monthEnd(cutoff, -6);
  const col = (name: LabFeature): NumericColumn => ({
    kind: 'numeric',
    name,
    values: new Float32Array(n).fill(Number.NaN),
  });
  const cols = new Map<LabFeature, NumericColumn>();
  for (const f of LAB_FEATURES) if (!CATEGORICAL.has(f)) cols.set(f, col(f));
  const set = (f: LabFeature, r: number, v: number) => {
    cols.get(f)!.values[r] = MONEY_FEATURES.has(f) ? moneyIn(v) : v;
  };

  // Balances at the cut-off and the month ends before it (demand accounts from the balance extract;
  // term deposits, wealth and loans from their own dates). The per-month-end arrays live in this block
  // only, so they are garbage before the transaction pass allocates.
  const ends = [monthEnd(cutoff, -6), monthEnd(cutoff, -3), monthEnd(cutoff, -2), monthEnd(cutoff, -1), cutoff];
  const sp = spans(db, b);
  const aumFen = new Float64Array(n);
  {
    const demand = demandBalances(db, b, ends);
    const held = heldAmounts(sp, n, ends.map(dayOf), 4);
    // Whether the store held balances at the month end at all (else the figure is missing, not zero).
    const reported = new Set(
      (db.prepare('SELECT month FROM report_months').raw().all() as [string][]).map((r) => r[0]),
    );
    const has = (iso: string) => reported.has(iso.slice(0, 7));
    const has3 = has(ends[1]!);
    const has6 = has(ends[0]!);
    const aumAt = (k: number, r: number) => demand[k]![r]! + held.termWealth[k]![r]!;
    for (let r = 0; r < n; r++) {
      const a0 = aumAt(4, r);
      aumFen[r] = a0;
      set('aum', r, a0 / 100);
      set('deposit', r, (demand[4]![r]! + held.term[r]!) / 100);
      set('wealth', r, held.wealth[r]! / 100);
      set('loan', r, held.loan[r]! / 100);
      const ratio = (then: number) => (then > 0 ? Math.min(5, a0 / then - 1) : a0 > 0 ? 5 : 0);
      if (has3) set('aum_change_3m', r, ratio(aumAt(1, r)));
      if (has6) set('aum_change_6m', r, ratio(aumAt(0, r)));
      if (has3) {
        const lo = Math.min(aumAt(1, r), aumAt(2, r), aumAt(3, r), a0);
        const hi = Math.max(aumAt(1, r), aumAt(2, r), aumAt(3, r), a0);
        set('aum_min_ratio_3m', r, hi > 0 ? lo / hi : 1);
      }
    }
  }
  // Holdings at the cut-off: categories held, accounts open, term deposits maturing in the next 3 months.
  const heldBits = new Uint16Array(n);
  const openAccounts = new Uint16Array(n);
  {
    const maturing = new Float64Array(n);
    const soon = dayOf(monthEnd(cutoff, 3));
    for (let i = 0; i < sp.n; i++) {
      const r = sp.row[i]!;
      if (sp.from[i]! > c) continue;
      if (sp.to[i]! > c) {
        heldBits[r] = heldBits[r]! | (1 << sp.cat[i]!);
        if (sp.source[i] === 0) openAccounts[r] = openAccounts[r]! + 1;
        if (sp.source[i] === 1 && sp.to[i]! <= soon) maturing[r] = maturing[r]! + sp.amount[i]!;
      }
    }
    for (let r = 0; r < n; r++) {
      const bits = heldBits[r]!;
      let cnt = 0;
      for (let x = bits; x; x &= x - 1) cnt++;
      set('products', r, cnt);
      set('has_demand', r, bits & BIT('demand') ? 1 : 0);
      set('has_term', r, bits & (BIT('term') | BIT('cd')) ? 1 : 0);
      set('has_card', r, bits & BIT('card') ? 1 : 0);
      set('has_loan', r, bits & BIT('loan') ? 1 : 0);
      set('has_wealth', r, bits & (BIT('wealth') | BIT('fund')) ? 1 : 0);
      set('term_maturing', r, maturing[r]! / 100);
      set('tenure_months', r, Math.max(0, (c - b.opened[r]!) / 30.4375));
      const birth = b.birth[r]!;
      if (b.kind[r] === 0 && !Number.isNaN(birth)) set('age', r, Math.floor((c - birth) / 365.25));
    }
  }
  const active = new Uint8Array(n);
  for (let r = 0; r < n; r++) active[r] = heldBits[r] !== 0 ? 1 : 0;
  // Transactions of the six months up to the cut-off, summed per customer by SQLite (one row a customer
  // reaches JavaScript, not one a transaction: ten million at a million customers). Customers without
  // any keep the zeros (and 200 days since the last: as far back as the window reaches, and more).
  const txnCounts: LabFeature[] = [
    'txn_count_3m',
    'txn_count_trend',
    'txn_in_3m',
    'txn_out_3m',
    'txn_counter_3m',
    'txn_atm_3m',
    'txn_pos_3m',
    'txn_phone_3m',
    'txn_online_3m',
    'txn_salary_3m',
    'txn_transfer_out_3m',
    'txn_loan_repay_3m',
  ];
  for (const f of txnCounts) cols.get(f)!.values.fill(0);
  cols.get('days_since_txn')!.values.fill(200);
  const from3 = isoOf(dayOf(m3) + 1);
  // Two passes. The amounts, channels and types of the last three months need the table's rows, so only
  // those are read (one look-up a transaction: half of them, not all); the six months' count and the last
  // day come from the (customer, date) index alone, the earlier three months' count as the difference.
  const agg = db
    .prepare(
      `SELECT customer_id, COUNT(*),
         TOTAL(CASE WHEN direction = 'C' THEN amount_fen END), TOTAL(CASE WHEN direction = 'C' THEN NULL ELSE amount_fen END),
         TOTAL(channel = 'counter'), TOTAL(channel = 'atm'), TOTAL(channel = 'pos'), TOTAL(channel = 'phone'),
         TOTAL(channel = 'online'), TOTAL(txn_type = 'salary'), TOTAL(txn_type = 'transfer_out'),
         TOTAL(txn_type = 'loan_repayment')
       FROM transactions WHERE txn_at >= :from3 AND txn_at < :to${range ? ' AND customer_id >= :lo AND customer_id < :hi' : ''} GROUP BY customer_id`,
    )
    .raw()
    .iterate({ from3, to: dayAfter, ...rp }) as IterableIterator<[number, ...number[]]>;
  const chNames: LabFeature[] = ['txn_counter_3m', 'txn_atm_3m', 'txn_pos_3m', 'txn_phone_3m', 'txn_online_3m'];
  const count3 = new Uint32Array(n);
  for (const [customerId, cnt3, in3, out3, ...rest] of agg) {
    const r = b.rowOf(customerId);
    if (r < 0) continue;
    count3[r] = cnt3!;
    set('txn_in_3m', r, in3! / 100);
    set('txn_out_3m', r, out3! / 100);
    const flow = in3! + out3!;
    if (flow > 0) set('txn_out_share_3m', r, out3! / flow);
    for (const [k, f] of chNames.entries()) set(f, r, rest[k]!);
    set('txn_salary_3m', r, rest[5]!);
    set('txn_transfer_out_3m', r, rest[6]!);
    set('txn_loan_repay_3m', r, rest[7]!);
  }
  const counts = db
    .prepare(
      `SELECT customer_id, MAX(txn_at), COUNT(*) FROM transactions WHERE txn_at >= :from6 AND txn_at < :to${range ? ' AND customer_id >= :lo AND customer_id < :hi' : ''}
       GROUP BY customer_id`,
    )
    .raw()
    .iterate({ from6: isoOf(dayOf(m6) + 1), to: dayAfter, ...rp }) as IterableIterator<[number, string, number]>;
  for (const [customerId, lastAt, cnt6] of counts) {
    const r = b.rowOf(customerId);
    if (r < 0) continue;
    const cnt3 = count3[r]!;
    const prev = cnt6 - cnt3;
    set('txn_count_3m', r, cnt3);
    set('txn_count_trend', r, prev > 0 ? Math.min(5, cnt3 / prev - 1) : cnt3 > 0 ? 5 : 0);
    set('days_since_txn', r, c - dayOf(lastAt));
  }

  // Tier as logged by the cut-off (never customers.tier, which is today's), and downgrades in the year to it.
  const tierCode = new Int32Array(n).fill(-1);
  const down = new Uint8Array(n);
  const yearAgo = monthEnd(cutoff, -12);
  const tiers = db
    .prepare(
      `SELECT customer_id, from_tier, to_tier, changed_at FROM customer_tier_changes WHERE changed_at < ?${wc.sql} ORDER BY customer_id, changed_at, id`,
    )
    .raw()
    .iterate(dayAfter, ...wc.params) as IterableIterator<[number, string | null, string | null, string]>;
  for (const [customerId, fromTier, toTier, at] of tiers) {
    const r = b.rowOf(customerId);
    if (r < 0) continue;
    tierCode[r] = toTier ? TIER_LEVELS.indexOf(toTier) : -1;
    if (at > yearAgo && fromTier && toTier && (TIER_RANK[toTier] ?? 0) < (TIER_RANK[fromTier] ?? 0)) down[r] = 1;
  }
  // Contacts (交往记录) in the six months to the cut-off and the latest before it.
  const contacts = new Float64Array(n);
  const lastContact = new Float64Array(n).fill(Number.NaN);
  const cit = db
    .prepare(`SELECT customer_id, contacted_on FROM contacts WHERE contacted_on <= ?${wc.sql}`)
    .raw()
    .iterate(cutoff, ...wc.params) as IterableIterator<[number, string]>;
  for (const [customerId, on] of cit) {
    const r = b.rowOf(customerId);
    if (r < 0) continue;
    const d = dayOf(on);
    if (on > m6) contacts[r]!++;
    if (!(lastContact[r]! >= d)) lastContact[r] = d;
  }
  for (let r = 0; r < n; r++) {
    set('tier_downgraded', r, down[r]!);
    set('contacts_6m', r, contacts[r]!);
    if (!Number.isNaN(lastContact[r]!)) set('days_since_contact', r, c - lastContact[r]!);
  }
  const cat = (name: LabFeature, codes: Int32Array, levels: string[]): CategoricalColumn => ({
    kind: 'categorical',
    name,
    codes,
    levels,
  });
  const columns: Column[] = LAB_FEATURES.map((f) =>
    f === 'kind'
      ? cat(f, b.kind, ['individual', 'corporate'])
      : f === 'gender'
        ? cat(f, b.gender, ['M', 'F'])
        : f === 'tier'
          ? cat(f, tierCode, TIER_LEVELS)
          : cols.get(f)!,
  );
  const snap: Snapshot = { cutoff, ids: b.ids, columns, aumFen, active, held: heldBits, openAccounts };
  SPANS.set(snap, sp);
  return snap;
}

/**
 * The holdings read for a snapshot (all dates), kept for its target: one pass over the tables, not two.
 * computeTarget lets go of them (unless asked to keep them for more targets), and scoring, which needs
 * no target, lets go at once (releaseSpans): a million customers hold ~60 MB of spans.
 */
const SPANS = new WeakMap<Snapshot, Spans>();

export function releaseSpans(snap: Snapshot): void {
  SPANS.delete(snap);
}

/**
 * The target on (cutoff, windowEnd]: who is eligible (could have the outcome) and who had it.
 * Reads the snapshot's customers only; nothing of the window reaches the features.
 */
export function computeTarget(
  db: Database,
  snap: Snapshot,
  target: LabTarget,
  windowEnd: string,
  keepSpans = false,
): { eligible: Uint8Array; y: Uint8Array } {
  const n = snap.ids.length;
  const eligible = new Uint8Array(n);
  const y = new Uint8Array(n);
  const rowOf = rowLookup(snap.ids);
  const c = dayOf(snap.cutoff);
  const end = dayOf(windowEnd);
  const b: Book = { ids: snap.ids, rowOf };
  if (target.kind === 'churn') {
    const ends: string[] = [];
    for (let k = 1; monthEnd(snap.cutoff, k) <= windowEnd; k++) ends.push(monthEnd(snap.cutoff, k));
    const demand = demandBalances(db, b, ends);
    const sp = SPANS.get(snap) ?? spans(db, b);
    if (!keepSpans) releaseSpans(snap);
    const held = heldAmounts(sp, n, ends.map(dayOf), -1);
    const closed = new Uint16Array(n);
    for (let i = 0; i < sp.n; i++) {
      if (sp.source[i] !== 0 || sp.from[i]! > c) continue;
      const to = sp.to[i]!;
      if (to > c && to <= end) closed[sp.row[i]!] = closed[sp.row[i]!]! + 1;
    }
    eligible.set(eligibleAt(snap, target));
    for (let r = 0; r < n; r++) {
      if (!eligible[r]) continue;
      const base = snap.aumFen[r]!;
      let fell = false;
      for (let k = 0; k < ends.length && !fell; k++) {
        const a = demand[k]![r]! + held.termWealth[k]![r]!;
        if (a < target.dropShare * base) fell = true;
      }
      const allClosed = snap.openAccounts[r]! > 0 && closed[r]! >= snap.openAccounts[r]!;
      y[r] = fell || allClosed ? 1 : 0;
    }
    return { eligible, y };
  }
  // Take-up: no holding of the kind at the cut-off, one opened in the window.
  const bits = targetBits(target);
  eligible.set(eligibleAt(snap, target));
  const sp = SPANS.get(snap) ?? spans(db, b);
  if (!keepSpans) releaseSpans(snap);
  for (let i = 0; i < sp.n; i++) {
    const from = sp.from[i]!;
    if (from > c && from <= end && (bits & (1 << sp.cat[i]!)) !== 0) y[sp.row[i]!] = 1;
  }
  for (let r = 0; r < n; r++) if (!eligible[r]) y[r] = 0;
  return { eligible, y };
}

function targetBits(target: Exclude<LabTarget, { kind: 'churn' }>): number {
  return target.kind === 'loan'
    ? BIT('loan')
    : target.kind === 'wealth'
      ? BIT('wealth') | BIT('fund')
      : BIT(target.category);
}

/**
 * Who could have the outcome after the snapshot's date: for churn, customers holding something and at
 * least `minBalance` yuan; for a take-up, customers holding something but nothing of the kind. Scoring
 * scores these customers (a loan propensity means nothing for a customer who has a loan).
 */
export function eligibleAt(snap: Snapshot, target: LabTarget): Uint8Array {
  const n = snap.ids.length;
  const out = new Uint8Array(n);
  if (target.kind === 'churn') {
    const min = target.minBalance * 100;
    for (let r = 0; r < n; r++) {
      const base = snap.aumFen[r]!;
      if (snap.active[r] && base >= min && base > 0) out[r] = 1;
    }
    return out;
  }
  const bits = targetBits(target);
  for (let r = 0; r < n; r++) if (snap.active[r] && (snap.held[r]! & bits) === 0) out[r] = 1;
  return out;
}
