/**
 * The model lab's service: jobs (training, scoring) in a worker thread with progress and cancel, one at
 * a time; versions stored insert-only (lab_models); activation scores the book and flips the active
 * pointer; per-customer reads and pushes run in the caller's data scope.
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { createOpportunity } from '../../db/relationship/opportunities';
import { createCampaign } from '../../db/relationship/campaigns';
import { balanceHistory, cutoffRange } from '../../db/lab/history';
import { customerInScope } from '../../db/scope';
import { syncActor } from '../../db/sync/actor';
import { shareNewCampaign } from '../../db/sync/campaigns';
import { shareDerivedOpportunities, shareOpportunity } from '../../db/sync/opportunities';
import type {
  Input,
  LabCustomerScore,
  LabJobState,
  LabMonitoring,
  LabPushResult,
  LabScoreRow,
  LabTargets,
  LabVersionDetail,
  LabVersionSummary,
  OpportunityProduct,
} from '../../shared/api';
import { labTargetSchema } from '../../shared/api/lab';
import { AppError, ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { type LabFactor, type LabTarget, targetKey } from '../../shared/lab';
import type { AuthedCtx } from '../handlers/types';
import { log } from '../log';
import type { Services } from '../services';
import { kickSync } from '../sync/worker';
import { startWorker } from '../workers';
import { allTargets, type LabWorkerInput, type LabWorkerMessage, type LabWorkerResult, type TargetCount } from './jobs';
import { dropRun } from './runs';
import { resolveWindow, type Figures, type TrainResult } from './train';

interface Job {
  state: LabJobState;
  worker: Worker | null;
  /** Score jobs: the version being scored, and its run once the worker has one (dropped if stopped). */
  version?: number;
  run?: number;
}

interface ModelRow {
  version: number;
  target_key: string;
  target: string;
  learner: 'logistic' | 'boosted';
  requested: 'logistic' | 'boosted' | 'best';
  outcome_months: number;
  cutoff: string;
  window_end: string;
  rows: number;
  positives: number;
  auc: number | null;
  holdout_auc: number | null;
  leak: number;
  figures: string;
  seconds: number;
  created_at: string;
  created_by_name: string | null;
  scored_at: string | null;
  scored_on: string | null;
  scored_customers: number;
  activated_at: string | null;
  activated_on: string | null;
  active: number;
}

const MODEL_SELECT = `SELECT m.version, m.target_key, m.target, m.learner, m.requested, m.outcome_months, m.cutoff, m.window_end,
    m.rows, m.positives, m.auc, m.holdout_auc, m.leak, m.figures, m.seconds, m.created_at, u.display_name AS created_by_name,
    m.scored_at, m.scored_on, m.scored_customers, m.activated_at, m.activated_on, (a.version IS NOT NULL) AS active
  FROM lab_models m LEFT JOIN users u ON u.id = m.created_by LEFT JOIN lab_active a ON a.target_key = m.target_key AND a.version = m.version`;

function productOf(t: LabTarget): OpportunityProduct {
  switch (t.kind) {
    case 'churn':
      return 'deposit';
    case 'loan':
      return 'loan';
    case 'wealth':
      return 'wealth';
    case 'product':
      return t.category === 'loan'
        ? 'loan'
        : t.category === 'card'
          ? 'card'
          : t.category === 'insurance'
            ? 'insurance'
            : t.category === 'wealth' || t.category === 'fund'
              ? 'wealth'
              : 'deposit';
  }
}

const TARGET_WORDS: Record<string, string> = {
  churn: '流失预警',
  loan: '贷款倾向',
  wealth: '理财倾向',
};

function targetWords(t: LabTarget): string {
  return t.kind === 'product' ? `产品倾向（${t.category}）` : TARGET_WORDS[t.kind]!;
}

const COUNT_MAX_AGE_MS = 10 * 60_000;

export class LabService {
  private readonly jobs = new Map<string, Job>();
  private counts: { at: number; to: string | null; counts: TargetCount[] } | null = null;
  private counting: Worker | null = null;

  constructor(readonly services: Services) {}

  private get db() {
    return this.services.db;
  }

  private running(): Job | undefined {
    for (const j of this.jobs.values()) if (j.state.state === 'running') return j;
    return undefined;
  }

