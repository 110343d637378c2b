/**
 * The grid's first seconds (issue 18.1): page / count / quick-stats p95 at 1 s, 3 s and 10 s after a
 * start-up and after an import of N changed customers, next to the figures once settled, each next to
 * the same-run way it was before (a start-up without the columns' cache; start-up and import with the
 * background work at once and at the window's priority, with the ratio now / before per window; an
 * import whose columns are built again in full rather than updated from its delta), when the follow-up
 * steps ran; and the columns' load time from the cache vs a full build. Each window's line also gives
 * the window's thread's garbage-collection pauses in it (all, and the full collections among them).
 *
 *   node --import tsx test/bench/startup.ts --db STORE [--changed 50000] [--samples 20] [--keep-cache]
 *   npm run bench -- --only startup --db STORE [--changed 50000]
 *
 * The store is changed by the imports (three slices of its customers get another manager and a changed
 * name) and brought up to this release first (migrations): use a copy. A window "at T s" is `samples`
 * rounds (20 by default: the p95 of fewer is their largest, one pause decides it) of count, page and
 * stats as the president (the whole book) starting T s after the event; when the previous window is
 * still running at T it starts when that one ends, and the line says when it ran. Each p95 is printed
 * with the window's largest sample.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { openConnection, rememberedStoreKey } from '../../db/cipher';
import { buildColumns, freshColumns } from '../../db/customer-columns';
import { columnsCachePath, readColumnsCache, readColumnsState } from '../../db/customer-columns-cache';
import { SORT_SQL } from '../../db/customer-field-sql';
import { fixedClock } from '../../main/clock';
import { runImport } from '../../main/jobs/engine/run';
import { BUILTIN } from '../../main/jobs/profiles/builtin';
import { writeExtracts } from '../../main/jobs/profiles/extracts';
import { log } from '../../main/log';
import { createRegistry } from '../../main/registry';
import { createServices, type Services } from '../../main/services';
import { keyFilePath } from '../../main/store-key';
import type { GridFilter, GridSort } from '../../shared/api';
import { pct, signedIn } from './support';

const TODAY = '2026-10-31';
const CIF = BUILTIN.find((b) => b.alias === 'cif')!;

const FILTERS: GridFilter[] = [
  {},
  { tiers: ['gold', 'quality'] },
  { aumMin: '100000' },
  { inactiveDays: 180 },
  { kinds: ['corporate'] },
];
const SORTS: GridSort[] = [
  [{ col: 'aum', dir: 'desc' }],
  [{ col: 'name', dir: 'asc' }],
  [{ col: 'managerName', dir: 'asc' }],
  [{ col: 'lastTxnOn', dir: 'asc' }],
  [{ col: 'customerNo', dir: 'asc' }],
];

interface Window {
  label: string;
  from: number;
  to: number;
  page: number[];
  count: number[];
  stats: number[];
  columns: number;
  /** The main thread's garbage-collection pauses in the window (ms): full (mark-compact) and all. */
  gcFull: number[];
  gcAll: number[];
}

/** Every garbage-collection pause of this (the window's) thread: start (performance.now() ms), duration, kind. */
const gcPauses: { at: number; ms: number; full: boolean }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    gcPauses.push({ at: e.startTime, ms: e.duration, full: kind === constants.NODE_PERFORMANCE_GC_MAJOR });
  }
}).observe({ entryTypes: ['gc'] });

/** Columns events from the app's log: what installed them and when. */
const events: { at: number; msg: string; ms?: number; note?: string }[] = [];
/** The follow-up steps' runs from the app's log: when each was deferred to and when it finished. */
const followUpEvents: { at: number; msg: string; reason: string; ms: number; steps?: string[] }[] = [];
const info = log.info.bind(log);
log.info = (msg: string, meta?: Record<string, unknown>) => {
  if (msg.startsWith('customer columns'))
    events.push({ at: performance.now(), msg, ms: meta?.ms as number, note: meta?.note as string });
  if (msg.startsWith('follow-up'))
    followUpEvents.push({
      at: performance.now(),
      msg,
      reason: String(meta?.reason),
      ms: Number(meta?.ms),
      steps: meta?.steps as string[] | undefined,
    });
  if (!msg.startsWith('customer columns') && !msg.startsWith('follow-up')) return;
  info(msg, meta);
};

