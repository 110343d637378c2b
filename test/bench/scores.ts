/**
 * Customer scores benchmark (issue 20.1): contribution, loyalty, CLV and points for every customer of a
 * store, in a worker thread as the after-import step runs them, while the main thread measures its
 * event-loop delay and the process's RSS. Runs: a full computation, an incremental one after a journal
 * job touching 1% of the customers, and one with nothing changed. Baseline in the same run: one plain
 * pass over the two big tables the computation must read (daily_balances, transactions), the least a
 * from-the-raw-tables computation can cost. Changes the store: run it on a bench store.
 *
 *   npm run bench -- --only scores [--customers N] [--db STORE]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openConnection } from '../../db/cipher';
import { openStore } from '../../db/open';
import { computeScores, type ScoreRunResult } from '../../db/scores/compute';

const TODAY = '2026-11-02';

interface Msg {
  phase: string;
  result: ScoreRunResult;
  cpu: number;
}

export async function benchScores(opts: { db: string; print: (s: string) => void }): Promise<void> {
  const { print } = opts;
  const { db } = await openStore(opts.db);
  const n = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
  const sizes = db
    .prepare('SELECT (SELECT COUNT(*) FROM daily_balances) AS b, (SELECT COUNT(*) FROM transactions) AS t')
    .get() as { b: number; t: number };
  let t = performance.now();
  db.prepare('SELECT SUM(balance_fen) FROM daily_balances').get();
  db.prepare('SELECT COUNT(*), SUM(amount_fen) FROM transactions WHERE txn_at >= ?').get('2024-01-01');
  const base = (performance.now() - t) / 1000;
  print(
    `  store: ${n.toLocaleString('en-US')} customers, ${sizes.b.toLocaleString('en-US')} month-end balances, ${sizes.t.toLocaleString('en-US')} transactions`,
  );
  print(`  baseline: one plain pass over daily_balances and transactions ${base.toFixed(1)} s`);
  const rss0 = process.memoryUsage().rss;

  // The main thread's event-loop delay while a worker computes: a histogram per run (the bench's own
  // setup writes between runs are on the main thread and must not count), the worst run reported.
  const loops: { p99: number; max: number }[] = [];
  const run = (phase: string, full: boolean): Promise<Msg> => {
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    return new Promise<Msg>((resolve, reject) => {
      const w = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`, {
        eval: true,
        workerData: { db: opts.db, full, phase },
      });
      w.once('message', (m: Msg) => resolve(m));
      w.once('error', reject);
    }).finally(() => {
      loop.disable();
      loops.push({ p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 });
    });
  };

  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    t = performance.now();
    const full = await run('full', true);
    const fullS = (performance.now() - t) / 1000;
    const led = (db.prepare('SELECT COUNT(*) AS n FROM points_ledger').get() as { n: number }).n;
    print(
      `  full computation:        ${fullS.toFixed(1)} s wall, ${full.cpu.toFixed(1)} s CPU (process) = ${(fullS / base).toFixed(1)} x baseline; ${full.result.customers.toLocaleString('en-US')} customers, ${led.toLocaleString('en-US')} ledger rows`,
    );
    // A journal job touching 1% of the customers: one fee each (new rows above the watermark).
    const job = Number(
      db
        .prepare(
          `INSERT INTO import_jobs (kind, profile_name, profile, file_name, file_path, file_bytes, checksum, status)
           VALUES ('transactions', 'bench', '{}', 'bench', 'bench', 1, hex(randomblob(8)), 'committed')`,
        )
        .run().lastInsertRowid,
    );
    const touched = db
      .prepare(
        `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type, created_job_id, last_job_id)
         SELECT 'B' || @job || '-' || a.id, a.id, a.customer_id, '2026-10-30 09:00:00', 1500, 'D', 'online', 'fee', @job, @job
         FROM accounts a WHERE a.kind = 'demand' AND a.customer_id % 100 = 7 GROUP BY a.customer_id`,
      )
      .run({ job }).changes;
    t = performance.now();
    const inc = await run('incremental', false);
    const incS = (performance.now() - t) / 1000;
    print(
      `  incremental (${touched.toLocaleString('en-US')} customers' journal): ${incS.toFixed(1)} s wall, ${inc.cpu.toFixed(1)} s CPU, ${inc.result.customers.toLocaleString('en-US')} recomputed (${inc.result.mode})`,
    );
    t = performance.now();
    const none = await run('nothing changed', false);
    print(
      `  nothing changed:         ${((performance.now() - t) / 1000).toFixed(1)} s wall, ${none.result.customers} recomputed`,
    );
  } finally {
    clearInterval(sampler);
    db.close();
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  print(
    `  peak RSS (process) ${Math.round(peak / 2 ** 20)} MB (${Math.round(rss0 / 2 ** 20)} MB before); main event loop during the runs: worst p99 ${Math.max(...loops.map((l) => l.p99)).toFixed(1)} ms, worst max ${Math.max(...loops.map((l) => l.max)).toFixed(1)} ms`,
  );
}

function inWorker(): void {
  const { db: file, full, phase } = workerData as { db: string; full: boolean; phase: string };
  const db = openConnection(file, { fileMustExist: true });
  db.pragma('busy_timeout = 15000');
  const cpu0 = process.cpuUsage();
  const result = computeScores(db, { today: TODAY, full });
  const c = process.cpuUsage(cpu0);
  db.close();
  parentPort!.postMessage({ phase, result, cpu: (c.user + c.system) / 1e6 } satisfies Msg);
}

if (!isMainThread && (workerData as { phase?: string } | null)?.phase) inWorker();
