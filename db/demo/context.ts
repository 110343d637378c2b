import type { Calendar } from './calendar';
import type { Org } from './org';
import type { Rng } from './rng';
import type { Inserts } from './sql';

/** Row counters double as id allocators: every table's ids are assigned in insertion order. */
export interface Counts {
  accounts: number;
  termDeposits: number;
  wealthHoldings: number;
  loans: number;
  transactions: number;
  dailyBalances: number;
  assignments: number;
  changes: number;
  customerTags: number;
  grants: number;
}

export function newCounts(): Counts {
  return {
    accounts: 0,
    termDeposits: 0,
    wealthHoldings: 0,
    loans: 0,
    transactions: 0,
    dailyBalances: 0,
    assignments: 0,
    changes: 0,
    customerTags: 0,
    grants: 0,
  };
}

export interface Gen {
  rng: Rng;
  cal: Calendar;
  ins: Inserts;
  org: Org;
  counts: Counts;
  events: Events;
}

/** Transaction kinds, as small integers in the event buffer; TXN_TYPES gives the stored text. */
export const T = {
  salary: 0,
  transferIn: 1,
  transferOut: 2,
  consumption: 3,
  withdrawal: 4,
  deposit: 5,
  loanRepayment: 6,
  interest: 7,
  fee: 8,
  refund: 9,
} as const;
export const TXN_TYPES = [
  'salary',
  'transfer_in',
  'transfer_out',
  'consumption',
  'withdrawal',
  'deposit',
  'loan_repayment',
  'interest',
  'fee',
  'refund',
] as const;
/** Debit (money out) or credit, per transaction kind. */
export const TXN_DIRECTION = ['C', 'C', 'D', 'D', 'D', 'C', 'D', 'C', 'D', 'C'] as const;

export const CH = { counter: 0, atm: 1, pos: 2, phone: 3, online: 4 } as const;
export const CHANNELS = ['counter', 'atm', 'pos', 'phone', 'online'] as const;

/** Which account an event posts to. */
export const ACCT_DEMAND = 0;
export const ACCT_CARD = 1;

/** Events per customer are indexed in the low 16 bits of the sort key. */
export const MAX_EVENTS = 65535;

/**
 * One customer's transactions before they are written: parallel typed arrays, reused for every customer,
 * so the 20M-row load allocates no per-event objects. The sort key packs the second within the window
 * with the event's index, so sorting one Float64Array orders the events by time (ties by creation).
 */
export class Events {
  n = 0;
  key = new Float64Array(256);
  type = new Uint8Array(256);
  channel = new Uint8Array(256);
  account = new Uint8Array(256);
  amount = new Float64Array(256);

  reset(): void {
    this.n = 0;
  }

  private grow(): void {
    const cap = Math.min(MAX_EVENTS + 1, this.key.length * 2);
    const k = new Float64Array(cap);
    k.set(this.key);
    this.key = k;
    const t = new Uint8Array(cap);
    t.set(this.type);
    this.type = t;
    const c = new Uint8Array(cap);
    c.set(this.channel);
    this.channel = c;
    const a = new Uint8Array(cap);
    a.set(this.account);
    this.account = a;
    const m = new Float64Array(cap);
    m.set(this.amount);
    this.amount = m;
  }

  /** `second` counts from the start of the activity window. Returns false when the buffer is full. */
  push(second: number, type: number, channel: number, amountFen: number, account: number): boolean {
    const i = this.n;
    if (i >= MAX_EVENTS) return false;
    if (i >= this.key.length) this.grow();
    this.key[i] = second * 65536 + i;
    this.type[i] = type;
    this.channel[i] = channel;
    this.account[i] = account;
    this.amount[i] = amountFen;
    this.n = i + 1;
    return true;
  }

  /** Keeps the events `keep` accepts (before sort()), in their order; returns where event `track` went (-1: dropped or none). */
  keep(keep: (i: number) => boolean, track = -1): number {
    let m = 0;
    let moved = -1;
    for (let i = 0; i < this.n; i++) {
      if (!keep(i)) continue;
      if (i === track) moved = m;
      this.key[m] = Math.floor(this.key[i]! / 65536) * 65536 + m;
      this.type[m] = this.type[i]!;
      this.channel[m] = this.channel[i]!;
      this.account[m] = this.account[i]!;
      this.amount[m] = this.amount[i]!;
      m++;
    }
    this.n = m;
    return moved;
  }

  /** Orders events by time; afterwards `order(j)` is the buffer index of the j-th event. */
  sort(): void {
    this.key.subarray(0, this.n).sort();
  }

  order(j: number): number {
    return this.key[j]! % 65536;
  }

  second(j: number): number {
    return Math.floor(this.key[j]! / 65536);
  }
}

/** Tier thresholds on AUM, in fen. Placeholder model until the segmentation rules arrive. */
export const TIER_FEN = {
  gold: 1_500_000 * 100,
  quality: 500_000 * 100,
  key: 150_000 * 100,
} as const;

/** Rounds fen to a whole number of `unit` fen (deposits are made in round sums), at least one unit. */
export function roundTo(fen: number, unit: number): number {
  return Math.max(unit, Math.round(fen / unit) * unit);
}

/** Appends the Luhn check digit, so demo card numbers pass the check a real card form applies. */
export function withLuhn(body: string): string {
  let sum = 0;
  let dbl = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The customer being generated; one object, reset for each customer. */
export class Cust {
  id = 0;
  corporate = false;
  branchId = 0;
  outlet = 0;
  openedOn = 0;
  status: 'active' | 'dormant' | 'closed' = 'active';
  /** Day the relationship ended (closed customers only). */
  closedOn = 0;
  // Results gathered while the holdings are written.
  termFen = 0;
  wealthFen = 0;
  loanFen = 0;
  overdue = false;
  businessLoan = false;
  maxRisk = 0;
  maturingSoon = false;
  hadLoan = false;
  /** Rows written for this customer (drives the commit batching). */
  rows = 0;

  reset(id: number): void {
    this.id = id;
    this.corporate = false;
    this.termFen = 0;
    this.wealthFen = 0;
    this.loanFen = 0;
    this.overdue = false;
    this.businessLoan = false;
    this.maxRisk = 0;
    this.maturingSoon = false;
    this.hadLoan = false;
    this.rows = 0;
    this.closedOn = 0;
  }
}
