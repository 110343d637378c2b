/**
 * Slow reference figures for the reports, computed in plain TypeScript over the raw tables loaded into
 * memory (no summary table, no SQL grouping), to check every number db/reporting and main/reports
 * produce. Definitions as documented in db/reporting/maintain.ts.
 */
import type { Database } from 'better-sqlite3';
import type { GridFilter } from '../../../shared/api';

export interface Raw {
  customers: {
    id: number;
    branch_id: number;
    manager_staff_id: number | null;
    tier: string | null;
    kind: string;
    opened_on: string;
    deposit_fen: number;
    wealth_fen: number;
    loan_fen: number;
    aum_fen: number;
  }[];
  accounts: {
    id: number;
    customer_id: number;
    product_id: number;
    kind: string;
    status: string;
    opened_on: string;
    balance_fen: number;
  }[];
  balances: { account_id: number; on_date: string; balance_fen: number }[];
  terms: {
    customer_id: number;
    product_id: number;
    principal_fen: number;
    start_on: string;
    maturity_on: string;
    status: string;
  }[];
  wealth: {
    customer_id: number;
    product_id: number;
    cost_fen: number;
    market_value_fen: number;
    purchased_on: string;
    maturity_on: string | null;
    status: string;
  }[];
  loans: {
    customer_id: number;
    product_id: number;
    principal_fen: number;
    balance_fen: number;
    disbursed_on: string;
    maturity_on: string;
    status: string;
  }[];
  txns: {
    customer_id: number;
    txn_at: string;
    amount_fen: number;
    direction: string;
    channel: string;
    txn_type: string;
    teller_staff_id: number | null;
  }[];
  tierChanges: {
    id: number;
    customer_id: number;
    from_tier: string | null;
    to_tier: string | null;
    changed_at: string;
    model_version: number | null;
  }[];
  staff: { id: number; branch_id: number; position: string }[];
}

export function loadRaw(db: Database): Raw {
  const all = <T>(sql: string) => db.prepare(sql).all() as T[];
  return {
    customers: all(
      'SELECT id, branch_id, manager_staff_id, tier, kind, opened_on, deposit_fen, wealth_fen, loan_fen, aum_fen FROM customers',
    ),
    accounts: all('SELECT id, customer_id, product_id, kind, status, opened_on, balance_fen FROM accounts'),
    balances: all('SELECT account_id, on_date, balance_fen FROM daily_balances'),
    terms: all('SELECT customer_id, product_id, principal_fen, start_on, maturity_on, status FROM term_deposits'),
    wealth: all(
      'SELECT customer_id, product_id, cost_fen, market_value_fen, purchased_on, maturity_on, status FROM wealth_holdings',
    ),
    loans: all(
      'SELECT customer_id, product_id, principal_fen, balance_fen, disbursed_on, maturity_on, status FROM loans',
    ),
    txns: all(
      'SELECT customer_id, txn_at, amount_fen, direction, channel, txn_type, teller_staff_id FROM transactions',
    ),
    tierChanges: all(
      'SELECT id, customer_id, from_tier, to_tier, changed_at, model_version FROM customer_tier_changes',
    ),
    staff: all('SELECT id, branch_id, position FROM staff'),
  };
}

export const monthEndOf = (m: string): string => {
  const [y, mm] = m.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, mm, 0));
  return d.toISOString().slice(0, 10);
};
export const yuan = (fen: number): string => {
  const neg = fen < 0;
  const a = Math.abs(fen);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
};

export function reportingMonths(r: Raw): string[] {
  return [...new Set(r.balances.map((b) => b.on_date.slice(0, 7)))].sort();
}

