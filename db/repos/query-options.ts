import type { Database } from 'better-sqlite3';
import type { Scope } from '../scope';
import { all, placeholders, query } from '../sql';

/**
 * The names behind 高级查询's pickers (managers, outlets, products). A branch scope lists its tree's
 * outlets and their managers from the small staff and branch tables; a manager's scope lists the
 * managers and outlets of the customers it actually reaches (their book and grants: a few thousand
 * rows through the scope's own indexes), so a manager is never offered another book's people.
 */

export interface PickManagerRow {
  id: number;
  name: string;
  branchName: string;
  active: number;
}
export interface PickBranchRow {
  id: number;
  name: string;
}
export interface PickProductRow {
  code: string;
  name: string;
  category: string;
}

const PRODUCTS = query<[], PickProductRow>('SELECT code, name, category FROM products ORDER BY category, code');

export function queryPickManagers(db: Database, scope: Scope): PickManagerRow[] {
  if (scope.kind === 'none') return [];
  if (scope.kind === 'branch') {
    const ids = scope.branchIds ?? [];
    if (ids.length === 0) return [];
    return all<PickManagerRow>(
      db,
      `SELECT s.id, s.name, b.name AS branchName, s.active FROM staff s JOIN branches b ON b.id = s.branch_id
       WHERE s.position = 'manager' AND s.branch_id IN (${placeholders(ids)}) ORDER BY s.active DESC, s.employee_no`,
      ...ids,
    );
  }
  return all<PickManagerRow>(
    db,
    `SELECT s.id, s.name, b.name AS branchName, s.active FROM staff s JOIN branches b ON b.id = s.branch_id
     WHERE s.id IN (SELECT DISTINCT c.manager_staff_id FROM customers c WHERE ${scope.sql} AND c.manager_staff_id IS NOT NULL)
     ORDER BY s.active DESC, s.employee_no`,
    ...scope.params,
  );
}

export function queryPickBranches(db: Database, scope: Scope): PickBranchRow[] {
  if (scope.kind === 'none') return [];
  if (scope.kind === 'branch') {
    const ids = scope.branchIds ?? [];
    if (ids.length === 0) return [];
    return all<PickBranchRow>(
      db,
      `SELECT id, name FROM branches WHERE id IN (${placeholders(ids)}) ORDER BY code`,
      ...ids,
    );
  }
  return all<PickBranchRow>(
    db,
    `SELECT id, name FROM branches WHERE id IN (SELECT DISTINCT c.branch_id FROM customers c WHERE ${scope.sql}) ORDER BY code`,
    ...scope.params,
  );
}

export const queryPickProducts = (db: Database): PickProductRow[] => PRODUCTS.all(db);
