/**
 * Branch network figures (issue 16), against a real embedded PostgreSQL with its default durability
 * (fsync on), hub and workstations in this process on loopback:
 *  - hub throughput in mutations/s next to plain single-row INSERTs into the same PostgreSQL, same run;
 *  - flag-to-visible latency with 30 workstations of one branch connected by wake-up sockets;
 *  - catch-up of 10,000 mutations queued offline, and a fresh PC pulling them;
 *  - process memory (hub and PCs share the process here: an upper bound for either).
 * Standalone: `node --import tsx test/bench/hub.ts [--quick]`; `benchHub` for test/bench/index.ts.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { ensureBranch, issueEnrolCode } from '../../db/hub/enrol';
import { readRecord, runMutation } from '../../db/sync/replica';
import { ensureSyncSchema } from '../../db/sync/schema';
import { startHub } from '../../main/hub/service';
import { enrolWorkstation, syncOnce } from '../../main/sync/hub-client';
import { SyncWorker } from '../../main/sync/worker';
import { startPg } from '../integration/hub/support';
import { ITEMS, testMutators } from '../integration/hub/workstations';

export interface HubBenchResult {
  plainInsertPerSecond: number;
  hubMutationsPerSecond: number;
  hubBatchedMutationsPerSecond: number;
  ratio: number;
  latencyMs: { p50: number; p95: number; max: number; pcs: number; samples: number };
  catchUp: { mutations: number; pushSeconds: number; freshPullSeconds: number };
  rssMb: number;
}

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
  const hub = await startHub({ pg: server.appUrl(db), poolSize: 10 });
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
    // ...and a queue pushed in pages (each mutation still its own transaction on the hub).
    for (let i = 0; i < n; i++) runMutation(one, testMutators, 'items.create', { id: nextId(), title: `b${i}` });
    t = performance.now();
    await syncOnce(one, testMutators);
    const hubBatchedMutationsPerSecond = n / ((performance.now() - t) / 1000);

    // Flag-to-visible: 30 PCs of one branch, wake-ups only (timer pulls set to a minute).
    await ensureBranch(owner, 'L30');
    const pcs: Database[] = [];
    for (let i = 0; i < 30; i++) {
      const s = await store('L30', `pc${i}`);
      const w = new SyncWorker({ db: s, mutators: testMutators, intervalMs: 60_000 });
      w.start();
      workers.push(w);
      pcs.push(s);
    }
    while (!workers.every((w) => w.listening)) await new Promise((r) => setTimeout(r, 20));
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
    const away = await store('C1', 'away');
    for (let i = 0; i < queued; i++) runMutation(away, testMutators, 'items.create', { id: nextId(), title: `w${i}` });
    t = performance.now();
    await syncOnce(away, testMutators);
    const pushSeconds = (performance.now() - t) / 1000;
    const fresh = await store('C1', 'fresh');
    t = performance.now();
    await syncOnce(fresh, testMutators);
    const freshPullSeconds = (performance.now() - t) / 1000;

    return {
      plainInsertPerSecond,
      hubMutationsPerSecond,
      hubBatchedMutationsPerSecond,
      ratio: hubBatchedMutationsPerSecond / plainInsertPerSecond,
      latencyMs: { p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat), pcs: 30, samples },
      catchUp: { mutations: queued, pushSeconds, freshPullSeconds },
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
  } finally {
    for (const w of workers) await w.stop();
    for (const s of stores) s.close();
    await hub.close();
    await owner.end();
    await server.stop();
  }
}

export function formatHubBench(r: HubBenchResult): string {
  const f = (x: number, d = 0) => x.toFixed(d);
  return [
    `hub: plain INSERT ${f(r.plainInsertPerSecond)}/s; hub ${f(r.hubBatchedMutationsPerSecond)} mutations/s from a queue ` +
      `(${f(r.ratio, 2)}x plain, target >= 0.3x); one write at a time through a whole sync cycle (push, pull, ` +
      `SQLite) ${f(r.hubMutationsPerSecond)}/s = ${f(1000 / r.hubMutationsPerSecond, 1)} ms each`,
    `hub: flag-to-visible on ${r.latencyMs.pcs} PCs (${r.latencyMs.samples} flags): p50 ${f(r.latencyMs.p50)} ms, ` +
      `p95 ${f(r.latencyMs.p95)} ms, max ${f(r.latencyMs.max)} ms (target p95 < 1000 ms)`,
    `hub: catch-up of ${r.catchUp.mutations} queued mutations ${f(r.catchUp.pushSeconds, 1)} s (target < 10 s); ` +
      `a fresh PC pulls them in ${f(r.catchUp.freshPullSeconds, 1)} s`,
    `hub: process RSS ${f(r.rssMb)} MB (hub + 30 PCs in one process)`,
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