/** Month-end figures of one customer. */
export function customerMonth(r: Raw, customerId: number, month: string): { dep: number; wlt: number; lon: number } {
  const end = monthEndOf(month);
  let dep = 0;
  for (const a of r.accounts) {
    if (a.customer_id !== customerId || a.kind !== 'demand') continue;
    const inMonth = r.balances
      .filter((b) => b.account_id === a.id && b.on_date.slice(0, 7) === month)
      .sort((x, y) => x.on_date.localeCompare(y.on_date));
    if (inMonth.length) dep += inMonth[inMonth.length - 1]!.balance_fen;
  }
  for (const t of r.terms)
    if (
      t.customer_id === customerId &&
      t.start_on <= end &&
      (t.status === 'active' || (t.status === 'matured' && t.maturity_on > end))
    )
      dep += t.principal_fen;
  let wlt = 0;
  for (const h of r.wealth)
    if (
      h.customer_id === customerId &&
      h.purchased_on <= end &&
      (h.status === 'active' || (h.status === 'matured' && (h.maturity_on ?? '') > end))
    )
      wlt += h.market_value_fen;
  let lon = 0;
  for (const l of r.loans)
    if (l.customer_id === customerId && l.disbursed_on <= end && l.status === 'active') lon += l.balance_fen;
  return { dep, wlt, lon };
}

/** The customers a report covers: a president's branch tree or a manager's own book, then the report's filter. */
export function inScope(
  r: Raw,
  who: { branchIds?: number[]; managerId?: number },
  f: { branchIds?: number[]; managerId?: number; tiers?: string[]; kind?: string } = {},
): Raw['customers'] {
  return r.customers.filter(
    (c) =>
      (who.managerId != null ? c.manager_staff_id === who.managerId : who.branchIds!.includes(c.branch_id)) &&
      (!f.branchIds || f.branchIds.includes(c.branch_id)) &&
      (f.managerId == null || c.manager_staff_id === f.managerId) &&
      (!f.tiers || f.tiers.includes(c.tier ?? 'none')) &&
      (!f.kind || c.kind === f.kind),
  );
}

const addDays = (d: string, n: number) => {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};
const weekday = (txnAt: string) => new Date(`${txnAt.slice(0, 10)}T00:00:00Z`).getUTCDay();

/**
 * The tier a customer held on a day, from the change log (point-in-time tiers, migration 0018): the
 * from_tier of the first change dated (UTC date of changed_at) after the day, else today's tier.
 */
export function tierOnDay(r: Raw, id: number, day: string): string {
  let ix = tierIndex.get(r);
  if (!ix) {
    const changes = new Map<number, Raw['tierChanges']>();
    for (const x of [...r.tierChanges].sort((a, b) => a.changed_at.localeCompare(b.changed_at) || a.id - b.id)) {
      const l = changes.get(x.customer_id) ?? [];
      l.push(x);
      changes.set(x.customer_id, l);
    }
    ix = { changes, current: new Map(r.customers.map((c) => [c.id, c.tier ?? 'none'])) };
    tierIndex.set(r, ix);
  }
  const next = (ix.changes.get(id) ?? []).find((x) => x.changed_at.slice(0, 10) > day);
  return next ? next.from_tier || 'none' : (ix.current.get(id) ?? 'none');
}
const tierIndex = new WeakMap<Raw, { changes: Map<number, Raw['tierChanges']>; current: Map<number, string> }>();

/** The customers a grid filter selects, evaluated in TypeScript (only the keys reports produce). */
export function gridReference(r: Raw, scopeCustomers: Raw['customers'], f: GridFilter, today: string): Set<number> {
  const out = new Set<number>();
  for (const c of scopeCustomers) {
    if (f.branchIds && !f.branchIds.includes(c.branch_id)) continue;
    if (f.managerIds && !f.managerIds.includes(c.manager_staff_id ?? 0)) continue;
    if (f.tiers && !f.tiers.includes((c.tier ?? 'none') as 'gold')) continue;
    if (f.kinds && !f.kinds.includes(c.kind as 'individual')) continue;
    if (f.drill && !drillMatches(r, c.id, c.opened_on, f.drill, today)) continue;
    out.add(c.id);
  }
  return out;
}

