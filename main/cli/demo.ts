import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD, DEMO_USERS, type DemoSummary, generateDemo } from '../../db/demo';
import { openAppStore } from '../store-key';
import { writeExtracts } from '../jobs/profiles/extracts';
import { inboxDir } from '../paths';
import { CliHelp, CliUsageError, type OptionSpecs, type OptionValues, parseCliOptions } from './args';
import { startHeartbeat } from './heartbeat';

/**
 * `crm demo [--customers N] [--seed S] [--db PATH] [--txns-per-customer N] [--fresh]`: fills a store with
 * the deterministic demo branch. Progress goes to stderr (at most about once a second), the one summary
 * line to stdout. An existing store that already holds customers is reused unless --fresh is given, so
 * `npm run demo` twice does not regenerate a million customers.
 */
export const DEMO_USAGE = `Usage: crm demo [--customers N] [--seed S] [--db PATH] [--txns-per-customer N] [--fresh]
  --customers N          customers to generate (default 500; up to 1,000,000 and more)
  --seed S               random seed (default 20261123); the same seed gives the same data
  --db PATH              store file (default .data/demo.db)
  --txns-per-customer N  average transactions per customer over the year (default 20)
  --fresh                delete an existing store file first
  --extracts / --no-extracts
                         also write the branch as nightly extract files into the store's import
                         folder (default: yes up to 100,000 customers), to try the import path
`;

export const DEFAULT_DEMO_DB = path.join('.data', 'demo.db');

export interface DemoArgs {
  customers: number;
  seed: number | undefined;
  db: string;
  txnsPerCustomer: number | undefined;
  fresh: boolean;
  /** null: decide by size. */
  extracts: boolean | null;
}

/** The options of `crm demo` (main/cli/args.ts reads them). */
const DEMO_OPTIONS = {
  customers: { type: 'string' },
  seed: { type: 'string' },
  'txns-per-customer': { type: 'string' },
  db: { type: 'string' },
  fresh: { type: 'boolean' },
  extracts: { type: 'boolean' },
  'no-extracts': { type: 'boolean' },
} as const satisfies OptionSpecs;

/** Parses `--name value` and `--name=value`; throws a message fit for the user on anything else. */
export function parseDemoArgs(args: readonly string[]): DemoArgs {
  const out: DemoArgs = {
    customers: 500,
    seed: undefined,
    db: DEFAULT_DEMO_DB,
    txnsPerCustomer: undefined,
    fresh: false,
    extracts: null,
  };
  const int = (name: string, text: string | undefined, min: number): number => {
    if (text === undefined || !/^\d[\d_,]*$/.test(text))
      throw new Error(`${name} needs a whole number, got ${text ?? 'nothing'}`);
    const v = Number(text.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(v) || v < min) throw new Error(`${name} must be at least ${min}, got ${text}`);
    return v;
  };
  let v: OptionValues<typeof DEMO_OPTIONS>;
  try {
    v = parseCliOptions(args, DEMO_OPTIONS);
  } catch (e) {
    if (!(e instanceof CliUsageError) || e.reason === 'unknown') throw e;
    if (e.option === '--db') throw new Error('--db needs a file path');
    throw new Error(`${e.option} needs a whole number, got nothing`);
  }
  if (v.customers !== undefined) out.customers = int('--customers', v.customers, 1);
  if (v.seed !== undefined) out.seed = int('--seed', v.seed, 0);
  if (v['txns-per-customer'] !== undefined) out.txnsPerCustomer = int('--txns-per-customer', v['txns-per-customer'], 0);
  if (v.db !== undefined) out.db = v.db;
  out.fresh = v.fresh === true;
  // --extracts and --no-extracts: the last one given counts
  if (v.extracts || v['no-extracts']) out.extracts = args.lastIndexOf('--extracts') > args.lastIndexOf('--no-extracts');
  return out;
}

