/**
 * The model lab end to end on a store, in a process of its own so its peak RSS is the lab's and nothing
 * else's (main thread + the lab's worker threads, as in the app):
 *   node --import tsx test/bench/lab-e2e.ts --db STORE [--batch N] [--version V (skip training: activate V)]
 * (test/bench/lab.ts runs it for `npm run bench -- --only lab`). On the store's own tables:
 *  1. idle baseline: the main thread's event-loop delay over 10 s with nothing running;
 *  2. training a churn model through the lab service (worker): feature building, CV + final fit, the
 *     time-based hold-out, each timed from the job's steps;
 *  3. activation (worker): features at the last month end, scores and factors of every eligible
 *     customer, rows written as a run; then the same again (re-activation: the run it replaces is
 *     deleted after the swap), against the activation's time;
 *  4. the after-import re-score of the active version (step 'lab-scores', in a worker on its own
 *     connection as the app's follow-ups run it): the writer's longest write-lock hold and, measured
 *     from the main thread's connection meanwhile, the longest a small write waited for the lock.
 * Throughout: peak RSS of the process (the kernel's high-water mark, reset per phase) and the main
 * thread's event-loop delay. The store gains a lab version and its scores (a bench store: --db a copy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openConnection } from '../../db/cipher';
import { openStore } from '../../db/open';
import { fixedClock } from '../../main/clock';
import type { AuthedCtx } from '../../main/handlers/types';
import { type RescoreResult, rescoreActive } from '../../main/lab/rescore';
import { BATCH } from '../../main/lab/runs';
import { LabService } from '../../main/lab/service';
import type { Services } from '../../main/services';
import type { LabJobState } from '../../shared/api';

/** The kernel's peak RSS of this process (MB), and a reset of it (Linux: clear_refs 5). */
function hwmMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}
function resetHwm(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: the sampled peak below stands alone
  }
}

function monitor() {
  resetHwm();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      const sampled = Math.round(peak / 2 ** 20);
      return { peakMb: Math.max(sampled, hwmMb()), p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    },
  };
}

const s1 = (ms: number) => (ms / 1000).toFixed(1).padStart(7);
const n0 = (v: number) => v.toLocaleString('en-US');