function drillMatches(
  r: Raw,
  id: number,
  openedOn: string,
  d: NonNullable<GridFilter['drill']>,
  today: string,
): boolean {
  switch (d.kind) {
    case 'openedBy':
      return openedOn <= d.date && (!d.tiers || d.tiers.includes(tierOnDay(r, id, d.date) as 'gold'));
    case 'txn':
      return r.txns.some(
        (t) =>
          t.customer_id === id &&
          (!d.tiers || d.tiers.includes(tierOnDay(r, id, t.txn_at.slice(0, 10)) as 'gold')) &&
          t.txn_at.slice(0, 7) >= d.fromMonth &&
          t.txn_at.slice(0, 7) <= d.toMonth &&
          (!d.channels || d.channels.includes(t.channel as 'atm')) &&
          (!d.txnTypes || d.txnTypes.includes(t.txn_type)) &&
          (!d.direction || t.direction === d.direction) &&
          (d.weekday === undefined || weekday(t.txn_at) === d.weekday) &&
          (d.hour === undefined || Number(t.txn_at.slice(11, 13)) === d.hour) &&
          (d.tellerId === undefined || t.teller_staff_id === d.tellerId),
      );
    case 'holds':
      return (
        r.accounts.some(
          (a) =>
            a.customer_id === id &&
            a.product_id === d.productId &&
            (a.kind === 'demand' || a.kind === 'card') &&
            a.status !== 'closed',
        ) ||
        r.terms.some((t) => t.customer_id === id && t.product_id === d.productId && t.status === 'active') ||
        r.wealth.some((h) => h.customer_id === id && h.product_id === d.productId && h.status === 'active') ||
        r.loans.some((l) => l.customer_id === id && l.product_id === d.productId && l.status === 'active')
      );
    case 'sold': {
      const inP = (day: string) =>
        day.slice(0, 7) >= d.fromMonth &&
        day.slice(0, 7) <= d.toMonth &&
        (!d.tiers || d.tiers.includes(tierOnDay(r, id, monthEndOf(day.slice(0, 7))) as 'gold'));
      return (
        r.accounts.some(
          (a) =>
            a.customer_id === id &&
            a.product_id === d.productId &&
            (a.kind === 'demand' || a.kind === 'card') &&
            inP(a.opened_on),
        ) ||
        r.terms.some((t) => t.customer_id === id && t.product_id === d.productId && inP(t.start_on)) ||
        r.wealth.some((h) => h.customer_id === id && h.product_id === d.productId && inP(h.purchased_on)) ||
        r.loans.some((l) => l.customer_id === id && l.product_id === d.productId && inP(l.disbursed_on))
      );
    }
    case 'maturing': {
      const until = addDays(today, d.days);
      const kinds = d.kinds ?? ['term', 'wealth', 'loan'];
      const due = (m: string | null, status: string) => status === 'active' && m != null && m >= today && m <= until;
      return (
        (kinds.includes('term') && r.terms.some((t) => t.customer_id === id && due(t.maturity_on, t.status))) ||
        (kinds.includes('wealth') && r.wealth.some((h) => h.customer_id === id && due(h.maturity_on, h.status))) ||
        (kinds.includes('loan') && r.loans.some((l) => l.customer_id === id && due(l.maturity_on, l.status)))
      );
    }
    case 'tierChange': {
      const lo = addDays(d.from, 1);
      const hi = addDays(d.to, 1);
      const mine = r.tierChanges
        .filter((x) => x.customer_id === id && x.changed_at >= lo && x.changed_at < hi)
        .sort((a, b) => a.changed_at.localeCompare(b.changed_at) || a.id - b.id);
      if (!mine.length) return false;
      return (mine[0]!.from_tier || 'none') === d.fromTier && (mine[mine.length - 1]!.to_tier || 'none') === d.toTier;
    }
    case 'tierRun':
      return r.tierChanges.some((x) => x.customer_id === id && x.model_version === d.version && x.changed_at === d.at);
  }
}

export { addDays, weekday };