  private start(kind: 'train' | 'score', input: LabWorkerInput, onDone: (r: LabWorkerResult, job: Job) => void): Job {
    if (this.running()) throw new AppError('LAB_BUSY');
    const jobId = randomUUID();
    const job: Job = {
      state: {
        jobId,
        kind,
        state: 'running',
        step: 'features',
        done: 0,
        total: 1,
        startedAt: this.services.clock.now().toISOString(),
        version: null,
        error: null,
      },
      worker: null,
    };
    this.jobs.set(jobId, job);
    job.worker = startWorker<LabWorkerMessage>('labWorker.js', 'lab/worker-tsx.cjs', input, {
      message: (m) => {
        if (job.state.state !== 'running') return true;
        if (m.type === 'progress') {
          job.state = { ...job.state, step: m.step, done: m.done, total: m.total };
          return false;
        }
        if (m.type === 'run') {
          job.run = m.run;
          return false;
        }
        if (m.type === 'failed') {
          if (m.message) log.error('lab job failed', { jobId, message: m.message });
          const code = (ERROR_CODES as readonly string[]).includes(m.code) ? (m.code as ErrorCode) : 'INTERNAL';
          this.fail(job, code, m.details);
          return true;
        }
        try {
          onDone(m.result, job);
          job.state = { ...job.state, state: 'done', done: job.state.total };
        } catch (e) {
          log.error('lab job result not stored', { jobId, error: String(e) });
          this.fail(job, 'INTERNAL', {});
        }
        return true;
      },
      error: (e) => {
        log.error('lab worker error', { jobId, error: String(e) });
        this.fail(job, 'INTERNAL', {});
      },
      end: () => {
        job.worker = null;
        if (job.state.state === 'running') this.fail(job, 'INTERNAL', {});
      },
    });
    return job;
  }

  private fail(job: Job, code: ErrorCode, details: Record<string, unknown>): void {
    if (job.state.state !== 'running') return;
    job.state = { ...job.state, state: 'failed', error: { code, details } };
    this.afterScoreStopped(job);
  }

  /**
   * A scoring run that did not finish: its rows go (readers never saw them: lab_scores shows the version's
   * current run, which stays as it was, and so does which version is active).
   */
  private afterScoreStopped(job: Job): void {
    if (job.state.kind !== 'score' || job.version === undefined || job.run === undefined) return;
    try {
      dropRun(this.db, job.version, job.run);
    } catch (e) {
      log.warn('partial lab scores not removed', { version: job.version, run: job.run, error: String(e) });
    }
  }

  /** Counts per target in a worker, at most every ten minutes; null figures until the first count ends. */
  private countsFor(to: string | null): Map<string, TargetCount> | null {
    const fresh = this.counts && this.counts.to === to && Date.now() - this.counts.at < COUNT_MAX_AGE_MS;
    if (!fresh && !this.counting) {
      this.counting = startWorker<LabWorkerMessage>(
        'labWorker.js',
        'lab/worker-tsx.cjs',
        { kind: 'count', dbPath: this.services.info.dbPath },
        {
          message: (m) => {
            if (m.type === 'done' && m.result.kind === 'count')
              this.counts = { at: Date.now(), to, counts: m.result.counts };
            return m.type !== 'progress';
          },
          error: (e) => log.warn('lab target counts failed', { error: String(e) }),
          end: () => {
            this.counting = null;
          },
        },
      );
    }
    return this.counts && this.counts.to === to ? new Map(this.counts.counts.map((c) => [c.key, c])) : null;
  }

  targets(): LabTargets {
    const h = balanceHistory(this.db);
    const counts = this.countsFor(h.to);
    const active = new Map(
      (
        this.db.prepare('SELECT target_key, version FROM lab_active').all() as { target_key: string; version: number }[]
      ).map((r) => [r.target_key, r.version]),
    );
    return {
      targets: allTargets().map((t) => {
        const key = targetKey(t);
        const c = counts?.get(key);
        return {
          kind: t.kind,
          category: t.kind === 'product' ? t.category : null,
          key,
          eligible: c ? c.eligible : null,
          positives: c ? c.positives : null,
          activeVersion: active.get(key) ?? null,
        };
      }),
      history: h,
      cutoffs: Array.from({ length: 12 }, (_, i) => ({ outcomeMonths: i + 1, ...cutoffRange(h, i + 1) })),
      defaults: { outcomeMonths: 3, folds: 5, learner: 'logistic' },
    };
  }

  /** Waits for the target counts (tests; the CLI). */
  async settleCounts(): Promise<void> {
    while (this.counting) await new Promise((r) => setTimeout(r, 50));
  }

