/**
 * Branch network figures (issue 16), against a real embedded PostgreSQL with its default durability
 * (fsync on), hub and workstations in this process on loopback:
 *  - hub throughput in mutations/s next to plain single-row INSERTs into the same PostgreSQL, same run;
 *  - flag-to-visible latency with 30 workstations of one branch connected by wake-up sockets;
 *  - catch-up of 10,000 mutations queued offline, and a fresh PC pulling them;
 *  - memory: the hub runs as its own process (`main/hub/index.ts --pg`, as `npm run hub` does), so its
 *    RSS is its own; a PC's is the growth of this process per connected PC (store, replica, worker,
 *    wake-up socket), and for a PC holding and pushing a week's queue.
 * Standalone: `node --import tsx test/bench/hub.ts [--quick]`; `benchHub` for test/bench/index.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { ensureBranch, issueEnrolCode } from '../../db/hub/enrol';
import { readRecord, runMutation } from '../../db/sync/replica';
import { ensureSyncSchema } from '../../db/sync/schema';
import { enrolWorkstation, syncOnce } from '../../main/sync/hub-client';
import { SyncWorker } from '../../main/sync/worker';
import { enrolTestPc, freePort, post, startPg } from '../integration/hub/support';
import { ITEMS, testMutators } from '../integration/hub/workstations';

export interface HubBenchResult {
  plainInsertPerSecond: number;
  hubMutationsPerSecond: number;
  hubBatchedMutationsPerSecond: number;
  /** One mutation per /push request (one hub transaction each), push only: like for like with the INSERTs. */
  hubSinglePushPerSecond: number;
  ratio: number;
  singleRatio: number;
  latencyMs: { p50: number; p95: number; max: number; pcs: number; samples: number };
  catchUp: { mutations: number; pushSeconds: number; freshPullSeconds: number };
  /** The hub process: RSS at the end, and its peak (VmHWM) over the whole run. */
  hubRssMb: { end: number; peak: number };
  /** PC side: growth of this process per connected PC; the PC holding the week's queue, before and after. */
  pcMb: { perConnectedPc: number; queuedPcGrowth: number; processPeak: number };
}

/** VmRSS and VmHWM of a process in MB (Linux /proc; NaN elsewhere). */
function procMem(pid: number): { rss: number; hwm: number } {
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN };
  }
}

/** `npm run hub -- --pg URL --port P` as a child process; resolves with its URL once it listens. */
function startHubProcess(pgUrl: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const root = resolve(import.meta.dirname, '../..');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'main/hub/index.ts', '--pg', pgUrl, '--port', String(port)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  return new Promise((ok, fail) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Branch hub: (http\S+)/.exec(out);
      if (m) ok({ child, url: m[1]! });
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => fail(new Error(`hub exited ${code}: ${out}`)));
  });
}

const mb = () => process.memoryUsage().rss / 2 ** 20;
const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
let idNo = 0;
const nextId = () => `00000000-0000-7000-8000-${(++idNo).toString(16).padStart(12, '0')}`;

