/**
 * `npm run bench`: every benchmark, with figures and ratios against a baseline measured in the same
 * run (the machines are shared and noisy, so absolute numbers only mean something next to a baseline).
 *
 *   npm run bench                 # full size: 1M-row parse, 1M-customer/20M-transaction demo, 1M-row CIF
 *                                 # load, 20M-row journal (about 20 minutes, ~12 GB of temp files)
 *   npm run bench -- --quick      # a few minutes: 200k rows, 20k customers
 *   npm run bench -- --customers 100000 --import-customers 500000 --journal-customers 0
 *   npm run bench -- --only parse|demo|imports|hub|encryption
 *   npm run bench -- --only scores [--customers N] [--db STORE]  (customer scores, issue 20.1)
 *   npm run bench -- --only startup [--db STORE] [--changed 50000]  (the grid's first seconds, issue 18.1)
 *   npm run bench -- --only lab [--model-rows N] [--customers N] [--db STORE]  (model lab, issue 20.2)
 *
 * Baselines:
 *  - parse: csv-parse over the same decoded file (its fastest options), the library we would otherwise use;
 *  - demo generation: inserting already-made rows into an empty table with one prepared statement in
 *    50k-row transactions (the store's ceiling on this machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { benchGenerate, formatBench } from './generate';
import { benchDesktop } from './desktop';
import { benchReports } from './reports';
import { benchGrid } from './grid';
import { benchHub, formatHubBench } from './hub';
import { benchReferrals } from './referrals';
import { benchImports } from './imports';
import { benchParse, HEADER, type PhaseResult } from './parse';
import { benchReminders } from './reminders';
import { benchTiers } from './tiers';
import { benchOpportunities } from './opportunities';
import { benchModels } from './models';
import { benchLab } from './lab';
import { benchEncryption } from './encryption';
import { benchStartup } from './startup';
import { benchScores } from './scores';

interface Args {
  rows: number;
  customers: number;
  importCustomers: number;
  journalCustomers: number;
  modelRows: number;
  only?: string;
  /** `--only startup`: a store to use (a copy: the bench imports into it); else one is generated. */
  db?: string;
  changed: number;
  /** `--only startup`: skip the start-up without a cache (a long full build at 1M). */
  keepCache?: boolean;
}

function parseArgs(argv: string[]): Args {
  // Full size by default (what the issues' targets name); --quick for a few-minute run.
  const out: Args = {
    rows: 1_000_000,
    customers: 1_000_000,
    importCustomers: 1_000_000,
    journalCustomers: 1_000_000,
    modelRows: 1_000_000,
    changed: 50_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') out.rows = Number(argv[++i]);
    else if (a === '--customers') out.customers = Number(argv[++i]);
    else if (a === '--only') out.only = argv[++i];
    else if (a === '--db') out.db = argv[++i];
    else if (a === '--changed') out.changed = Number(argv[++i]);
    else if (a === '--keep-cache') out.keepCache = true;
    else if (a === '--quick')
      Object.assign(out, { rows: 200_000, customers: 20_000, importCustomers: 200_000, journalCustomers: 20_000 });
    else if (a === '--import-customers') out.importCustomers = Number(argv[++i]);
    else if (a === '--journal-customers') out.journalCustomers = Number(argv[++i]);
    else if (a === '--model-rows') out.modelRows = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['rows', 'customers'] as const) {
    if (!Number.isInteger(out[k]) || out[k] < 1) throw new Error(`--${k} needs a positive integer`);
  }
  return out;
}