function removeStore(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function summaryLine(file: string, s: DemoSummary): string {
  const manager = DEMO_USERS.find((u) => u.role === 'manager')?.username ?? 'manager1';
  return (
    `demo store ready: ${file} | ${s.branches} branches, ${s.staff} staff, ${s.users} users, ${fmt(s.customers)} customers, ` +
    `${fmt(s.accounts)} accounts, ${fmt(s.transactions)} transactions, ${fmt(s.loans)} loans, ${fmt(s.termDeposits)} term deposits, ` +
    `${fmt(s.wealthHoldings)} wealth holdings, ${fmt(s.dailyBalances)} daily balances | ${s.seconds.toFixed(1)} s ` +
    `| sign in as ${manager} / ${DEMO_PASSWORD}`
  );
}

function duration(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * Throttled progress printer: a line when a phase starts or ends and otherwise at most once a second,
 * with the phase's rate and an estimate of the time it has left. Steps that block for longer (an index
 * over 20M rows, a reporting step) get "still working" lines from the heartbeat (./heartbeat.ts).
 */
export function progressPrinter(
  write: (line: string) => void,
  now: () => number = () => performance.now(),
): (p: { phase: string; done: number; total: number }) => void {
  let last = -Infinity;
  let phase = '';
  let phaseStart = 0;
  return (p) => {
    const t = now();
    const starts = p.phase !== phase;
    if (starts) {
      phase = p.phase;
      phaseStart = t;
    }
    const ends = p.done >= p.total;
    if (!starts && !ends && t - last < 1000) return;
    last = t;
    const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : '100.0';
    const secs = (t - phaseStart) / 1000;
    const rate = p.phase === 'customers' && secs > 0 ? `, ${fmt(Math.round(p.done / secs))} customers/s` : '';
    const eta =
      !ends && p.done > 0 && secs >= 1 ? `, about ${duration((secs / p.done) * (p.total - p.done))} left` : '';
    const took = ends && secs >= 1 ? `, ${duration(secs)}` : '';
    write(`demo: ${p.phase} ${pct}% (${fmt(p.done)}/${fmt(p.total)})${rate}${eta}${took}`);
  };
}

export async function runDemoCommand(args: string[]): Promise<number> {
  let opts: DemoArgs;
  try {
    opts = parseDemoArgs(args);
  } catch (err) {
    if (err instanceof CliHelp) {
      process.stdout.write(DEMO_USAGE);
      return 0;
    }
    process.stderr.write(`demo: ${(err as Error).message}\n${DEMO_USAGE}`);
    return 64;
  }
  const file = path.resolve(opts.db);
  if (opts.fresh) removeStore(file);
  const existed = existsSync(file) && statSync(file).size > 0;
  const { db } = await openAppStore(file);
  try {
    if (existed) {
      const { n } = db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number };
      if (n > 0) {
        process.stdout.write(
          `demo store reused: ${file} already holds ${fmt(n)} customers (pass --fresh to regenerate)\n`,
        );
        return 0;
      }
    }
    const beat = startHeartbeat();
    let summary: DemoSummary;
    try {
      summary = await generateDemo(db, {
        customers: opts.customers,
        seed: opts.seed,
        txnsPerCustomer: opts.txnsPerCustomer,
        onProgress: progressPrinter((line) => beat.line(line)),
      });
    } finally {
      await beat.stop();
    }
    // Fold the WAL back into the main file so the store is a single file to copy around.
    db.pragma('wal_checkpoint(TRUNCATE)');
    process.stdout.write(`${summaryLine(file, summary)}\n`);
    if (opts.extracts ?? opts.customers <= 100_000) {
      const dir = inboxDir(file);
      const written = await writeExtracts(db, dir);
      process.stdout.write(
        `demo extracts written to ${dir}: ${written.map((w) => path.basename(w.file)).join(', ')}\n`,
      );
    }
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /empty store/.test(message) ? ' (pass --fresh to start from a new file)' : '';
    process.stderr.write(`demo: generation failed: ${message}${hint}\n`);
    return 1;
  } finally {
    db.close();
  }
}