  train(input: Input<'lab.train'>, ctx: AuthedCtx): LabJobState {
    const target = labTargetSchema.parse(input.target) as LabTarget;
    const outcomeMonths = input.outcomeMonths ?? 3;
    const learner = input.learner ?? 'logistic';
    // Refused here, at once, rather than from the worker: a window the history cannot hold.
    const w = resolveWindow(this.db, outcomeMonths, input.cutoff ?? null);
    const params = {
      target,
      learner,
      outcomeMonths,
      cutoff: w.cutoff,
      folds: input.folds ?? 5,
      seed: input.seed ?? 20,
    };
    const job = this.start('train', { kind: 'train', dbPath: this.services.info.dbPath, params }, (r, j) => {
      if (r.kind !== 'train') throw new Error('unexpected result');
      const version = this.storeVersion(r.result, target, params.learner, outcomeMonths, ctx.user.id);
      j.state = { ...j.state, version };
      ctx.audit({
        action: 'lab.train',
        outcome: 'ok',
        targetType: 'lab_model',
        targetId: version,
        details: {
          ...targetAudit(targetKey(target)),
          learner: r.result.learner,
          cutoff: r.result.cutoff,
          rows: r.result.rows,
          auc: r.result.auc,
        },
      });
    });
    return job.state;
  }

