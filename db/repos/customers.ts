import type { Database } from 'better-sqlite3';
import type { CustomerKind, CustomerStatus, Gender } from '../../shared/customer-fields';
import { maskIdNo, maskPhone } from '../../shared/mask';
import type { Scope } from '../scope';

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

export type SearchKind = 'id_no' | 'mobile_or_no' | 'customer_no' | 'digits' | 'initials' | 'name';

/** Decides what a quick-search string most likely is; each kind maps to an index-backed predicate. */
export function classifySearch(raw: string): { kind: SearchKind; q: string } {
  const q = raw.replace(/\s+/g, '');
  if (/^\d{17}[\dXx]$/.test(q)) return { kind: 'id_no', q: q.toUpperCase() };
  if (/^1\d{10}$/.test(q)) return { kind: 'mobile_or_no', q };
  if (/^\d{10}$/.test(q)) return { kind: 'customer_no', q };
  if (/^\d+$/.test(q)) return { kind: 'digits', q };
  if (/^[A-Za-z]+$/.test(q)) return { kind: 'initials', q: q.toLowerCase() };
  return { kind: 'name', q };
}

/** The quick-search predicate for one typed string (index-backed where the kind allows). */
export function searchPredicate(raw: string): { sql: string; params: (string | number)[] } {
  const { kind, q } = classifySearch(raw);
  switch (kind) {
    case 'id_no':
      return { sql: 'c.id_no = ?', params: [q] };
    case 'mobile_or_no':
      return { sql: '(c.mobile = ? OR c.customer_no = ?)', params: [q, q] };
    case 'customer_no':
      return { sql: 'c.customer_no = ?', params: [q] };
    case 'digits':
      return q.length >= 4
        ? {
            // Short digit strings: a customer-number prefix, or the last digits of an ID or mobile (what a
            // customer reads out at the counter): through the last-four-digits indexes, then the full suffix.
            sql: `((c.customer_no >= ? AND c.customer_no < ?) OR (substr(c.mobile, -4) = ? AND c.mobile LIKE ?) OR (substr(c.id_no, -4) = ? AND c.id_no LIKE ?))`,
            params: [q, prefixEnd(q), q.slice(-4), `%${q}`, q.slice(-4), `%${q}`],
          }
        : { sql: '(c.customer_no >= ? AND c.customer_no < ?)', params: [q, prefixEnd(q)] };
    case 'initials':
      return { sql: '(c.name_initials >= ? AND c.name_initials < ?)', params: [q, prefixEnd(q)] };
    default: // 'name'
      return { sql: '(c.name >= ? AND c.name < ?)', params: [q, prefixEnd(q)] };
  }
}

export function customersRepo(db: Database) {
  return {
    search(scope: Scope, raw: string, limit: number): CustomerListRow[] {
      const { q, kind } = classifySearch(raw);
      const { sql: predicate, params } = searchPredicate(raw);
      // Exact hits first, then the biggest customers; except for a lone surname (the first key
      // stroke), where ranking every 王 of the book by AUM would cost a second: name order is the index's.
      const order =
        kind === 'name' && [...q].length < 2
          ? 'c.name, c.id'
          : '(c.name = ? OR c.customer_no = ?) DESC, c.aum_fen DESC, c.id';
      const rows = db
        .prepare(`SELECT ${LIST_COLUMNS} ${FROM} WHERE ${predicate} AND ${scope.sql} ORDER BY ${order} LIMIT ?`)
        .all(...params, ...scope.params, ...(order.startsWith('(') ? [q, q] : []), limit) as CustomerListRow[];
      return rows.map(masked);
    },

    get(scope: Scope, id: number): (CustomerDetailRow & { tags: string[] }) | undefined {
      const row = db
        .prepare(
          `SELECT ${LIST_COLUMNS}, c.gender, c.birth_date, c.address, c.email, c.occupation, c.opened_on,
                  c.wealth_fen, c.last_txn_on, c.phone
           ${FROM} WHERE c.id = ? AND ${scope.sql}`,
        )
        .get(id, ...scope.params) as CustomerDetailRow | undefined;
      if (!row) return undefined;
      const tags = (
        db
          .prepare(
            'SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = ? ORDER BY t.name',
          )
          .all(id) as { name: string }[]
      ).map((t) => t.name);
      return { ...masked(row), phone: maskPhone(row.phone), tags };
    },

    /** Unmasked identifiers of one customer in scope; the caller audits the reveal. */
    reveal(
      scope: Scope,
      id: number,
    ): { id: number; id_no: string | null; mobile: string | null; phone: string | null } | undefined {
      return db
        .prepare(`SELECT c.id, c.id_no, c.mobile, c.phone FROM customers c WHERE c.id = ? AND ${scope.sql}`)
        .get(id, ...scope.params) as
        | { id: number; id_no: string | null; mobile: string | null; phone: string | null }
        | undefined;
    },

    list(scope: Scope, opts: { offset: number; limit: number; tier?: string | undefined }): CustomerListRow[] {
      const tierSql = opts.tier ? 'AND c.tier = ?' : '';
      const tierParams = opts.tier ? [opts.tier] : [];
      const rows = db
        .prepare(
          `SELECT ${LIST_COLUMNS} ${FROM} WHERE ${scope.sql} ${tierSql}
           ORDER BY c.aum_fen DESC, c.id LIMIT ? OFFSET ?`,
        )
        .all(...scope.params, ...tierParams, opts.limit, opts.offset) as CustomerListRow[];
      return rows.map(masked);
    },

    count(scope: Scope, opts: { tier?: string | undefined } = {}): number {
      const tierSql = opts.tier ? 'AND c.tier = ?' : '';
      const tierParams = opts.tier ? [opts.tier] : [];
      const r = db
        .prepare(`SELECT COUNT(*) AS n FROM customers c WHERE ${scope.sql} ${tierSql}`)
        .get(...scope.params, ...tierParams) as { n: number };
      return r.n;
    },
  };
}
export type CustomersRepo = ReturnType<typeof customersRepo>;
