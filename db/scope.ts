import type { Database } from 'better-sqlite3';
import { AppError } from '../shared/errors';
import type { Role } from '../shared/permissions';
import { scopeRuleFor } from '../shared/scope-rules';
import { first, query } from './sql';

/**
 * Data scope: which customers a caller may see, as a SQL condition over the alias `c` (customers)
 * plus its parameters. Built only here, from the signed-in user's stored attributes, never from
 * request input. Every customer query in db/repos takes a Scope and ANDs it into its WHERE clause,
 * so a manager cannot reach another manager's customer by id, by search or by count.
 */
export interface Scope {
  readonly kind: 'branch' | 'manager' | 'none';
  readonly sql: string;
  readonly params: readonly (string | number)[];
  /** Identifiers (ID number, phones) leave the main process masked unless explicitly revealed. */
  readonly masked: true;
  /** Structured form of the same scope, for reading maintained summaries instead of customer rows. */
  readonly branchIds?: readonly number[];
  readonly staffId?: number;
  readonly today?: string;
}

export interface ScopeSubject {
  role: Role;
  staffId: number | null;
  branchId: number | null;
}

const NONE: Scope = { kind: 'none', sql: '0', params: [], masked: true };

/** The branch and every outlet under it (branches form a shallow tree). */
const BRANCH_TREE = query<[branchId: number], { id: number }>(
  `WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT b.id FROM branches b JOIN tree t ON b.parent_id = t.id)
   SELECT id FROM tree ORDER BY id`,
);
const ROOT_BRANCH = query<[branchId: number], { id: number }>(
  `WITH RECURSIVE up(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM branches WHERE id = ?
     UNION ALL SELECT b.id, b.parent_id, up.depth + 1 FROM branches b JOIN up ON b.id = up.parent_id WHERE up.depth < 16)
   SELECT id FROM up WHERE parent_id IS NULL`,
);

export function branchTree(db: Database, branchId: number): number[] {
  return BRANCH_TREE.all(db, branchId).map((r) => r.id);
}

/** The top-level branch above an outlet (itself when it has no parent). */
export function rootBranch(db: Database, branchId: number): number {
  return ROOT_BRANCH.get(db, branchId)?.id ?? branchId;
}

/**
 * The customer (their name) when the scope reaches them, else NOT_FOUND: a customer out of scope and
 * one that does not exist look the same, so ids cannot be probed.
 */
export function customerInScope(db: Database, scope: Scope, customerId: number): { name: string } {
  const c = first<{ name: string }>(
    db,
    `SELECT c.name FROM customers c WHERE c.id = ? AND ${scope.sql}`,
    customerId,
    ...scope.params,
  );
  if (!c) throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
  return c;
}

export function scopeFor(db: Database, who: ScopeSubject, today: string): Scope {
  // Which customers a role reaches is declared once in shared/scope-rules.ts, for this store's SQL here
  // and for the hub's pull scope (shared/sync/read-rules.ts).
  const rule = scopeRuleFor(who.role);
  switch (rule.kind) {
    case 'branch': {
      // The president sees their branch and its outlets. A teller at any outlet serves any customer
      // of the whole branch, so look-ups start from the top of the tree (tellers have no list
      // permission, and their results are always masked).
      if (who.branchId == null) return NONE;
      const ids = branchTree(db, rule.from === 'root' ? rootBranch(db, who.branchId) : who.branchId);
      // '+' keeps SQLite from driving a query from the branch index: a branch holds most of the book,
      // so a look-up must start from its own index (last digits, name, number) and only test the
      // branch; with sampled statistics the planner otherwise walked every customer of the branch
      // for a quick search (seconds on a million customers).
      return {
        kind: 'branch',
        sql: `+c.branch_id IN (${ids.map(() => '?').join(',')})`,
        params: ids,
        masked: true,
        branchIds: ids,
      };
    }
    case 'manager': {
      if (who.staffId == null) return NONE;
      return {
        kind: 'manager',
        // A set of ids from two indexes (customers_manager, customer_grants' unique key) rather than
        // an OR, which would make SQLite test every one of a million customers.
        sql: `c.id IN (SELECT id FROM customers WHERE manager_staff_id = ?
                UNION SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?))`,
        params: [who.staffId, who.staffId, today],
        masked: true,
        staffId: who.staffId,
        today,
      };
    }
    default: // the administrator sees no customer
      return NONE;
  }
}