  private storeVersion(
    r: TrainResult,
    target: LabTarget,
    requested: string,
    outcomeMonths: number,
    userId: number,
  ): number {
    const info = this.db
      .prepare(
        `INSERT INTO lab_models (target_key, target, learner, requested, outcome_months, cutoff, window_end, rows, positives, auc,
           holdout_auc, leak, figures, model, seconds, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        targetKey(target),
        JSON.stringify(target),
        r.learner,
        requested,
        outcomeMonths,
        r.cutoff,
        r.windowEnd,
        r.rows,
        r.positives,
        Number.isNaN(r.auc) ? null : r.auc,
        r.holdoutAuc,
        r.leak ? 1 : 0,
        JSON.stringify(r.figures),
        r.model,
        r.seconds,
        this.services.clock.now().toISOString(),
        userId,
      );
    return Number(info.lastInsertRowid);
  }

  job(jobId: string): LabJobState {
    const j = this.jobs.get(jobId);
    if (!j) throw new AppError('NOT_FOUND', { entity: 'labJob', id: jobId });
    return j.state;
  }

  cancel(jobId: string, ctx: AuthedCtx): LabJobState {
    const j = this.jobs.get(jobId);
    if (!j) throw new AppError('NOT_FOUND', { entity: 'labJob', id: jobId });
    if (j.state.state === 'running') {
      j.state = { ...j.state, state: 'cancelled' };
      void j.worker?.terminate();
      // The worker's last batch may still be committing: clean up after it has stopped.
      if (j.state.kind === 'score' && j.version !== undefined) {
        const v = j.version;
        const w = j.worker;
        const clean = () =>
          this.afterScoreStopped({
            ...j,
            state: { ...j.state, state: 'running' },
            version: v,
            ...(j.run ? { run: j.run } : {}),
          });
        if (w) w.once('exit', clean);
        else clean();
      }
      ctx.audit({
        action: 'lab.cancel',
        outcome: 'ok',
        targetType: 'lab_job',
        targetId: jobId,
        details: { kind: j.state.kind },
      });
    }
    return j.state;
  }

  private row(version: number): ModelRow {
    const r = this.db.prepare(`${MODEL_SELECT} WHERE m.version = ?`).get(version) as ModelRow | undefined;
    if (!r) throw new AppError('NOT_FOUND', { entity: 'labModel', id: version });
    return r;
  }

  private summary(r: ModelRow): LabVersionSummary {
    return {
      version: r.version,
      target: JSON.parse(r.target) as LabTarget,
      key: r.target_key,
      learner: r.learner,
      requested: r.requested,
      outcomeMonths: r.outcome_months,
      cutoff: r.cutoff,
      windowEnd: r.window_end,
      rows: r.rows,
      positives: r.positives,
      auc: r.auc ?? Number.NaN,
      holdoutAuc: r.holdout_auc,
      active: r.active === 1,
      createdAt: r.created_at,
      createdBy: r.created_by_name ?? '',
      leak: r.leak === 1,
    };
  }

  versions(key: string | undefined): LabVersionSummary[] {
    const rows = (
      key
        ? this.db.prepare(`${MODEL_SELECT} WHERE m.target_key = ? ORDER BY m.version DESC`).all(key)
        : this.db.prepare(`${MODEL_SELECT} ORDER BY m.version DESC`).all()
    ) as ModelRow[];
    return rows.map((r) => this.summary(r));
  }

  version(version: number): LabVersionDetail {
    const r = this.row(version);
    const f = JSON.parse(r.figures) as Figures;
    return {
      ...this.summary(r),
      ...f,
      seconds: r.seconds,
      scoredAt: r.scored_at,
      scoredCustomers: r.scored_customers,
    };
  }

  activate(version: number, ctx: AuthedCtx): LabJobState {
    const r = this.row(version);
    const model = (this.db.prepare('SELECT model FROM lab_models WHERE version = ?').get(version) as { model: string })
      .model;
    const h = balanceHistory(this.db);
    if (!h.to)
      throw new AppError('LAB_NO_HISTORY', { cutoff: null, outcomeMonths: r.outcome_months, from: null, to: null });
    const target = JSON.parse(r.target) as LabTarget;
    const job = this.start(
      'score',
      {
        kind: 'score',
        dbPath: this.services.info.dbPath,
        version,
        key: r.target_key,
        modelText: model,
        target,
        on: h.to,
        at: this.services.clock.now().toISOString(),
      },
      (res, j) => {
        if (res.kind !== 'score') throw new Error('unexpected result');
        j.state = { ...j.state, version };
        ctx.audit({
          action: 'lab.activate',
          outcome: 'ok',
          targetType: 'lab_model',
          targetId: version,
          details: { ...targetAudit(r.target_key), customers: res.customers, on: h.to },
        });
      },
    );
    job.version = version;
    return job.state;
  }

  customerScores(customerId: number, ctx: AuthedCtx): LabCustomerScore[] {
    customerInScope(this.db, ctx.scope(), customerId);
    const rows = this.db
      .prepare(
        `SELECT a.target_key AS key, m.target, s.version, s.score, s.decile, s.factors, m.scored_at AS scoredAt
         FROM lab_active a JOIN lab_scores s ON s.version = a.version AND s.customer_id = ? JOIN lab_models m ON m.version = a.version
         ORDER BY a.target_key`,
      )
      .all(customerId) as {
      key: string;
      target: string;
      version: number;
      score: number;
      decile: number;
      factors: string;
      scoredAt: string;
    }[];
    return rows.map((r) => ({
      key: r.key,
      target: JSON.parse(r.target) as LabTarget,
      version: r.version,
      score: r.score,
      decile: r.decile,
      factors: JSON.parse(r.factors) as LabFactor[],
      scoredAt: r.scoredAt,
    }));
  }

  private decileSql(deciles: number[] | undefined): { sql: string; params: number[] } {
    if (!deciles?.length) return { sql: '', params: [] };
    const uniq = [...new Set(deciles)];
    return { sql: ` AND s.decile IN (${uniq.map(() => '?').join(',')})`, params: uniq };
  }

  scores(input: Input<'lab.scores'>, ctx: AuthedCtx): { rows: LabScoreRow[]; total: number } {
    this.row(input.version);
    const scope = ctx.scope();
    const d = this.decileSql(input.deciles);
    const where = `s.version = ?${d.sql} AND ${scope.sql}`;
    const params = [input.version, ...d.params, ...scope.params];
    const total = (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM lab_scores s JOIN customers c ON c.id = s.customer_id WHERE ${where}`)
        .get(...params) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT c.id AS customerId, c.customer_no AS customerNo, c.name, st.name AS managerName, s.score, s.decile, s.factors
         FROM lab_scores s JOIN customers c ON c.id = s.customer_id LEFT JOIN staff st ON st.id = c.manager_staff_id
         WHERE ${where} ORDER BY s.score DESC, c.id LIMIT ? OFFSET ?`,
      )
      .all(...params, input.limit ?? 100, input.offset ?? 0) as (Omit<LabScoreRow, 'factors'> & { factors: string })[];
    return { rows: rows.map((r) => ({ ...r, factors: JSON.parse(r.factors) as LabFactor[] })), total };
  }

  push(input: Input<'lab.push'>, ctx: AuthedCtx): LabPushResult {
    const r = this.row(input.version);
    if (!r.scored_at) throw new AppError('NOT_FOUND', { entity: 'labScores', id: input.version });
    const target = JSON.parse(r.target) as LabTarget;
    const scope = ctx.scope();
    const d = this.decileSql(input.deciles);
    const db = this.db;
    const today = this.services.clock.today();
    const product = productOf(target);
    const where = `c.id IN (SELECT s.customer_id FROM lab_scores s WHERE s.version = ?${d.sql}) AND ${scope.sql}`;
    const params = [input.version, ...d.params, ...scope.params];
    const words = targetWords(target);
    const groups = [...new Set(input.deciles)].sort((a, b) => a - b).join('、');
    if (input.as === 'campaign') {
      if (ctx.user.branch_id == null) throw new AppError('FORBIDDEN', { reason: 'noBranch' });
      const branchId = ctx.user.branch_id;
      const name = input.name ?? `${words} 第${groups}组 ${today}`;
      const id = db.transaction(() => {
        const made = createCampaign(db, {
          name,
          description: `模型实验室 第 ${input.version} 版（${words}），得分第 ${groups} 组`,
          product,
          dueOn: input.dueOn ?? null,
          origin: 'filter',
          branchId,
          createdBy: ctx.user.id,
          today,
          where,
          params,
        });
        shareNewCampaign(db, made, syncActor(db, ctx.user));
        return made;
      })();
      kickSync(db);
      const customers = (
        db.prepare('SELECT COUNT(*) AS n FROM campaign_entries WHERE campaign_id = ?').get(id) as { n: number }
      ).n;
      ctx.audit({
        action: 'lab.push',
        outcome: 'ok',
        targetType: 'campaign',
        targetId: id,
        details: { version: input.version, deciles: input.deciles, pushedAs: 'campaign', customers },
      });
      return { kind: 'campaign', campaignId: id, customers, created: customers };
    }
    const picked = db
      .prepare(
        `SELECT c.id, s.score, s.decile FROM customers c JOIN lab_scores s ON s.customer_id = c.id AND s.version = ?
         WHERE ${where} ORDER BY s.score DESC`,
      )
      .all(input.version, ...params) as { id: number; score: number; decile: number }[];
    if (!picked.length) throw new AppError('CAMPAIGN_EMPTY');
    let created = 0;
    const actor = syncActor(db, ctx.user);
    db.transaction(() => {
      shareDerivedOpportunities(db);
      for (const p of picked) {
        const made = createOpportunity(db, {
          customerId: p.id,
          source: 'manual',
          dedupeKey: `lab:${input.version}:${p.id}`,
          product,
          dueOn: input.dueOn ?? null,
          title: `${words}（模型第 ${input.version} 版第 ${p.decile} 组）`,
          detail: { labVersion: input.version, score: Math.round(p.score * 1000) / 1000, decile: p.decile },
          createdBy: ctx.user.id,
          today,
        });
        if (made.created) {
          created++;
          shareOpportunity(db, made.id, { op: 'create' }, actor);
        }
      }
    })();
    kickSync(db);
    ctx.audit({
      action: 'lab.push',
      outcome: 'ok',
      targetType: 'lab_model',
      targetId: input.version,
      details: {
        version: input.version,
        deciles: input.deciles,
        pushedAs: 'opportunities',
        customers: picked.length,
        created,
      },
    });
    return { kind: 'opportunities', campaignId: null, customers: picked.length, created };
  }

  monitoring(version: number): Promise<LabMonitoring> {
    const r = this.row(version);
    return new Promise((resolve, reject) => {
      startWorker<LabWorkerMessage>(
        'labWorker.js',
        'lab/worker-tsx.cjs',
        {
          kind: 'monitor',
          dbPath: this.services.info.dbPath,
          version,
          key: r.target_key,
          target: JSON.parse(r.target) as LabTarget,
          outcomeMonths: r.outcome_months,
          scoredAt: r.activated_at,
          scoredOn: r.activated_on,
          modelText: (
            this.db.prepare('SELECT model FROM lab_models WHERE version = ?').get(version) as { model: string }
          ).model,
        } satisfies LabWorkerInput,
        {
          message: (m) => {
            if (m.type === 'progress') return false;
            if (m.type === 'done' && m.result.kind === 'monitor') resolve(m.result.monitoring);
            else reject(new AppError('INTERNAL'));
            return true;
          },
          error: (e) => reject(e),
          end: () => reject(new AppError('INTERNAL')),
        },
      );
    });
  }
}

const services = new WeakMap<Services, LabService>();

export function labService(s: Services): LabService {
  const have = services.get(s);
  if (have) return have;
  const made = new LabService(s);
  services.set(s, made);
  return made;
}

/** A model's target as the audit trail records it: the kind and, for a product take-up, the category (codes the page names). */
function targetAudit(key: string): { target: string; category?: string } {
  const [target, category] = key.split(':') as [string, string | undefined];
  return category === undefined ? { target } : { target, category };
}
