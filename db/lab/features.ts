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
}

function book(
  db: Database,
  cutoff: string,
): Book & { opened: Int32Array; birth: Float64Array; kind: Int32Array; gender: Int32Array } {
  const rows = db
    .prepare('SELECT id, kind, gender, birth_date, opened_on FROM customers WHERE opened_on <= ? ORDER BY id')
    .raw()
    .all(cutoff) as [number, string, string | null, string | null, string][];
  const n = rows.length;
  const ids = new Int32Array(n);
  const opened = new Int32Array(n);
  const birth = new Float64Array(n);
  const kind = new Int32Array(n);
  const gender = new Int32Array(n);
  rows.forEach((r, i) => {
    ids[i] = r[0];
    kind[i] = r[1] === 'corporate' ? 1 : 0;
    gender[i] = r[2] === 'M' ? 0 : r[2] === 'F' ? 1 : -1;
    birth[i] = r[3] && /^\d{4}-\d{2}-\d{2}/.test(r[3]) ? dayOf(r[3]) : Number.NaN;
    opened[i] = dayOf(r[4]);
  });
  return {
    ids,
    rowOf: rowLookup(ids),
    opened,
    birth,
    kind,
    gender,
  };
}

/**
 * Demand-account balances of each customer at each month end of `ends` (ascending): per account the
 * latest balance reported in the month up to that end, summed per customer. Reads (first month's start, last end].
 */
function demandBalances(db: Database, b: Book, ends: string[]): Float64Array[] {
  const out = ends.map(() => new Float64Array(b.ids.length));
  if (!ends.length) return out;
  const from = monthEnd(ends[0]!, -1);
  const to = ends[ends.length - 1]!;
  const bucketOf = (d: string): number => {
    for (let k = 0; k < ends.length; k++) if (d <= ends[k]! && d > monthEnd(ends[k]!, -1)) return k;
    return -1;
  };
  let acct = -1;
  let row = -1;
  const last = new Float64Array(ends.length);
  const seen = new Uint8Array(ends.length);
  const flush = () => {
    if (row >= 0) for (let k = 0; k < ends.length; k++) if (seen[k]) out[k]![row] = out[k]![row]! + last[k]!;
    seen.fill(0);
  };
  const it = db
    .prepare(
      `SELECT b.account_id, a.customer_id, b.on_date, b.balance_fen FROM daily_balances b JOIN accounts a ON a.id = b.account_id
       WHERE b.on_date > ? AND b.on_date <= ? AND a.kind = 'demand' ORDER BY b.account_id, b.on_date`,
    )
    .raw()
    .iterate(from, to) as IterableIterator<[number, number, string, number]>;
  for (const [accountId, customerId, onDate, bal] of it) {
    if (accountId !== acct) {
      flush();
      acct = accountId;
      row = b.rowOf(customerId);
    }
    const k = bucketOf(onDate);
    if (k >= 0) {
      last[k] = bal;
      seen[k] = 1;
    }
  }
  flush();
  return out;
}

/** A holding's span: open from `from` (day) until `to` (exclusive; Infinity while open). */
interface Spans {
  row: Int32Array;
  cat: Uint8Array;
  from: Int32Array;
  to: Float64Array;
  /** Amount (fen): principal, cost or (accounts) 0. */
  amount: Float64Array;
  /** 0 account, 1 term deposit, 2 wealth holding, 3 loan. */
  source: Uint8Array;
  n: number;
}

const CAT_INDEX = new Map<string, number>(LAB_PRODUCT_CATEGORIES.map((c, i) => [c, i]));
const BIT = (c: (typeof LAB_PRODUCT_CATEGORIES)[number]) => 1 << CAT_INDEX.get(c)!;

function spans(db: Database, b: Book): Spans {
  // Plain number arrays (packed doubles), then typed: a million customers hold a few million spans.
  const row: number[] = [];
  const cat: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const amount: number[] = [];
  const source: number[] = [];
  const push = (src: number, sql: string) => {
    const it = db.prepare(sql).raw().iterate() as IterableIterator<[number, string, string, string | null, number]>;
    for (const [customerId, category, since, until, amt] of it) {
      const r = b.rowOf(customerId);
      const k = CAT_INDEX.get(category);
      if (r < 0 || k === undefined) continue;
      row.push(r);
      cat.push(k);
      from.push(dayOf(since));
      to.push(until ? dayOf(until) : Number.POSITIVE_INFINITY);
      amount.push(amt);
      source.push(src);
    }
  };
  // Closing, maturity and pay-off dates are the events' own dates; statuses (current state) are not read.
  push(
    0,
    'SELECT a.customer_id, p.category, a.opened_on, a.closed_on, 0 FROM accounts a JOIN products p ON p.id = a.product_id',
  );
  push(
    1,
    'SELECT t.customer_id, p.category, t.start_on, t.maturity_on, t.principal_fen FROM term_deposits t JOIN products p ON p.id = t.product_id',
  );
  push(
    2,
    'SELECT h.customer_id, p.category, h.purchased_on, h.maturity_on, h.cost_fen FROM wealth_holdings h JOIN products p ON p.id = h.product_id',
  );
  push(
    3,
    `SELECT l.customer_id, p.category, l.disbursed_on, COALESCE(MIN(l.paid_off_on, l.maturity_on), l.maturity_on), l.principal_fen
     FROM loans l JOIN products p ON p.id = l.product_id`,
  );
  return {
    row: Int32Array.from(row),
    cat: Uint8Array.from(cat),
    from: Int32Array.from(from),
    to: Float64Array.from(to),
    amount: Float64Array.from(amount),
    source: Uint8Array.from(source),
    n: row.length,
  };
}

