/**
 * What the lab's worker does besides training: writing a version's scores, counting each target's
 * customers at the default cut-off, and monitoring (the outcomes realised since a scoring run against
 * the scores it gave). Messages between the worker and the service are typed here.
 */
import type { Database } from 'better-sqlite3';
import { computeFeatures, computeTarget, rowLookup } from '../../db/lab/features';
import { balanceHistory, cutoffRange, dayOf, monthEnd } from '../../db/lab/history';
import type { LabMonitoring } from '../../shared/api/lab';
import { LAB_PRODUCT_CATEGORIES, type LabTarget, targetKey } from '../../shared/lab';
import { auc } from '../models/metrics';
import { dropEarlierRuns, type RunStats, writeRun } from './runs';
import { type Scored, scoreBook, scoreBookBlocks } from './score';
import type { Progress, TrainParams, TrainResult } from './train';

export type LabWorkerInput =
  | { kind: 'train'; dbPath: string; params: TrainParams }
  | {
      kind: 'score';
      dbPath: string;
      version: number;
      key: string;
      modelText: string;
      target: LabTarget;
      on: string;
      at: string;
      /** Customers per scoring block (default SCORE_BLOCK, 100,000). */
      block?: number;
    }
  | { kind: 'count'; dbPath: string }
  | {
      kind: 'monitor';
      dbPath: string;
      version: number;
      key: string;
      target: LabTarget;
      outcomeMonths: number;
      /** The activation's time and month end (the scores monitored are the model's at that month end). */
      scoredAt: string | null;
      scoredOn: string | null;
      modelText: string;
    };

export interface TargetCount {
  key: string;
  eligible: number;
  positives: number;
}

export type LabWorkerResult =
  | { kind: 'train'; result: TrainResult }
  | { kind: 'score'; customers: number; run: RunStats }
  | { kind: 'count'; counts: TargetCount[] }
  | { kind: 'monitor'; monitoring: LabMonitoring };

export type LabWorkerMessage =
  | { type: 'progress'; step: string; done: number; total: number }
  /** A scoring job's run number, before its first row is written (the service drops the run if stopped). */
  | { type: 'run'; run: number }
  | { type: 'done'; result: LabWorkerResult }
  | { type: 'failed'; code: string; details: Record<string, unknown>; message?: string };

/** Every target the lab offers, with its default parameters. */
export function allTargets(): LabTarget[] {
  return [
    { kind: 'churn', dropShare: 0.5, minBalance: 1000 },
    { kind: 'loan' },
    { kind: 'wealth' },
    ...LAB_PRODUCT_CATEGORIES.map((category) => ({ kind: 'product' as const, category })),
  ];
}

/**
 * Scores every eligible customer at `on` and writes the rows as a new run of the version (main/lab/runs.ts:
 * batches of BATCH (2,500) customers, each its own short transaction, invisible until the last one moves the
 * version's pointer to them), making the version the active one for its target in that same last
 * transaction. An earlier run of the version stays what readers see until then; its rows are deleted by
 * `cleanup`, which the worker calls after it has reported the job done (the activation's time is the
 * scores', and re-activating a version costs no more than activating it).
 */
export function writeScores(
  read: Database,
  write: Database,
  input: Extract<LabWorkerInput, { kind: 'score' }>,
  progress: Progress,
  onRun?: (run: number) => void,
): { stats: RunStats; cleanup: () => void } {
  progress('features', 0, 3);
  // One read transaction: every feature from the same book, whatever commits meanwhile.
  read.exec('BEGIN');
  let s: Scored;
  try {
    // Block by block of the book (the features of one block at a time), all in this one transaction.
    s = scoreBookBlocks(read, [{ modelText: input.modelText, target: input.target }], input.on, input.block)[0]!;
  } finally {
    read.exec('COMMIT');
  }
  progress('scoring', 1, 3);
  const stats = writeRun(write, s, {
    version: input.version,
    on: input.on,
    at: input.at,
    cleanup: 'later',
    ...(onRun ? { onRun } : {}),
    finish: (db) => {
      db.prepare(
        `INSERT INTO lab_active (target_key, version) VALUES (?, ?) ON CONFLICT(target_key) DO UPDATE SET version = excluded.version`,
      ).run(input.key, input.version);
      db.prepare('UPDATE lab_models SET activated_at = ?, activated_on = ? WHERE version = ?').run(
        input.at,
        input.on,
        input.version,
      );
    },
    afterCommit: (phase, done, total) => {
      if (phase === 'rows') progress('saving', 2 + done / Math.max(1, total), 3);
    },
  });
  const cleanup = () =>
    dropEarlierRuns(write, { version: input.version, run: stats.run, current: stats.current, ids: s.ids, share: true });
  return { stats, cleanup };
}

