/**
 * After-import step 'lab-scores': every active lab version scored again on the book as it now stands
 * (features as of the latest month end the balances allow, as activation does), so the grid's 流失风险组
 * column, the 360 and the next-product seam read groups of the new data. The features are read once, in
 * one read transaction (a consistent snapshot: an import committing meanwhile is not half in it), block
 * by block of the book (main/lab/score.ts scoreBookBlocks: one block's features held at a time), and
 * every version is scored from each block before the next is read. Each version's rows are written as a new run
 * (main/lab/runs.ts): batches of 2,500 customers in short transactions, invisible until one last small
 * transaction makes the run current, so readers see the old scores or the new ones, never a mix, and
 * the app's own writes wait at most one batch. Nothing active: one query and done. At start-up only
 * versions scored on an earlier month end than the data allow are redone (imports and reverts always
 * redo them: the same month's data may have changed).
 */
import type { Database } from 'better-sqlite3';
import { balanceHistory } from '../../db/lab/history';
import type { LabTarget } from '../../shared/lab';
import { type RunOptions, type RunStats, writeRun } from './runs';
import { type Scored, scoreBookBlocks } from './score';

export interface RescoreOptions {
  reason: 'import' | 'revert' | 'startup' | 'retier' | 'settings';
  /** ISO timestamp stored as the versions' scoring time. */
  at?: string;
  /** Customers per write transaction (default BATCH, 2,500). */
  batch?: number;
  /** Customers per scoring block (default SCORE_BLOCK, 100,000). */
  block?: number;
  /** After each committed write transaction (tests read from another connection here). */
  afterCommit?: (version: number, phase: Parameters<NonNullable<RunOptions['afterCommit']>>[0]) => void;
}

export type RescoreResult = { version: number; customers: number } & Omit<RunStats, 'customers'>;

/** Re-scores the active versions; returns the versions redone with their customer counts and write figures. */
export function rescoreActive(db: Database, opts: RescoreOptions): RescoreResult[] {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lab_active'`).get();
  if (!has) return [];
  const active = db
    .prepare(
      `SELECT a.target_key AS key, a.version, m.model, m.target, m.scored_on AS scoredOn
       FROM lab_active a JOIN lab_models m ON m.version = a.version ORDER BY a.version`,
    )
    .all() as { key: string; version: number; model: string; target: string; scoredOn: string | null }[];
  if (active.length === 0) return [];
  const at = opts.at ?? new Date().toISOString();
  // One snapshot: the month end and every feature read in a single read transaction (WAL: later
  // commits are not seen by it), unless the caller already holds one.
  let on: string | null = null;
  let todo: typeof active = [];
  let scored: Scored[] = [];
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  try {
    on = balanceHistory(db).to;
    const due = on && (opts.reason !== 'startup' || active.some((a) => a.scoredOn !== on));
    if (on && due) {
      todo = opts.reason === 'startup' ? active.filter((a) => a.scoredOn !== on) : active;
      // Every version's scores block by block of the book (one block's features held at a time).
      scored = scoreBookBlocks(
        db,
        todo.map((a) => ({ modelText: a.model, target: JSON.parse(a.target) as LabTarget })),
        on,
        opts.block,
      );
    }
  } finally {
    if (own) db.exec('COMMIT');
  }
  if (!on || !scored.length) return [];
  const out: RescoreResult[] = [];
  todo.forEach((a, x) => {
    const { customers, ...stats } = writeRun(db, scored[x]!, {
      version: a.version,
      on: on!,
      at,
      share: true,
      ...(opts.batch ? { batch: opts.batch } : {}),
      ...(opts.afterCommit ? { afterCommit: (phase) => opts.afterCommit!(a.version, phase) } : {}),
    });
    out.push({ version: a.version, customers, ...stats });
  });
  return out;
}