/** Row of a customer id in ascending `ids` (-1: not there), through a dense table. */
export function rowLookup(ids: Int32Array): (id: number) => number {
  let maxId = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > maxId) maxId = ids[i]!;
  const lookup = new Int32Array(maxId + 1).fill(-1);
  for (let i = 0; i < ids.length; i++) lookup[ids[i]!] = i;
  return (id) => (id >= 0 && id <= maxId ? lookup[id]! : -1);
}

/** Loan and wealth amounts held at each day of `days` (fen), plus term deposits. */
function heldAmounts(
  s: Spans,
  n: number,
  days: number[],
): { term: Float64Array[]; wealth: Float64Array[]; loan: Float64Array[] } {
  const mk = () => days.map(() => new Float64Array(n));
  const term = mk();
  const wealth = mk();
  const loan = mk();
  for (let i = 0; i < s.n; i++) {
    const src = s.source[i]!;
    if (src === 0) continue;
    const into = src === 1 ? term : src === 2 ? wealth : loan;
    for (let k = 0; k < days.length; k++) {
      const d = days[k]!;
      if (s.from[i]! <= d && s.to[i]! > d) into[k]![s.row[i]!] = into[k]![s.row[i]!]! + s.amount[i]!;
    }
  }
  return { term, wealth, loan };
}

const TIER_RANK: Record<string, number> = { exit: 0, restricted: 1, ordinary: 2, key: 3, quality: 4, gold: 5 };
const TIER_LEVELS = ['gold', 'quality', 'key', 'ordinary', 'restricted', 'exit'];

