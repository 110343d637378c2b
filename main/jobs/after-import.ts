import type { Database } from 'better-sqlite3';
import { log } from '../log';
import { runRules } from '../../db/relationship/rules';
import { generateReminders } from '../../db/relationship/reminder-rules';
import { computeScores } from '../../db/scores/compute';
import { runNextProduct } from '../../db/analytics/next-product';
import { labRanker } from '../../db/analytics/lab-ranker';
import { runRisk } from '../../db/analytics/risk';
import { rescoreActive } from '../lab/rescore';

/**
 * Work that follows the data: reminders to generate, opportunity rules to evaluate. Each step runs on
 * the process that owns the store after an import job commits (window or command line), after a revert,
 * after re-tiering, and once at start-up, so a scheduled night load is followed by the morning's reminders without anyone
 * at the desk. Steps must be idempotent (never create the same reminder or opportunity twice) and do
 * their own writing in one transaction each; one failing step is logged and does not stop the others.
 *
 * Features register their step in STEPS below (one line each), in the order they must run.
 */
export interface AfterImportContext {
  /** Today's business date (Asia/Shanghai), YYYY-MM-DD. */
  today: string;
  /** Why the steps run now ('settings': a feature's parameters were saved and only its steps rerun). */
  reason: 'import' | 'revert' | 'startup' | 'retier' | 'settings';
  /** The committed (or reverted) job, when there is one. */
  jobId: number | null;
  /** Only these steps (by name, in STEPS' order); absent: every step. */
  only?: readonly string[];
}

export interface AfterImportStep {
  name: string;
  run(db: Database, ctx: AfterImportContext): void;
}

const STEPS: AfterImportStep[] = [
  // Planner statistics: a table never analysed (every table of a store loaded by imports) or whose size
  // changed tenfold gets a sampled ANALYZE (PRAGMA optimize sets its own analysis limit); otherwise it
  // does nothing. Measured: 1.1 s the first time on a 1M-customer store, then 0 s. First, so the steps
  // after it plan with them. `main` only: statistics of temp tables (temp.sqlite_stat1) would block
  // this connection's checkpoints (db/reporting/maintain.ts).
  { name: 'statistics', run: (db) => void db.pragma('main.optimize = 0x10002') },
  // 客户评分 (contribution, loyalty, CLV, points): incremental unless a revert, a new month or new parameters
  {
    name: 'scores',
    run: (db, ctx) =>
      void computeScores(db, { today: ctx.today, full: ctx.reason === 'revert', clvAll: ctx.reason === 'retier' }),
  },
  { name: 'opportunity-rules', run: (db, ctx) => void runRules(db, ctx.today) },
  // 模型实验室: active lab versions scored again on the new book (before next-product, which ranks with them)
  { name: 'lab-scores', run: (db, ctx) => void rescoreActive(db, { reason: ctx.reason }) },
  // 客户产品匹配: rules mined again, offers rewritten only for customers whose holdings or ranking changed;
  // the model lab's active take-up models rank alongside the rules
  { name: 'next-product', run: (db, ctx) => void runNextProduct(db, { today: ctx.today, rankers: [labRanker()] }) },
  // 风险预警: signals and ratings before the reminders, so a new signal reminds in the same run
  { name: 'risk', run: (db, ctx) => void runRisk(db, { today: ctx.today }) },
  { name: 'reminders', run: (db, ctx) => void generateReminders(db, { today: ctx.today, reason: ctx.reason }) },
];

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export function runAfterImport(
  db: Database,
  ctx: AfterImportContext,
  steps: readonly AfterImportStep[] = STEPS,
  /** Before each step (the worker waits there for a quiet moment of the window's, issue 18.1). */
  before?: () => void,
): StepResult[] {
  const results: StepResult[] = [];
  for (const step of steps) {
    if (ctx.only && !ctx.only.includes(step.name)) continue;
    before?.();
    const t0 = performance.now();
    try {
      step.run(db, ctx);
      results.push({ name: step.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      // error, not warn (kept when CRM_LOG=silent): `crm import` sends the administrator to the log for it
      log.error('after-import step failed', {
        step: step.name,
        reason: ctx.reason,
        jobId: ctx.jobId,
        error,
        stack: e instanceof Error ? e.stack : undefined,
      });
      results.push({ name: step.name, ok: false, ms: Math.round(performance.now() - t0), error });
    }
  }
  return results;
}
