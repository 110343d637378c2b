import type { Database } from 'better-sqlite3';
import type { CustomerKind, CustomerStatus, Gender } from '../../shared/customer-fields';
import { maskIdNo, maskPhone } from '../../shared/mask';
import type { Scope } from '../scope';
import { all, first, query } from '../sql';

export interface CustomerListRow {
  id: number;
  customer_no: string;
  kind: CustomerKind;
  name: string;
  id_type: string;
  id_no: string | null;
  mobile: string | null;
  tier: string | null;
  status: CustomerStatus;
  branch_name: string;
  manager_name: string | null;
  aum_fen: number;
  deposit_fen: number;
  loan_fen: number;
}

export interface CustomerDetailRow extends CustomerListRow {
  gender: Gender | null;
  birth_date: string | null;
  address: string | null;
  email: string | null;
  occupation: string | null;
  opened_on: string;
  wealth_fen: number;
  last_txn_on: string | null;
  phone: string | null;
}

const LIST_COLUMNS = `c.id, c.customer_no, c.kind, c.name, c.id_type, c.id_no, c.mobile, c.tier, c.status,
  b.name AS branch_name, m.name AS manager_name, c.aum_fen, c.deposit_fen, c.loan_fen`;
// CROSS JOIN keeps customers the outer loop: joined the ordinary way, SQLite may start from the
// branch table and walk every customer of a branch through the branch index to test a predicate
// that has an index of its own (a quick search took seconds on a million customers).
const FROM = `FROM customers c CROSS JOIN branches b ON b.id = c.branch_id LEFT JOIN staff m ON m.id = c.manager_staff_id`;

/** Masks identifiers on every row that leaves the repository through a list or look-up. */
function masked<T extends { id_no: string | null; mobile: string | null }>(row: T): T {
  return { ...row, id_no: maskIdNo(row.id_no), mobile: maskPhone(row.mobile) };
}

/** Upper bound for a prefix range on an indexed TEXT column (BINARY collation). */
function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

export type SearchKind = 'id_no' | 'mobile_or_no' | 'customer_no' | 'digits' | 'id_tail' | 'initials' | 'name';

/** Decides what a quick-search string most likely is; each kind maps to an index-backed predicate. */
export function classifySearch(raw: string): { kind: SearchKind; q: string } {
  const q = raw.replace(/\s+/g, '');
  if (/^\d{17}[\dXx]$/.test(q)) return { kind: 'id_no', q: q.toUpperCase() };
  if (/^1\d{10}$/.test(q)) return { kind: 'mobile_or_no', q };
  if (/^\d{10}$/.test(q)) return { kind: 'customer_no', q };
  if (/^\d+$/.test(q)) return { kind: 'digits', q };
  // The last four of a resident ID whose check character is X, as the masked ID shows them.
  if (/^\d{3}[Xx]$/.test(q)) return { kind: 'id_tail', q: q.toUpperCase() };
  if (/^[A-Za-z]+$/.test(q)) return { kind: 'initials', q: q.toLowerCase() };
  return { kind: 'name', q };
}

/**
 * The part of a quick search that matches ID numbers or mobiles, or null when it matches none.
 *
 * A search may match an identifier only by what its masked form already shows, the last four
 * characters, or by the whole number exactly. Anything in between leaks the hidden middle: when
 * five or more trailing digits matched, a teller prefixing one digit at a time and keeping the digit
 * that still found the customer read a full ID number in about forty searches. `query` is the
 * search as the audit log may keep it (masked like the identifier it names).
 */
export function identifierPredicate(
  raw: string,
): { kind: 'id_no' | 'mobile' | 'last4'; sql: string; params: string[]; query: string } | null {
  const { kind, q } = classifySearch(raw);
  switch (kind) {
    case 'id_no':
      return { kind: 'id_no', sql: 'c.id_no = ?', params: [q], query: maskIdNo(q)! };
    case 'mobile_or_no':
      return { kind: 'mobile', sql: 'c.mobile = ?', params: [q], query: maskPhone(q)! };
    case 'digits':
      return q.length === 4
        ? {
            kind: 'last4',
            // Through the last-four-digits indexes (migration 0010).
            sql: '(substr(c.mobile, -4) = ? OR substr(c.id_no, -4) = ?)',
            params: [q, q],
            query: `****${q}`,
          }
        : null;
    case 'id_tail':
      return { kind: 'last4', sql: 'substr(c.id_no, -4) = ?', params: [q], query: `****${q}` };
    default:
      return null;
  }
}

/** The quick-search predicate for one typed string (index-backed where the kind allows). */
export function searchPredicate(raw: string): { sql: string; params: (string | number)[] } {
  const { kind, q } = classifySearch(raw);
  const ident = identifierPredicate(raw);
  switch (kind) {
    case 'id_no':
      return { sql: ident!.sql, params: ident!.params };
    case 'mobile_or_no':
      return { sql: `(${ident!.sql} OR c.customer_no = ?)`, params: [...ident!.params, q] };
    case 'customer_no':
      return { sql: 'c.customer_no = ?', params: [q] };
    case 'digits': {
      // Customer numbers are not masked: any digits match them as a prefix. ID numbers and mobiles
      // match only four digits, as their last four (what a customer reads out at the counter).
      const prefix = { sql: '(c.customer_no >= ? AND c.customer_no < ?)', params: [q, prefixEnd(q)] };
      return ident ? { sql: `(${prefix.sql} OR ${ident.sql})`, params: [...prefix.params, ...ident.params] } : prefix;
    }
    case 'id_tail':
      return { sql: ident!.sql, params: ident!.params };
    case 'initials':
      return { sql: '(c.name_initials >= ? AND c.name_initials < ?)', params: [q, prefixEnd(q)] };
    default: // 'name'
      return { sql: '(c.name >= ? AND c.name < ?)', params: [q, prefixEnd(q)] };
  }
}