/** When the follow-up run after t0 started and finished (the app's log), for the lines under a timeline. */
function followUpsAfter(t0: number, reason: string): string {
  const fin = followUpEvents.find((e) => e.at >= t0 && e.msg === 'follow-up steps finished' && e.reason === reason);
  if (!fin) return `follow-ups (${reason}): not finished`;
  const end = (fin.at - t0) / 1000;
  const deferred = followUpEvents.some(
    (e) => e.at >= t0 - 1000 && e.at <= fin.at && e.msg === 'follow-up steps deferred' && e.reason === reason,
  );
  return `follow-ups (${reason}): ran ${(end - fin.ms / 1000).toFixed(1)}-${end.toFixed(1)} s${deferred ? ' (deferred, then a quiet moment)' : ''}: ${(fin.steps ?? []).join(', ')}`;
}

type Caller = { registry: ReturnType<typeof createRegistry>; sessions: Record<string, string>; timed: Timed };
type Timed = Awaited<ReturnType<typeof signedIn>>['timed'];

/** A window of views; stops early after `capSeconds` (the SQL path under load takes seconds a view). */
async function views(
  services: Services,
  caller: Caller,
  t0: number,
  label: string,
  at: number,
  samples: number,
  capSeconds = 20,
): Promise<Window> {
  const { registry, sessions, timed } = caller;
  while (performance.now() - t0 < at * 1000) await new Promise((r) => setTimeout(r, 5));
  const began = performance.now();
  const w: Window = {
    label,
    from: (performance.now() - t0) / 1000,
    to: 0,
    page: [],
    count: [],
    stats: [],
    columns: 0,
    gcFull: [],
    gcAll: [],
  };
  for (let i = 0; i < samples && performance.now() - began < capSeconds * 1000; i++) {
    const filter = FILTERS[(i + at) % FILTERS.length]!;
    const sort = SORTS[(i * 3 + at) % SORTS.length]!;
    if (freshColumns(services.db)) w.columns++;
    let t = performance.now();
    const c = await registry.dispatch(
      { method: 'customers.gridCount', input: { filter }, session: sessions.president! },
      { adapter: 'test' },
    );
    w.count.push(performance.now() - t);
    if (!c.ok) throw new Error(`gridCount: ${JSON.stringify(c.error)}`);
    const n = (c.value as { filtered: number }).filtered;
    const depth = Math.floor((((i * 7919 + at) % 1000) / 1000) * Math.max(0, n - 100));
    w.page.push(await timed('president', 'customers.grid', { filter, sort, offset: depth, limit: 100 }));
    t = performance.now();
    await timed('president', 'customers.quickStats', { filter });
    w.stats.push(performance.now() - t);
    await new Promise((r) => setImmediate(r));
  }
  w.to = (performance.now() - t0) / 1000;
  // Observer entries arrive after the pause: one turn of the loop for the last ones.
  await new Promise((r) => setImmediate(r));
  for (const g of gcPauses) {
    if (g.at < began || g.at > t0 + w.to * 1000) continue;
    w.gcAll.push(g.ms);
    if (g.full) w.gcFull.push(g.ms);
  }
  return w;
}

