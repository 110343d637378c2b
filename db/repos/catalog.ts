import type { Database } from 'better-sqlite3';
import { all, placeholders, query } from '../sql';

/**
 * Reference data the pickers and filters offer: products, branches and staff. No customer data, so no
 * data scope; callers pass the branch ids their own scope allows (db/scope.ts) where that matters.
 */

export interface ProductRow {
  id: number;
  code: string;
  name: string;
  category: string;
}

export interface BranchRow {
  id: number;
  name: string;
}

export interface StaffRow {
  id: number;
  name: string;
  branchId: number;
}

const PRODUCTS = query<[], ProductRow>('SELECT id, code, name, category FROM products ORDER BY code');
const PRODUCTS_ON_SALE = query<[], ProductRow>(
  `SELECT id, code, name, category FROM products WHERE status = 'on_sale' ORDER BY category, code`,
);
const STAFF_BY_ID = query<[id: number], StaffRow>('SELECT id, name, branch_id AS branchId FROM staff WHERE id = ?');

/** Every product, on sale or not (reports cover products no longer sold). */
export const allProducts = (db: Database): ProductRow[] => PRODUCTS.all(db);

/** Products on sale, by category: what a referral can be won with. */
export const productsOnSale = (db: Database): ProductRow[] => PRODUCTS_ON_SALE.all(db);

/** These branches, in their code order. */
export function branchesByIds(db: Database, ids: readonly number[]): BranchRow[] {
  if (ids.length === 0) return [];
  return all<BranchRow>(db, `SELECT id, name FROM branches WHERE id IN (${placeholders(ids)}) ORDER BY code`, ...ids);
}

/** One staff member as a list (empty when there is none with that id). */
export const staffById = (db: Database, id: number): StaffRow[] => STAFF_BY_ID.all(db, id);

/** Customer managers (by position) of these branches, in employee-number order. */
export function managersOfBranches(db: Database, branchIds: readonly number[]): StaffRow[] {
  if (branchIds.length === 0) return [];
  return all<StaffRow>(
    db,
    `SELECT id, name, branch_id AS branchId FROM staff WHERE position = 'manager' AND branch_id IN (${placeholders(branchIds)}) ORDER BY employee_no`,
    ...branchIds,
  );
}

/** Active customer managers of these branches, in employee-number order: who an opportunity may be given to. */
export function activeManagersOf(db: Database, branchIds: readonly number[]): { staffId: number; name: string }[] {
  if (branchIds.length === 0) return [];
  return all<{ staffId: number; name: string }>(
    db,
    `SELECT id AS staffId, name FROM staff WHERE position = 'manager' AND active = 1 AND branch_id IN (${placeholders(branchIds)}) ORDER BY employee_no`,
    ...branchIds,
  );
}