/** The insert baseline: `rows` 12-column rows, one prepared statement, 50k-row transactions, WAL. */
export function baselineInsert(rows: number): { rowsPerSecond: number; seconds: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-base-'));
  const db = new Database(path.join(dir, 'base.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, no TEXT, name TEXT, a INTEGER, b INTEGER, c TEXT, d TEXT,
      e INTEGER, f TEXT, g TEXT, h INTEGER, i TEXT)`);
    const ins = db.prepare('INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
    const made: unknown[][] = [];
    for (let r = 0; r < Math.min(rows, 50_000); r++) {
      made.push([
        null,
        `C${String(r).padStart(10, '0')}`,
        '王小明',
        r * 137,
        r % 9,
        '2024-01-31',
        '13800138000',
        r,
        '110101199003071234',
        '北京市东城区',
        3,
        'x',
      ]);
    }
    const t0 = performance.now();
    let done = 0;
    while (done < rows) {
      const n = Math.min(50_000, rows - done);
      db.transaction(() => {
        for (let r = 0; r < n; r++) ins.run(made[r % made.length]);
      })();
      done += n;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, rowsPerSecond: Math.round(rows / seconds) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(label: string, r: PhaseResult): string {
  return `  ${label.padEnd(16)} ${r.rows.toLocaleString('en-US')} rows in ${r.seconds.toFixed(2)} s = ${r.rowsPerSecond.toLocaleString('en-US')} rows/s, peak RSS ${r.peakRssMb} MB`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`bench on node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB`);

  if (!args.only || args.only === 'parse') {
    out(`\n== parse: ${args.rows.toLocaleString('en-US')}-row GB18030 customer file, ${HEADER.length} columns`);
    const r = await benchParse(args.rows, { csvParse: true });
    out(fmt('ours: parse', r.parse));
    out(fmt('ours: +convert', r.convert));
    if (r.csv) {
      out(fmt('csv-parse', r.csv.fastest));
      out(fmt('csv-parse+info', r.csv.infoRaw));
      out(`  ratio parse / csv-parse            ${(r.parse.rowsPerSecond / r.csv.fastest.rowsPerSecond).toFixed(2)} x`);
      out(
        `  ratio parse+convert / csv-parse    ${(r.convert.rowsPerSecond / r.csv.fastest.rowsPerSecond).toFixed(2)} x`,
      );
    }
  }

  if (!args.only || args.only === 'demo') {
    out(`\n== demo generation: ${args.customers.toLocaleString('en-US')} customers`);
    const base = baselineInsert(Math.max(200_000, args.customers * 2));
    const g = await benchGenerate({ customers: args.customers, txnsPerCustomer: 20, keep: true });
    out(formatBench(g).replace(/^/gm, '  '));
    const s = g.summary;
    const rows =
      s.branches +
      s.staff +
      s.users +
      s.customers +
      s.accounts +
      s.transactions +
      s.loans +
      s.termDeposits +
      s.wealthHoldings +
      s.dailyBalances;
    out(`  baseline insert    ${base.rowsPerSecond.toLocaleString('en-US')} rows/s`);
    out(
      `  ratio demo rows/s / baseline       ${(rows / g.seconds / base.rowsPerSecond).toFixed(2)} x (generation includes making the rows, indexes and summaries)`,
    );
    try {
      out(`\n== customer workspace on that store`);
      await benchGrid({ db: g.file, samples: 40, print: out });
      out(`\n== reminders on that store`);
      await benchReminders({ db: g.file, print: out });
      out(`\n== opportunity rules, funnel and marketing lists on that store`);
      await benchOpportunities({ db: g.file, print: out });
      out(`\n== referrals and contact log on that store (queue, report, not contacted for N days, timeline)`);
      await benchReferrals({ db: g.file, print: out });
      out(`\n== desktops on that store (all widgets of a desktop in one call)`);
      await benchDesktop({ db: g.file, samples: 30, print: out });
      out(`\n== reports on that store (every report's data, president and manager; summaries rebuild)`);
      await benchReports({ db: g.file, samples: 20, print: out, rebuild: true });
      out(`\n== tier model on that store (factors, what-if, re-tier; last: it changes the store)`);
      await benchTiers({ db: g.file, print: out });
    } finally {
      rmSync(path.dirname(g.file), { recursive: true, force: true });
    }
  }

  if (!args.only || args.only === 'imports') {
    out(
      `\n== imports: ${args.importCustomers.toLocaleString('en-US')}-row customer file, journal of a ${args.journalCustomers.toLocaleString('en-US')}-customer branch`,
    );
    await benchImports({ customers: args.importCustomers, journalCustomers: args.journalCustomers, print: out });
  }

  if (!args.only || args.only === 'encryption') {
    // Its own store (100,000 customers at full size): two copies of it are served side by side.
    const customers = Math.min(args.customers, 100_000);
    out(
      `\n== encryption at rest: ${customers.toLocaleString('en-US')} customers, plaintext vs encrypted copies in this run`,
    );
    await benchEncryption({ customers, samples: 60, print: out });
  }

  if (args.only === 'startup') {
    // Only on request: the grid's first seconds after a start-up and an import (issue 18.1).
    let db = args.db;
    let made: string | null = null;
    if (!db) {
      out(`\n(generating a ${args.customers.toLocaleString('en-US')}-customer store for it)`);
      made = (await benchGenerate({ customers: args.customers, txnsPerCustomer: 2, keep: true })).file;
      db = made;
    }
    out(
      `\n== start-up and after-import windows of the grid, ${args.changed.toLocaleString('en-US')} changed customers`,
    );
    try {
      // 20 rounds a window: a p95 of fewer is its largest sample (one pause decides it); the max is printed too.
      await benchStartup({ db, changed: args.changed, samples: 20, keepCache: args.keepCache, print: out });
    } finally {
      if (made) rmSync(path.dirname(made), { recursive: true, force: true });
    }
  }

  if (args.only === 'scores') {
    // Only on request: contribution, loyalty, CLV and points of every customer (issue 20.1).
    let db = args.db;
    let made: string | null = null;
    if (!db) {
      out(`\n(generating a ${args.customers.toLocaleString('en-US')}-customer store for it)`);
      const t = performance.now();
      made = (await benchGenerate({ customers: args.customers, txnsPerCustomer: 20, keep: true })).file;
      out(`  generated in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      db = made;
    }
    out('\n== customer scores: full, incremental after a journal touching 1%, nothing changed (in a worker)');
    try {
      await benchScores({ db, print: out });
    } finally {
      if (made) rmSync(path.dirname(made), { recursive: true, force: true });
    }
  }

  if (args.only === 'lab') {
    // Only on request: the lab's learning and scoring at --model-rows, and end to end on a store.
    out('\n== model lab: training and scoring in a worker (issue 20.2)');
    await benchLab({
      rows: args.modelRows,
      customers: args.customers,
      ...(args.db ? { db: args.db } : {}),
      print: out,
    });
  }

  if (args.only === 'models') {
    // Only on request: it trains on a synthetic set of --model-rows rows (default 1,000,000).
    out(`\n== models: logistic and boosted on ${args.modelRows.toLocaleString('en-US')} x 60 synthetic rows`);
    await benchModels({ rows: args.modelRows, print: out });
  }

  if (!args.only || args.only === 'hub') {
    out('\n== branch hub: embedded PostgreSQL, 30 simulated PCs on loopback (baseline: plain INSERTs, same server)');
    out(formatHubBench(await benchHub({ quick: args.rows < 1_000_000 })));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