/** Eligible customers and outcomes per target at the latest cut-off of a three-month window. */
export function countTargets(db: Database): TargetCount[] {
  const h = balanceHistory(db);
  const range = cutoffRange(h, 3);
  if (!range.latest) return allTargets().map((t) => ({ key: targetKey(t), eligible: 0, positives: 0 }));
  const snap = computeFeatures(db, range.latest);
  const end = monthEnd(range.latest, 3);
  const targets = allTargets();
  return targets.map((t, i) => {
    const { eligible, y } = computeTarget(db, snap, t, end, i < targets.length - 1);
    let e = 0;
    let p = 0;
    for (let i = 0; i < eligible.length; i++) {
      e += eligible[i]!;
      p += y[i]!;
    }
    return { key: targetKey(t), eligible: e, positives: p };
  });
}

/** Past scores of a version against what has happened since its scoring date, per decile. */
export function monitor(db: Database, input: Extract<LabWorkerInput, { kind: 'monitor' }>): LabMonitoring {
  const h = balanceHistory(db);
  const on = input.scoredOn;
  // The scores the activation gave: the model at its month end (lab_scores hold the latest re-score).
  const snapOn = on ? computeFeatures(db, on) : null;
  const rows: [number, number, number][] = [];
  if (on && snapOn) {
    const sc = scoreBook(db, input.modelText, input.target, on, snapOn);
    for (let k = 0; k < sc.ids.length; k++) rows.push([sc.ids[k]!, sc.scores[k]!, sc.deciles[k]!]);
    rows.sort((a, b) => a[0] - b[0]);
  }
  const windowEnd = on ? monthEnd(on, input.outcomeMonths) : null;
  const observedTo = h.to;
  const end = on && windowEnd && observedTo ? [observedTo, windowEnd].sort()[0]! : null;
  const realised = new Uint8Array(rows.length);
  let elapsed = 0;
  if (on && end && end > on) {
    elapsed = Math.min(1, (dayOf(end) - dayOf(on)) / (dayOf(windowEnd!) - dayOf(on)));
    const snap = snapOn!;
    const { y } = computeTarget(db, snap, input.target, end);
    const rowOf = rowLookup(snap.ids);
    rows.forEach(([id], k) => {
      const r = rowOf(id);
      realised[k] = r >= 0 ? y[r]! : 0;
    });
  }
  const groups = Array.from({ length: 10 }, (_, g) => ({
    group: g + 1,
    customers: 0,
    realised: 0,
    rate: 0,
    predicted: 0,
  }));
  rows.forEach(([, score, decile], k) => {
    const g = groups[decile - 1]!;
    g.customers++;
    g.realised += realised[k]!;
    g.predicted += score;
  });
  for (const g of groups) {
    g.rate = g.customers ? g.realised / g.customers : 0;
    g.predicted = g.customers ? g.predicted / g.customers : 0;
  }
  let a: number | null = null;
  if (elapsed > 0) {
    const v = auc(
      Float64Array.from(rows, (r) => r[1]),
      realised,
    );
    a = Number.isNaN(v) ? null : v;
  }
  return {
    version: input.version,
    key: input.key,
    scoredAt: input.scoredAt,
    scoredOn: on,
    windowEnd,
    observedTo,
    elapsed,
    groups,
    realisedAuc: a,
  };
}
