/**
 * The active churn model's ten groups over the customers in the caller's scope (the desktop's 模型评分分布
 * widget and its drills). One grouped pass: lab_active by its key, lab_scores by its primary key
 * (version, customer), the customers through the scope's own SQL (db/scope.ts). Group 1 is the tenth most
 * likely to leave; customers the model did not score are not counted (the grid shows them without a group).
 */
import type { Database } from 'better-sqlite3';
import type { Scope } from '../scope';

export interface ActiveModel {
  version: number;
  learner: 'logistic' | 'boosted';
  /** The month end whose features it last scored (null: not scored yet). */
  scoredOn: string | null;
}

/** The model the grid's churnGroup field reads (db/customer-field-sql.ts): the active one for 'churn'. */
export const CHURN_TARGET_KEY = 'churn';

export function activeModel(db: Database, targetKey: string): ActiveModel | null {
  const row = db
    .prepare(
      `SELECT m.version, m.learner, m.scored_on AS scoredOn FROM lab_active a JOIN lab_models m ON m.version = a.version
        WHERE a.target_key = ?`,
    )
    .get(targetKey) as ActiveModel | undefined;
  return row ?? null;
}

/** Customers in scope per group 1..10 of a version (every group present, zero when empty). */
export function groupCounts(db: Database, scope: Scope, version: number): number[] {
  const rows = db
    .prepare(
      `SELECT s.decile AS g, COUNT(*) AS n FROM customers c JOIN lab_scores s ON s.version = ? AND s.customer_id = c.id
        WHERE ${scope.sql} GROUP BY s.decile`,
    )
    .all(version, ...scope.params) as { g: number; n: number }[];
  const out = new Array<number>(10).fill(0);
  for (const r of rows) out[r.g - 1] = r.n;
  return out;
}