async function main(file: string, batch: number | undefined, given: number | undefined): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const { db } = await openStore(file);
  const customers = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
  out(`-- end to end on the store: ${n0(customers)} customers, churn model (3-month window, logistic, 5 folds)`);
  const idle = monitor();
  await new Promise((res) => setTimeout(res, 10_000));
  const i0 = idle.stop();
  out(
    `  baseline: idle process (store open) over 10 s: event-loop delay p99 ${i0.p99.toFixed(1)} ms, max ${i0.max.toFixed(1)} ms; RSS ${i0.peakMb} MB`,
  );
  const services = {
    db,
    info: { dbPath: file },
    clock: fixedClock(new Date('2026-11-02T02:00:00Z')),
  } as unknown as Services;
  const lab = new LabService(services);
  const userId = (db.prepare("SELECT id FROM users WHERE role = 'president' LIMIT 1").get() as { id: number }).id;
  const ctx = {
    user: { id: userId },
    audit: () => {},
    scope: () => ({ sql: '1', params: [] }),
  } as unknown as AuthedCtx;
  /** Polls the job, noting when each step began (ms since the start). */
  const follow = async (job: LabJobState) => {
    const t0 = performance.now();
    const steps = new Map<string, number>([[job.step, 0]]);
    for (;;) {
      const st = lab.job(job.jobId);
      if (!steps.has(st.step)) steps.set(st.step, performance.now() - t0);
      if (st.state !== 'running') return { st, steps, total: performance.now() - t0 };
      await new Promise((res) => setTimeout(res, 25));
    }
  };
  /** From the start of `from` to the start of the first of `to` seen (a step may pass between two polls). */
  const span = (steps: Map<string, number>, total: number, from: string, to: string[]) =>
    (to.map((k) => steps.get(k)).find((x) => x !== undefined) ?? total) - (steps.get(from) ?? 0);
  let cpu = process.cpuUsage();
  const cpuSince = () => {
    const c = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    return ((c.user + c.system) / 1e6).toFixed(1).padStart(6);
  };
  const report = (m: { peakMb: number; p99: number; max: number }) =>
    `peak RSS ${m.peakMb} MB (target < 1024 MB: ${m.peakMb < 1024 ? 'met' : 'MISSED'}); event-loop delay p99 ${m.p99.toFixed(1)} ms, max ${m.max.toFixed(1)} ms (idle p99 ${i0.p99.toFixed(1)} ms)`;

  let trainedVersion = 0;
  // Training (or, with --version, a version the store already holds).
  let m = monitor();
  if (given !== undefined) out(`  (training skipped: version ${given} of the store is activated)`);
  else {
    const trained = await follow(
      lab.train({ target: { kind: 'churn', dropShare: 0.5, minBalance: 1000 }, learner: 'logistic', folds: 5 }, ctx),
    );
    const tm = m.stop();
    if (trained.st.state !== 'done')
      throw new Error(`training ${trained.st.state}: ${JSON.stringify(trained.st.error)}`);
    trainedVersion = trained.st.version!;
    const v = lab.version(trainedVersion);
    const tr = trained.steps;
    const fit = span(tr, trained.total, 'folds', ['final', 'holdout', 'saving']);
    out(
      `  lab: train     ${s1(trained.total)} s wall, ${cpuSince()} s CPU (target < 300 s: ${trained.total < 300_000 ? 'met' : 'MISSED'})   ${n0(v.rows)} eligible, ${n0(v.positives)} churned; CV AUC ${v.auc.toFixed(3)} on ${n0(v.cvRows)}, hold-out AUC ${v.holdoutAuc?.toFixed(3) ?? '-'}`,
    );
    out(`    features (cut-off ${v.cutoff}) ${s1(span(tr, trained.total, 'features', ['folds']))} s`);
    out(`    CV + final fit             ${s1(fit)} s`);
    out(`    hold-out (earlier cut-off) ${s1(span(tr, trained.total, 'holdout', ['saving']))} s`);
    out(`    ${report(tm)}`);
  }
  const version = given ?? trainedVersion;

  // Activation: scoring the book.
  m = monitor();
  const scored = await follow(lab.activate(version, ctx));
  const sm = m.stop();
  if (scored.st.state !== 'done') throw new Error(`scoring ${scored.st.state}: ${JSON.stringify(scored.st.error)}`);
  const sc = scored.steps;
  out(
    `  lab: activate  ${s1(scored.total)} s wall, ${cpuSince()} s CPU (target < 60 s: ${scored.total < 60_000 ? 'met' : 'MISSED'})   ${n0(lab.version(version).scoredCustomers)} customers scored`,
  );
  out(
    `    features and scores ${s1(span(sc, scored.total, 'features', ['saving'])).trim()} s, rows written ${s1(span(sc, scored.total, 'saving', [])).trim()} s`,
  );
  out(`    ${report(sm)}`);
  // The worker deletes the run an activation replaced after reporting done: waited for (ms), so the next
  // phase runs alone.
  const left = db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows WHERE version = ?');
  const settled = async () => {
    const want = lab.version(version).scoredCustomers;
    const d0 = performance.now();
    while ((left.get(version) as { n: number }).n > want) await new Promise((res) => setTimeout(res, 250));
    return performance.now() - d0;
  };
  await settled();

  // Re-activation: the same version again, so the run it replaces (the activation's) has a book's worth of
  // rows to delete after the swap; its time against the activation's is the same-run baseline.
  m = monitor();
  const again = await follow(lab.activate(version, ctx));
  const am = m.stop();
  if (again.st.state !== 'done') throw new Error(`re-activation ${again.st.state}: ${JSON.stringify(again.st.error)}`);
  const ag = again.steps;
  out(
    `  lab: re-activate ${s1(again.total).trim()} s wall, ${cpuSince().trim()} s CPU (${(again.total / scored.total).toFixed(2)}x the activation; target: not slower)   ${n0(lab.version(version).scoredCustomers)} customers scored`,
  );
  out(
    `    features and scores ${s1(span(ag, again.total, 'features', ['saving'])).trim()} s, rows written ${s1(span(ag, again.total, 'saving', [])).trim()} s`,
  );
  out(`    the previous run's rows deleted in the background, done ${s1(await settled()).trim()} s after`);
  out(`    ${report(am)}`);

  // The after-import re-score, in a worker on its own connection; the main connection writes meanwhile.
  db.exec('CREATE TABLE IF NOT EXISTS bench_write_probe (at REAL)');
  let waits = 0;
  let maxWait = 0;
  const probe = db.prepare('INSERT INTO bench_write_probe (at) VALUES (?)');
  const writer = setInterval(() => {
    const t = performance.now();
    probe.run(t);
    const w = performance.now() - t;
    waits++;
    if (w > maxWait) maxWait = w;
  }, 100);
  m = monitor();
  const t = performance.now();
  const res = await new Promise<RescoreResult[]>((resolve, reject) => {
    const w = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`, {
      eval: true,
      workerData: { labRescore: true, file, batch },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`re-score worker exited with ${code}`)));
  });
  const rescoreMs = performance.now() - t;
  clearInterval(writer);
  const rm = m.stop();
  db.exec('DROP TABLE bench_write_probe');
  const r = res[0]!;
  out(
    `  lab: re-score  ${s1(rescoreMs)} s wall, ${cpuSince()} s CPU   after-import step 'lab-scores': ${n0(r.customers)} customers as run ${r.run} in ${r.transactions} write transactions (${n0(batch ?? BATCH)} customers each)`,
  );
  out(
    `    longest write-lock hold ${r.maxHoldMs.toFixed(0)} ms, all writing ${(r.writeMs / 1000).toFixed(1)} s; a main-thread write every 100 ms waited at most ${maxWait.toFixed(0)} ms (${waits} writes)`,
  );
  out(`    ${report(rm)}`);
  db.close();
}

if (isMainThread && require.main === module) {
  const args = process.argv.slice(2);
  const file = args[args.indexOf('--db') + 1];
  const b = args.indexOf('--batch');
  if (!args.includes('--db') || !file) {
    process.stderr.write('usage: lab-e2e.ts --db STORE [--batch N] [--version V]\n');
    process.exit(2);
  }
  const v = args.indexOf('--version');
  main(file, b >= 0 ? Number(args[b + 1]) : undefined, v >= 0 ? Number(args[v + 1]) : undefined).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
} else if (!isMainThread && (workerData as { labRescore?: boolean } | null)?.labRescore) {
  // As main/jobs/after-import-worker.ts runs the follow-up steps: its own connection, then the step.
  const { file, batch } = workerData as { file: string; batch?: number };
  const db = openConnection(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 15000');
    db.pragma('foreign_keys = ON');
    parentPort!.postMessage(rescoreActive(db, { reason: 'import', ...(batch ? { batch } : {}) }));
  } finally {
    db.close();
  }
}