export async function benchHub(opts: { quick?: boolean } = {}): Promise<HubBenchResult> {
  const n = opts.quick ? 1000 : 3000;
  const queued = opts.quick ? 2000 : 10_000;
  const server = await startPg({ durable: true });
  const db = await server.createHubDb('bench');
  const owner = new pg.Pool({ connectionString: server.ownerUrl(db), max: 2 });
  const hubProc = await startHubProcess(server.appUrl(db), await freePort());
  const hub = { url: hubProc.url };
  const stores: Database[] = [];
  const workers: SyncWorker[] = [];
  const store = async (branch: string, name: string) => {
    const s = new BetterSqlite3(':memory:');
    ensureSyncSchema(s);
    const { code } = await issueEnrolCode(owner, branch);
    await enrolWorkstation(s, { hubUrl: hub.url, branch, code, name });
    stores.push(s);
    return s;
  };
  try {
    // Baseline: what one connection gets from single-row autocommit INSERTs of the same shape.
    await owner.query('CREATE TABLE plain (branch text, tbl text, id text, revision bigint, data jsonb)');
    let t = performance.now();
    for (let i = 0; i < n; i++)
      await owner.query('INSERT INTO plain VALUES ($1, $2, $3, 1, $4)', [
        'B',
        ITEMS,
        nextId(),
        JSON.stringify({ title: `t${i}`, status: 'open' }),
      ]);
    const plainInsertPerSecond = n / ((performance.now() - t) / 1000);

    // The hub, one PC pushing one mutation per request (the worst case: a click, a sync)...
    await ensureBranch(owner, 'T1');
    const one = await store('T1', 'one');
    t = performance.now();
    for (let i = 0; i < n / 4; i++) {
      runMutation(one, testMutators, 'items.create', { id: nextId(), title: `t${i}` });
      await syncOnce(one, testMutators);
    }
    const hubMutationsPerSecond = n / 4 / ((performance.now() - t) / 1000);
    // ...and a queue pushed in pages (up to 100 mutations per hub transaction, each still judged alone).
    for (let i = 0; i < n; i++) runMutation(one, testMutators, 'items.create', { id: nextId(), title: `b${i}` });
    t = performance.now();
    await syncOnce(one, testMutators);
    const hubBatchedMutationsPerSecond = n / ((performance.now() - t) / 1000);
    // Like for like with the INSERTs: one mutation per /push request, so one hub transaction (branch
    // lock, PC check, row, change log, outcome) and one WAL flush each; no pull, no SQLite.
    const raw = await enrolTestPc(hub.url, owner, 'S1');
    t = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await post(
        `${hub.url}/push`,
        {
          mutations: [
            {
              id: i + 1,
              name: 'items.create',
              args: { title: `s${i}` },
              effects: [{ table: ITEMS, id: nextId(), baseRevision: 0, data: { title: `s${i}`, status: 'open' } }],
            },
          ],
        },
        raw.token,
      );
      if (r.status !== 200 || r.body.results?.[0]?.outcome !== 'applied') throw new Error(JSON.stringify(r.body));
    }
    const hubSinglePushPerSecond = n / ((performance.now() - t) / 1000);

    // Flag-to-visible: 30 PCs of one branch, wake-ups only (timer pulls set to a minute).
    await ensureBranch(owner, 'L30');
    await settle();
    const rssBefore30 = mb();
    const pcs: Database[] = [];
    for (let i = 0; i < 30; i++) {
      const s = await store('L30', `pc${i}`);
      const w = new SyncWorker({ db: s, mutators: testMutators, intervalMs: 60_000 });
      w.start();
      workers.push(w);
      pcs.push(s);
    }
    while (!workers.every((w) => w.listening)) await new Promise((r) => setTimeout(r, 20));
    await settle();
    const perConnectedPc = (mb() - rssBefore30) / 30;
    const lat: number[] = [];
    const samples = opts.quick ? 5 : 20;
    for (let k = 0; k < samples; k++) {
      const id = nextId();
      const writer = k % 30;
      const start = performance.now();
      runMutation(pcs[writer]!, testMutators, 'items.create', { id, title: 'flag' });
      workers[writer]!.kick();
      const seen = new Set<number>([writer]);
      while (seen.size < 30) {
        for (let i = 0; i < 30; i++)
          if (!seen.has(i) && readRecord(pcs[i]!, ITEMS, id)) {
            seen.add(i);
            lat.push(performance.now() - start);
          }
        await new Promise((r) => setImmediate(r));
      }
    }
    for (const w of workers) await w.stop();

    // A week offline: `queued` mutations recorded, then one sync; then a fresh PC pulls them all.
    await ensureBranch(owner, 'C1');
    await settle();
    const rssBeforeQueue = mb();
    const away = await store('C1', 'away');
    for (let i = 0; i < queued; i++) runMutation(away, testMutators, 'items.create', { id: nextId(), title: `w${i}` });
    t = performance.now();
    await syncOnce(away, testMutators);
    const pushSeconds = (performance.now() - t) / 1000;
    const queuedPcGrowth = mb() - rssBeforeQueue;
    const fresh = await store('C1', 'fresh');
    t = performance.now();
    await syncOnce(fresh, testMutators);
    const freshPullSeconds = (performance.now() - t) / 1000;

    return {
      plainInsertPerSecond,
      hubMutationsPerSecond,
      hubBatchedMutationsPerSecond,
      hubSinglePushPerSecond,
      ratio: hubBatchedMutationsPerSecond / plainInsertPerSecond,
      singleRatio: hubSinglePushPerSecond / plainInsertPerSecond,
      latencyMs: { p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat), pcs: 30, samples },
      catchUp: { mutations: queued, pushSeconds, freshPullSeconds },
      hubRssMb: { end: procMem(hubProc.child.pid!).rss, peak: procMem(hubProc.child.pid!).hwm },
      pcMb: { perConnectedPc, queuedPcGrowth, processPeak: process.resourceUsage().maxRSS / 1024 },
    };
  } finally {
    for (const w of workers) await w.stop();
    for (const s of stores) s.close();
    if (hubProc.child.exitCode === null) {
      const exited = new Promise((r) => hubProc.child.once('exit', r));
      hubProc.child.kill('SIGTERM');
      await exited;
    }
    await owner.end();
    await server.stop();
  }
}

export function formatHubBench(r: HubBenchResult): string {
  const f = (x: number, d = 0) => x.toFixed(d);
  return [
    `hub: plain INSERT ${f(r.plainInsertPerSecond)}/s; hub ${f(r.hubBatchedMutationsPerSecond)} mutations/s from a queue ` +
      `(${f(r.ratio, 2)}x plain, target >= 0.3x); one mutation per push request ${f(r.hubSinglePushPerSecond)}/s ` +
      `(${f(r.singleRatio, 2)}x plain); one write at a time through a whole sync cycle (push, pull, ` +
      `SQLite) ${f(r.hubMutationsPerSecond)}/s = ${f(1000 / r.hubMutationsPerSecond, 1)} ms each`,
    `hub: flag-to-visible on ${r.latencyMs.pcs} PCs (${r.latencyMs.samples} flags): p50 ${f(r.latencyMs.p50)} ms, ` +
      `p95 ${f(r.latencyMs.p95)} ms, max ${f(r.latencyMs.max)} ms (target p95 < 1000 ms)`,
    `hub: catch-up of ${r.catchUp.mutations} queued mutations ${f(r.catchUp.pushSeconds, 1)} s (target < 10 s); ` +
      `a fresh PC pulls them in ${f(r.catchUp.freshPullSeconds, 1)} s`,
    `hub: hub process RSS ${f(r.hubRssMb.end)} MB at the end, peak ${f(r.hubRssMb.peak)} MB; PC side ` +
      `${f(r.pcMb.perConnectedPc, 2)} MB per connected PC (store, replica, worker, socket), ` +
      `+${f(r.pcMb.queuedPcGrowth)} MB for the PC holding and pushing the queue; bench process peak ` +
      `${f(r.pcMb.processPeak)} MB (all simulated PCs)`,
  ].join('\n');
}

if (process.argv[1]?.endsWith('hub.ts')) {
  benchHub({ quick: process.argv.includes('--quick') }).then(
    (r) => {
      process.stdout.write(`${formatHubBench(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