async function timeline(
  services: Services,
  t0: number,
  samples: number,
  print: (s: string) => void,
  baseline?: Window[],
): Promise<Window[]> {
  const registry = createRegistry(services);
  const caller: Caller = { registry, ...(await signedIn(registry, ['president'])) };
  const rows: Window[] = [];
  for (const at of [1, 3, 10]) rows.push(await views(services, caller, t0, `at ${at} s`, at, samples));
  const settleFrom = performance.now();
  while (!freshColumns(services.db) || services.followUps.busy() !== null) {
    if (performance.now() - settleFrom > 600_000) throw new Error('not settled in 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
  rows.push(await views(services, caller, t0, 'settled', 0, samples * 2, 60));
  for (const w of rows) {
    const p95 = (xs: number[]) => `${pct(xs, 95).toFixed(0).padStart(5)} (max ${Math.max(...xs).toFixed(0)})`;
    const b = baseline?.find((x) => x.label === w.label);
    const ratio = (k: 'page' | 'count' | 'stats') => (b ? (pct(w[k], 95) / pct(b[k], 95)).toFixed(2) : '');
    print(
      `    ${w.label.padEnd(8)} [${w.from.toFixed(1)}-${w.to.toFixed(1)} s] page p95 ${p95(w.page)} ms, count p95 ${p95(w.count)} ms, stats p95 ${p95(w.stats)} ms (targets 30 / 100 / 100; columns served ${w.columns}/${w.page.length})${b ? `; vs before ${ratio('page')} / ${ratio('count')} / ${ratio('stats')} x` : ''}; ${gcLine(w)}`,
    );
  }
  return rows;
}

/** The window's main-thread GC pauses: full collections (count, total, longest) and all pauses' total. */
function gcLine(w: Window): string {
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  return `GC pauses ${sum(w.gcAll).toFixed(0)} ms, full ${w.gcFull.length} (${sum(w.gcFull).toFixed(0)} ms, longest ${Math.max(0, ...w.gcFull).toFixed(0)})`;
}

/** When the columns came in after t0, and how (the app's log). */
function columnsIn(t0: number): string {
  const e = events.find((x) => x.at >= t0 && !x.msg.includes('not'));
  if (!e) return 'columns: not installed';
  return `columns in ${((e.at - t0) / 1000).toFixed(1)} s (${e.msg}; worker ${e.ms} ms${e.note ? `; ${e.note}` : ''})`;
}

/** Two CIF files of `changed` customers each (disjoint slices), every one with another manager and name. */
export async function changedFiles(dbPath: string, dir: string, changed: number, slices = 2): Promise<string[]> {
  const db = openConnection(dbPath, { readonly: true, fileMustExist: true });
  let managers: string[];
  try {
    await writeExtracts(db, dir, { kinds: ['customers'] });
    managers = db
      .prepare(`SELECT employee_no FROM staff WHERE position = 'manager' ORDER BY id`)
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
  const full = path.join(dir, CIF.file);
  const lines = iconv.decode(readFileSync(full), 'gb18030').split('\r\n');
  rmSync(full);
  const header = lines[0]!;
  const body = lines.slice(1).filter((l) => l.length > 0);
  const d = CIF.profile.delimiter ?? ',';
  const titles = parse(header, { delimiter: d })[0] as string[];
  const at = (field: string) => titles.indexOf(CIF.profile.columns.find((c) => c.field === field)!.source as string);
  const mgrAt = at('manager_employee_no');
  const nameAt = at('name');
  const step = Math.max(slices, Math.floor(body.length / (slices * changed)));
  const quote = (s: string) => (/[",\r\n]/.test(s) || s.includes(d) ? `"${s.replaceAll('"', '""')}"` : s);
  const files: string[] = [];
  for (let slice = 0; slice < slices; slice++) {
    const out: string[] = [header];
    for (let i = slice; i < body.length && out.length <= changed; i += step) {
      const f = parse(body[i]!, { delimiter: d, relax_quotes: true })[0] as string[];
      f[mgrAt] = managers[(i + slice + 1) % managers.length]!;
      f[nameAt] = `${f[nameAt]}${'甲乙丙丁'[slice % 4]}`;
      out.push(f.map(quote).join(d));
    }
    const file = path.join(dir, `changed-${slice}.csv`);
    writeFileSync(file, iconv.encode(`${out.join('\r\n')}\r\n`, 'gb18030'));
    files.push(file);
  }
  return files;
}

export async function benchStartup(opts: {
  db: string;
  changed: number;
  samples: number;
  print: (s: string) => void;
  /** Skip the start-up without a cache when the store already has one (a long run at 1M under load). */
  keepCache?: boolean;
}): Promise<void> {
  const { print } = opts;
  const encrypt = existsSync(keyFilePath(opts.db));
  /**
   * `before`: the way it was before the background work gave way (issue 18.1): follow-ups at once, at
   * the window's priority, the page check at once. The environment is read by each worker as it starts.
   */
  const start = (before = false) => {
    if (before) process.env.CRM_BACKGROUND_NICE = '0';
    else delete process.env.CRM_BACKGROUND_NICE;
    return createServices({
      dbPath: opts.db,
      mode: 'browser',
      clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
      encrypt,
      columnsMinCustomers: 1, // any size (the app's own threshold is 50,000): --quick runs too
      ...(before ? { backgroundDelayMs: 0 } : {}),
    });
  };
  const n = (() => {
    const c = openConnection(opts.db, { readonly: true, fileMustExist: true });
    try {
      return (c.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    } finally {
      c.close();
    }
  })();
  print(`  store: ${n.toLocaleString('en-US')} customers (${(statSync(opts.db).size / 2 ** 30).toFixed(1)} GiB)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-startup-bench-'));
  const settle = async (services: Services) => {
    const t = performance.now();
    while (!freshColumns(services.db) || services.followUps.busy() !== null) {
      if (performance.now() - t > 900_000) throw new Error('not settled in 15 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    // 0. Once: the store brought up to this release (migrations, the columns' cache of its book) and settled.
    let t = performance.now();
    let services = await start();
    await services.refills.done; // the derived tables an upgrade refills, in its worker
    await settle(services);
    await services.close();
    print(
      `  (store opened, columns cached and follow-ups settled in ${((performance.now() - t) / 1000).toFixed(0)} s)`,
    );
    t = performance.now();
    const [fileA, fileB, fileC] = await changedFiles(opts.db, dir, opts.changed, 3);
    print(
      `  (three CIF files of ${opts.changed.toLocaleString('en-US')} changed customers made in ${((performance.now() - t) / 1000).toFixed(0)} s)`,
    );
    const cache = columnsCachePath(opts.db);

    // 1. Start-up without a cache: what every start-up was before the cache (a full build; SQL meanwhile).
    let t0 = performance.now();
    if (opts.keepCache) print('  start-up without a cache: skipped (--keep-cache)');
    else {
      rmSync(cache, { force: true });
      services = await start();
      print(`  start-up without a cache (before: a full build, SQL answers meanwhile):`);
      await timeline(services, t0, opts.samples, print);
      print(`    ${columnsIn(t0)}`);
      await services.close();
    }

    /** An import of a changed-customers file through the app's queue (its delta updates the columns). */
    const viaQueue = async (file: string, label: string, baseline?: Window[]) => {
      const ticket = services.imports.submit({
        file,
        profile: CIF.profile,
        tolerance: 0,
        source: 'cli',
        userId: null,
        username: null,
      }).ticket;
      const ti = performance.now();
      const out = await services.imports.wait(ticket);
      if (out.status !== 'committed') throw new Error(`import: ${JSON.stringify(out.error)}`);
      const at = performance.now();
      print(
        `  after an import of ${out.rowsUpdated.toLocaleString('en-US')} changed customers through the queue, ${label} (job ${((at - ti) / 1000).toFixed(0)} s, of which its new columns ${((out.timings?.columns ?? 0) / 1000).toFixed(1)} s, made in its transaction):`,
      );
      const rows = await timeline(services, at, opts.samples, print, baseline);
      print(`    ${followUpsAfter(at, 'import')}`);
      return rows;
    };

    // 2. Start-up with the cache and an import, the way it was: background work at once, at the window's priority.
    t0 = performance.now();
    services = await start(true);
    print(`  start-up with the cache, before (follow-ups and page check at once, same priority):`);
    const startBefore = await timeline(services, t0, opts.samples, print);
    print(`    ${columnsIn(t0)}; ${followUpsAfter(t0, 'startup')}`);
    const importBefore = await viaQueue(fileA!, 'before (follow-ups at once, same priority)');
    await services.close();

    // 3. The same now: follow-ups deferred to a quiet moment at nice 10, the page check 35 s later.
    t0 = performance.now();
    services = await start();
    print(`  start-up with the cache, now (background work gives way):`);
    await timeline(services, t0, opts.samples, print, startBefore);
    print(`    ${columnsIn(t0)}; ${followUpsAfter(t0, 'startup')}`);
    await viaQueue(fileB!, 'now', importBefore);

    // 4. The same size of import the way it was before its delta: the columns are built again in full.
    const conn = openConnection(opts.db, { fileMustExist: true });
    conn.pragma('busy_timeout = 30000');
    conn.pragma('foreign_keys = ON');
    const tj = performance.now();
    // On this thread, which is no worker: the engine's second (parse) thread is for the queue's jobs.
    const threads = process.env.CRM_IMPORT_THREADS;
    process.env.CRM_IMPORT_THREADS = '1';
    const out = await runImport(conn, {
      file: fileC!,
      profile: CIF.profile,
      tolerance: 0,
      rejectsDir: path.join(dir, 'rejects'),
      source: 'cli',
    }).finally(() => {
      if (threads === undefined) delete process.env.CRM_IMPORT_THREADS;
      else process.env.CRM_IMPORT_THREADS = threads;
    });
    conn.close();
    if (out.status !== 'committed') throw new Error(`import C: ${JSON.stringify(out.error)}`);
    t0 = performance.now();
    // What the queue's onFinished does: the follow-up steps, and the columns asked for.
    services.followUps.schedule({ today: TODAY, reason: 'import', jobId: out.jobId });
    freshColumns(services.db);
    print(
      `  after an import of ${out.rowsUpdated.toLocaleString('en-US')} changed customers (job ${((t0 - tj) / 1000).toFixed(0)} s) without a delta (before it: a full build):`,
    );
    await timeline(services, t0, opts.samples, print);
    print(`    ${columnsIn(t0)}`);
    await services.close();

    // 5. Columns load time on this thread: the cache vs a full build.
    const key = rememberedStoreKey(opts.db);
    const c = openConnection(opts.db, { readonly: true, fileMustExist: true }, key);
    try {
      const state = readColumnsState(c)!;
      const loads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t1 = performance.now();
        const got = readColumnsCache(cache, state, SORT_SQL, key);
        if (!('data' in got)) throw new Error(`cache refused: ${got.refused}`);
        loads.push(performance.now() - t1);
      }
      const t2 = performance.now();
      const built = buildColumns(c, SORT_SQL);
      const buildMs = performance.now() - t2;
      print(
        `  columns load time: from the cache ${Math.min(...loads).toFixed(0)} ms (${(statSync(cache).size / 1e6).toFixed(0)} MB), full build ${buildMs.toFixed(0)} ms, ratio ${(buildMs / Math.min(...loads)).toFixed(0)} x`,
      );
      void built;
    } finally {
      c.close();
    }
  } finally {
    delete process.env.CRM_BACKGROUND_NICE;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const db = arg('--db');
  if (!db) throw new Error('--db STORE is required (a copy: the bench imports into it)');
  benchStartup({
    db,
    changed: Number(arg('--changed') ?? 50_000),
    samples: Number(arg('--samples') ?? 20),
    keepCache: argv.includes('--keep-cache'),
    print: (s) => process.stdout.write(`${s}\n`),
  })
    .then(() => process.exit(0))
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
}
