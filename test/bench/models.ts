/**
 * Model bench (`npm run bench -- --only models [--model-rows N]`): on a synthetic set of N rows x 60
 * features (45 numbers with some missing, 15 categories; drawn from a stated logistic model), trains
 * the regularised logistic regression (penalty and lambda chosen by cross-validation) and the boosted
 * trees, and scores every row with each. The work runs in a worker thread, as training will in the
 * app; the main thread measures its own event-loop delay meanwhile, and the process's peak RSS is
 * sampled. Targets (issue 20, at 1M rows): scoring < 60 s, training < 5 min, RSS < 1 GB.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fitBoosted, predictBoosted } from '../../main/models/boosted';
import { allRows } from '../../main/models/dataset';
import { fitLogisticCV, predictLogistic } from '../../main/models/logistic';
import { auc } from '../../main/models/metrics';
import { syntheticLogistic } from '../../main/models/synthetic';

interface Phase {
  phase: string;
  seconds: number;
  /** CPU seconds of the process meanwhile (the main thread idles): on a shared box, what the work cost. */
  cpu: number;
  detail: string;
}

const TARGETS: Record<string, number> = {
  'logistic: train': 300,
  'boosted: train': 300,
  'logistic: score': 60,
  'boosted: score': 60,
};

export async function benchModels(opts: { rows: number; print: (s: string) => void }): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const w = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`, {
        eval: true,
        workerData: { modelsBench: true, rows: opts.rows },
      });
      w.on('message', (m: Phase) => {
        const target = TARGETS[m.phase];
        const verdict =
          target === undefined
            ? ''
            : m.seconds < target
              ? `  (target < ${target} s: met)`
              : `  (target < ${target} s: MISSED)`;
        opts.print(
          `  ${m.phase.padEnd(18)} ${m.seconds.toFixed(1).padStart(7)} s wall, ${m.cpu.toFixed(1).padStart(6)} s CPU   RSS so far ${Math.round(peak / 2 ** 20)} MB   ${m.detail}${verdict}`,
        );
      });
      w.on('error', reject);
      w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`models bench worker exited with ${code}`))));
    });
  } finally {
    clearInterval(timer);
    delay.disable();
  }
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const mb = Math.round(peak / 2 ** 20);
  opts.print(`  total              ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s`);
  opts.print(`  peak RSS (process) ${String(mb).padStart(7)} MB  (target < 1024 MB: ${mb < 1024 ? 'met' : 'MISSED'})`);
  opts.print(
    `  main-thread event-loop delay while training: p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
  );
}

function inWorker(rows: number): void {
  let cpu0 = process.cpuUsage();
  const send = (phase: string, t: number, detail = '') => {
    const c = process.cpuUsage(cpu0);
    cpu0 = process.cpuUsage();
    parentPort!.postMessage({
      phase,
      seconds: (performance.now() - t) / 1000,
      cpu: (c.user + c.system) / 1e6,
      detail,
    } satisfies Phase);
  };

  let t = performance.now();
  const numeric = Array.from({ length: 45 }, (_, j) => ({
    name: `x${j}`,
    beta: j < 15 ? 0.25 * ((j % 3) - 1) : 0,
    mean: j * 10,
    sd: 1 + (j % 5),
    missing: j % 6 === 0 ? 0.1 : 0,
    missingBeta: 0.3,
  }));
  const categorical = Array.from({ length: 15 }, (_, j) => {
    const L = 3 + ((j * 7) % 20);
    return {
      name: `c${j}`,
      levels: Array.from({ length: L }, (_, i) => `L${i}`),
      freq: Array.from({ length: L }, () => 1 / L),
      effects: Array.from({ length: L }, (_, i) => (j < 5 ? 0.15 * ((i % 3) - 1) : 0)),
    };
  });
  // centred: the numbers' means would otherwise push every row to one class
  const intercept = -2 - numeric.reduce((a, m) => a + m.beta * m.mean, 0);
  const data = syntheticLogistic({ intercept, numeric, categorical }, rows, 2026);
  const all = allRows(rows);
  let pos = 0;
  for (let i = 0; i < rows; i++) pos += data.target[i]!;
  send(
    'generate',
    t,
    `${rows.toLocaleString('en-US')} rows x 60 features, ${((100 * pos) / rows).toFixed(1)}% positive`,
  );

  t = performance.now();
  const lr = fitLogisticCV(data, all);
  send(
    'logistic: train',
    t,
    `${lr.model.penalty} lambda=${lr.model.lambda.toPrecision(3)} chosen by CV on ≤30k rows, final fit ${lr.model.iterations} iterations on all rows`,
  );
  t = performance.now();
  const pl = predictLogistic(lr.model, data, all);
  send(
    'logistic: score',
    t,
    `${rows.toLocaleString('en-US')} rows, AUC ${auc(pl, data.target).toFixed(4)} (in sample)`,
  );

  t = performance.now();
  const bt = fitBoosted(data, all);
  send(
    'boosted: train',
    t,
    `${bt.trees} trees (early stopping), ${Math.round(Math.min(1, 100_000 / rows) * 100)}% of the rows per tree`,
  );
  t = performance.now();
  const pb = predictBoosted(bt, data, all);
  send('boosted: score', t, `${rows.toLocaleString('en-US')} rows, AUC ${auc(pb, data.target).toFixed(4)} (in sample)`);
}

if (!isMainThread && (workerData as { modelsBench?: boolean } | null)?.modelsBench) {
  inWorker((workerData as { rows: number }).rows);
}