/** Every feature of LAB_FEATURES for the customers known at `cutoff` (a month end). */
export function computeFeatures(db: Database, cutoff: string): Snapshot {
  const b = book(db, cutoff);
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
  // term deposits, wealth and loans from their own dates).
  const ends = [monthEnd(cutoff, -6), monthEnd(cutoff, -3), monthEnd(cutoff, -2), monthEnd(cutoff, -1), cutoff];
  const demand = demandBalances(db, b, ends);
  const sp = spans(db, b);
  const held = heldAmounts(sp, n, ends.map(dayOf));
  const spansOf = (snap: Snapshot) => SPANS.set(snap, sp);
  // Whether the store held balances at the month end at all (else the figure is missing, not zero).
  const reported = new Set((db.prepare('SELECT month FROM report_months').raw().all() as [string][]).map((r) => r[0]));
  const has = (iso: string) => reported.has(iso.slice(0, 7));
  const aumAt = (k: number, r: number) => demand[k]![r]! + held.term[k]![r]! + held.wealth[k]![r]!;
  const aumFen = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const a0 = aumAt(4, r);
    aumFen[r] = a0;
    set('aum', r, a0 / 100);
    set('deposit', r, (demand[4]![r]! + held.term[4]![r]!) / 100);
    set('wealth', r, held.wealth[4]![r]! / 100);
    set('loan', r, held.loan[4]![r]! / 100);
    const ratio = (then: number) => (then > 0 ? Math.min(5, a0 / then - 1) : a0 > 0 ? 5 : 0);
    if (has(ends[1]!)) set('aum_change_3m', r, ratio(aumAt(1, r)));
    if (has(ends[0]!)) set('aum_change_6m', r, ratio(aumAt(0, r)));
    if (has(ends[1]!)) {
      const lo = Math.min(aumAt(1, r), aumAt(2, r), aumAt(3, r), a0);
      const hi = Math.max(aumAt(1, r), aumAt(2, r), aumAt(3, r), a0);
      set('aum_min_ratio_3m', r, hi > 0 ? lo / hi : 1);
    }
  }

  // Holdings at the cut-off: categories held, accounts open, term deposits maturing in the next 3 months.
  const heldBits = new Uint16Array(n);
  const openAccounts = new Uint16Array(n);
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
  const active = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const bits = heldBits[r]!;
    active[r] = bits !== 0 ? 1 : 0;
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

  // Transactions of the six months up to the cut-off.
  const acc = {
    cnt3: new Float64Array(n),
    cntPrev: new Float64Array(n),
    in3: new Float64Array(n),
    out3: new Float64Array(n),
    last: new Float64Array(n).fill(Number.NaN),
    ch: [0, 1, 2, 3, 4].map(() => new Float64Array(n)),
    salary: new Float64Array(n),
    transferOut: new Float64Array(n),
    repay: new Float64Array(n),
  };
  const CH: Record<string, number> = { counter: 0, atm: 1, pos: 2, phone: 3, online: 4 };
  const from3 = isoOf(dayOf(m3) + 1);
  const it = db
    .prepare(
      'SELECT customer_id, txn_at, amount_fen, direction, channel, txn_type FROM transactions WHERE txn_at >= ? AND txn_at < ?',
    )
    .raw()
    .iterate(isoOf(dayOf(m6) + 1), dayAfter) as IterableIterator<[number, string, number, string, string, string]>;
  for (const [customerId, at, amount, dir, channel, type] of it) {
    const r = b.rowOf(customerId);
    if (r < 0) continue;
    const day = dayOf(at);
    if (!(acc.last[r]! >= day)) acc.last[r] = day;
    if (at < from3) {
      acc.cntPrev[r]!++;
      continue;
    }
    acc.cnt3[r]!++;
    if (dir === 'C') acc.in3[r] = acc.in3[r]! + amount;
    else acc.out3[r] = acc.out3[r]! + amount;
    const k = CH[channel];
    if (k !== undefined) acc.ch[k]![r]!++;
    if (type === 'salary') acc.salary[r]!++;
    else if (type === 'transfer_out') acc.transferOut[r]!++;
    else if (type === 'loan_repayment') acc.repay[r]!++;
  }
  const chNames: LabFeature[] = ['txn_counter_3m', 'txn_atm_3m', 'txn_pos_3m', 'txn_phone_3m', 'txn_online_3m'];
  for (let r = 0; r < n; r++) {
    set('txn_count_3m', r, acc.cnt3[r]!);
    const prev = acc.cntPrev[r]!;
    set('txn_count_trend', r, prev > 0 ? Math.min(5, acc.cnt3[r]! / prev - 1) : acc.cnt3[r]! > 0 ? 5 : 0);
    set('txn_in_3m', r, acc.in3[r]! / 100);
    set('txn_out_3m', r, acc.out3[r]! / 100);
    const flow = acc.in3[r]! + acc.out3[r]!;
    if (flow > 0) set('txn_out_share_3m', r, acc.out3[r]! / flow);
    for (const [k, f] of chNames.entries()) set(f, r, acc.ch[k]![r]!);
    set('txn_salary_3m', r, acc.salary[r]!);
    set('txn_transfer_out_3m', r, acc.transferOut[r]!);
    set('txn_loan_repay_3m', r, acc.repay[r]!);
    // No transaction in six months: as far back as the window reaches, and a little more.
    set('days_since_txn', r, Number.isNaN(acc.last[r]!) ? 200 : c - acc.last[r]!);
  }

  // Tier as logged by the cut-off (never customers.tier, which is today's), and downgrades in the year to it.
  const tierCode = new Int32Array(n).fill(-1);
  const down = new Uint8Array(n);
  const yearAgo = monthEnd(cutoff, -12);
  const tiers = db
    .prepare(
      'SELECT customer_id, from_tier, to_tier, changed_at FROM customer_tier_changes WHERE changed_at < ? ORDER BY customer_id, changed_at, id',
    )
    .raw()
    .iterate(dayAfter) as IterableIterator<[number, string | null, string | null, string]>;
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
    .prepare('SELECT customer_id, contacted_on FROM contacts WHERE contacted_on <= ?')
    .raw()
    .iterate(cutoff) as IterableIterator<[number, string]>;
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
  spansOf(snap);
  return snap;
}

/** The holdings read for a snapshot (all dates), kept for its targets: one pass over the tables, not one per target. */
const SPANS = new WeakMap<Snapshot, Spans>();

/**
 * The target on (cutoff, windowEnd]: who is eligible (could have the outcome) and who had it.
 * Reads the snapshot's customers only; nothing of the window reaches the features.
 */
export function computeTarget(
  db: Database,
  snap: Snapshot,
  target: LabTarget,
  windowEnd: string,
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
    const held = heldAmounts(sp, n, ends.map(dayOf));
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
        const a = demand[k]![r]! + held.term[k]![r]! + held.wealth[k]![r]!;
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
