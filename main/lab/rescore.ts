/**
 * After-import step 'lab-scores': every active lab version scored again on the book as it now stands
 * (features as of the latest month end the balances allow, as activation does), so the grid's 流失风险组
 * column, the 360 and the next-product seam read groups of the new data. Each version's rows are
 * replaced in one transaction (readers see the old scores or the new ones, never a mix). Nothing active:
 * one query and done. At start-up only versions scored on an earlier month end than the data allow are
 * redone (imports and reverts always redo them: the same month's data may have changed).
 */
import type { Database } from 'better-sqlite3';
import type { Snapshot } from '../../db/lab/features';
import { computeFeatures } from '../../db/lab/features';
import { balanceHistory } from '../../db/lab/history';
import type { LabTarget } from '../../shared/lab';
import { scoreBook } from './score';

export interface RescoreOptions {
  reason: 'import' | 'revert' | 'startup' | 'retier' | 'settings';
  /** ISO timestamp stored as the versions' scoring time. */
  at?: string;
}

/** Re-scores the active versions; returns the versions redone with their customer counts. */
export function rescoreActive(db: Database, opts: RescoreOptions): { version: number; customers: number }[] {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lab_active'`).get();
  if (!has) return [];
  const active = db
    .prepare(
      `SELECT a.target_key AS key, a.version, m.model, m.target, m.scored_on AS scoredOn
       FROM lab_active a JOIN lab_models m ON m.version = a.version ORDER BY a.version`,
    )
    .all() as { key: string; version: number; model: string; target: string; scoredOn: string | null }[];
  if (active.length === 0) return [];
  const on = balanceHistory(db).to;
  if (!on) return [];
  const todo = opts.reason === 'startup' ? active.filter((a) => a.scoredOn !== on) : active;
  if (todo.length === 0) return [];
  const at = opts.at ?? new Date().toISOString();
  let snap: Snapshot | undefined;
  const del = db.prepare('DELETE FROM lab_scores WHERE version = ?');
  const ins = db.prepare(
    'INSERT INTO lab_scores (version, customer_id, score, decile, factors) VALUES (?, ?, ?, ?, ?)',
  );
  const mark = db.prepare('UPDATE lab_models SET scored_at = ?, scored_on = ?, scored_customers = ? WHERE version = ?');
  const out: { version: number; customers: number }[] = [];
  for (const a of todo) {
    snap ??= computeFeatures(db, on);
    const s = scoreBook(db, a.model, JSON.parse(a.target) as LabTarget, on, snap);
    const n = s.ids.length;
    db.transaction(() => {
      del.run(a.version);
      for (let k = 0; k < n; k++) ins.run(a.version, s.ids[k]!, s.scores[k]!, s.deciles[k]!, s.factorAt(k));
      mark.run(at, on, n, a.version);
    })();
    out.push({ version: a.version, customers: n });
  }
  return out;
}