type RevealRow = { id: number; id_no: string | null; mobile: string | null; phone: string | null };
const TAGS = query<[customerId: number], { name: string }>(
  'SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = ? ORDER BY t.name',
);

/** Quick search in scope (customers.search, the teller's look-up), masked. */
export function searchCustomers(db: Database, scope: Scope, raw: string, limit: number): CustomerListRow[] {
  const { q, kind } = classifySearch(raw);
  const { sql: predicate, params } = searchPredicate(raw);
  // Exact hits first, then the biggest customers; except for a lone surname (the first key
  // stroke), where ranking every 王 of the book by AUM would cost a second: name order is the index's.
  const order =
    kind === 'name' && [...q].length < 2
      ? 'c.name, c.id'
      : '(c.name = ? OR c.customer_no = ?) DESC, c.aum_fen DESC, c.id';
  return all<CustomerListRow>(
    db,
    `SELECT ${LIST_COLUMNS} ${FROM} WHERE ${predicate} AND ${scope.sql} ORDER BY ${order} LIMIT ?`,
    ...params,
    ...scope.params,
    ...(order.startsWith('(') ? [q, q] : []),
    limit,
  ).map(masked);
}

/**
 * How many customers in scope a quick search matches (the look-up shows 20 of them: "找到 1,784 位，显示前
 * 20 位"). Null for a search that reads an identifier (an ID number's or mobile's digits): those are
 * rate-limited and audited through customers.search alone, and are never counted around it.
 */
export function countSearch(db: Database, scope: Scope, raw: string): number | null {
  if (identifierPredicate(raw) !== null) return null;
  const { sql: predicate, params } = searchPredicate(raw);
  return (
    first<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM customers c WHERE ${predicate} AND ${scope.sql}`,
      ...params,
      ...scope.params,
    )?.n ?? 0
  );
}

/**
 * Customers in scope whose ID number or mobile a search matches (the identifier part only, not
 * names or customer numbers): how many, and the first `limit` ids, for the look-up's audit entry.
 */
export function customerIdentifierMatches(
  db: Database,
  scope: Scope,
  raw: string,
  limit: number,
): { count: number; ids: number[] } | null {
  const ident = identifierPredicate(raw);
  if (!ident) return null;
  const ids = all<{ id: number }>(
    db,
    `SELECT c.id FROM customers c WHERE ${ident.sql} AND ${scope.sql} ORDER BY c.id`,
    ...ident.params,
    ...scope.params,
  ).map((r) => r.id);
  return { count: ids.length, ids: ids.slice(0, limit) };
}

/** One customer in scope with its tags, masked; undefined outside the scope. */
export function customerById(
  db: Database,
  scope: Scope,
  id: number,
): (CustomerDetailRow & { tags: string[] }) | undefined {
  const row = first<CustomerDetailRow>(
    db,
    `SELECT ${LIST_COLUMNS}, c.gender, c.birth_date, c.address, c.email, c.occupation, c.opened_on,
            c.wealth_fen, c.last_txn_on, c.phone
     ${FROM} WHERE c.id = ? AND ${scope.sql}`,
    id,
    ...scope.params,
  );
  if (!row) return undefined;
  const tags = TAGS.all(db, id).map((t) => t.name);
  return { ...masked(row), phone: maskPhone(row.phone), tags };
}

/** Unmasked identifiers of one customer in scope; the caller audits the reveal. */
export function revealCustomer(db: Database, scope: Scope, id: number): RevealRow | undefined {
  return first<RevealRow>(
    db,
    `SELECT c.id, c.id_no, c.mobile, c.phone FROM customers c WHERE c.id = ? AND ${scope.sql}`,
    id,
    ...scope.params,
  );
}

/** A page of the customers in scope, biggest first, masked. */
export function listCustomers(
  db: Database,
  scope: Scope,
  opts: { offset: number; limit: number; tier?: string | undefined },
): CustomerListRow[] {
  const tierSql = opts.tier ? 'AND c.tier = ?' : '';
  const tierParams = opts.tier ? [opts.tier] : [];
  return all<CustomerListRow>(
    db,
    `SELECT ${LIST_COLUMNS} ${FROM} WHERE ${scope.sql} ${tierSql} ORDER BY c.aum_fen DESC, c.id LIMIT ? OFFSET ?`,
    ...scope.params,
    ...tierParams,
    opts.limit,
    opts.offset,
  ).map(masked);
}

export function countCustomers(db: Database, scope: Scope, opts: { tier?: string | undefined } = {}): number {
  const tierSql = opts.tier ? 'AND c.tier = ?' : '';
  const tierParams = opts.tier ? [opts.tier] : [];
  return (
    first<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM customers c WHERE ${scope.sql} ${tierSql}`,
      ...scope.params,
      ...tierParams,
    )?.n ?? 0
  );
}
