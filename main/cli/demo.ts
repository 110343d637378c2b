import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD, DEMO_USERS, type DemoSummary, generateDemo } from '../../db/demo';
import { openAppStore } from '../store-key';
import { writeExtracts } from '../jobs/profiles/extracts';
import { inboxDir } from '../paths';
import {
  CliArgError,
  CliUsageError,
  type OptionSpecs,
  type OptionValues,
  parseCommandOptions,
  usageAnswer,
} from './args';
import { startHeartbeat } from './heartbeat';
import { cliLang, duration, type Lang, num, say, secs, stillWorking } from './i18n';

/**
 * `crm demo [--customers N] [--seed S] [--db PATH] [--txns-per-customer N] [--fresh] [--lang zh-CN|en]`:
 * fills a store with the deterministic demo branch. Progress goes to stderr (at most about once a
 * second), the one summary line to stdout. An existing store that already holds customers is reused
 * unless --fresh is given, so `npm run demo` twice does not regenerate a million customers. Every line
 * in the language of main/cli/i18n.ts (--lang, CRM_LANG, zh-CN).
 */
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

/** Parses `--name value` and `--name=value`; throws a CliArgError (or CliUsageError, CliHelp) on anything else. */
export function parseDemoArgs(args: readonly string[]): DemoArgs {
  const out: DemoArgs = {
    customers: 500,
    seed: undefined,
    db: DEFAULT_DEMO_DB,
    txnsPerCustomer: undefined,
    fresh: false,
    extracts: null,
  };
  const command = 'demo';
  const int = (option: string, text: string | undefined, min: number): number => {
    if (text === undefined) throw new CliArgError('wholeNumberNone', { command, option });
    if (!/^\d[\d_,]*$/.test(text)) throw new CliArgError('wholeNumber', { command, option, value: text });
    const v = Number(text.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(v) || v < min) throw new CliArgError('atLeast', { command, option, min, value: text });
    return v;
  };
  let v: OptionValues<typeof DEMO_OPTIONS & { lang: { type: 'string' } }>;
  try {
    v = parseCommandOptions(command, args, DEMO_OPTIONS);
  } catch (e) {
    if (!(e instanceof CliUsageError) || e.reason === 'unknown') throw e;
    if (e.option === '--db') throw new CliArgError('filePath', { command });
    throw new CliArgError('wholeNumberNone', { command, option: e.option });
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

function summaryLine(lang: Lang, file: string, s: DemoSummary): string {
  const manager = DEMO_USERS.find((u) => u.role === 'manager')?.username ?? 'manager1';
  return say(lang, 'cli.demo.ready', {
    file,
    branches: num(s.branches),
    staff: num(s.staff),
    users: num(s.users),
    customers: num(s.customers),
    accounts: num(s.accounts),
    transactions: num(s.transactions),
    loans: num(s.loans),
    termDeposits: num(s.termDeposits),
    wealthHoldings: num(s.wealthHoldings),
    dailyBalances: num(s.dailyBalances),
    time: secs(lang, s.seconds),
    user: manager,
    password: DEMO_PASSWORD,
  });
}

/**
 * Throttled progress printer: a line when a phase starts or ends and otherwise at most once a second,
 * with the phase's rate and an estimate of the time it has left. Steps that block for longer (an index
 * over 20M rows, a reporting step) get "still working" lines from the heartbeat (./heartbeat.ts).
 */
export function progressPrinter(
  write: (line: string) => void,
  now: () => number = () => performance.now(),
  lang: Lang = 'en',
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
    const secs = (t - phaseStart) / 1000;
    const left = (secs / p.done) * (p.total - p.done);
    write(
      say(lang, 'cli.demo.progress', {
        phase: say(lang, `cli.demo.phase.${p.phase}`),
        pct: p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : '100.0',
        done: num(p.done),
        total: num(p.total),
        rate:
          p.phase === 'customers' && secs > 0 ? say(lang, 'cli.demo.rate', { n: num(Math.round(p.done / secs)) }) : '',
        eta: !ends && p.done > 0 && secs >= 1 ? say(lang, 'cli.demo.eta', { time: duration(lang, left) }) : '',
        took: ends && secs >= 1 ? say(lang, 'cli.demo.took', { time: duration(lang, secs) }) : '',
      }),
    );
  };
}

export async function runDemoCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  let opts: DemoArgs;
  try {
    opts = parseDemoArgs(args);
  } catch (err) {
    return usageAnswer(err, lang, 'demo', say(lang, 'cli.demo.usage'));
  }
  const file = path.resolve(opts.db);
  if (opts.fresh) removeStore(file);
  const existed = existsSync(file) && statSync(file).size > 0;
  const { db } = await openAppStore(file);
  try {
    if (existed) {
      const { n } = db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number };
      if (n > 0) {
        process.stdout.write(`${say(lang, 'cli.demo.reused', { file, customers: num(n) })}\n`);
        return 0;
      }
    }
    const beat = startHeartbeat(stillWorking(lang));
    let summary: DemoSummary;
    try {
      summary = await generateDemo(db, {
        customers: opts.customers,
        seed: opts.seed,
        txnsPerCustomer: opts.txnsPerCustomer,
        onProgress: progressPrinter((line) => beat.line(line), undefined, lang),
      });
    } finally {
      await beat.stop();
    }
    // Fold the WAL back into the main file so the store is a single file to copy around.
    db.pragma('wal_checkpoint(TRUNCATE)');
    process.stdout.write(`${summaryLine(lang, file, summary)}\n`);
    if (opts.extracts ?? opts.customers <= 100_000) {
      const dir = inboxDir(file);
      const written = await writeExtracts(db, dir);
      const files = written.map((w) => path.basename(w.file)).join(', ');
      process.stdout.write(`${say(lang, 'cli.demo.extracts', { dir, files })}\n`);
    }
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // a store with other data in it (generateDemo refuses it); anything else in the generator's own words
    const line = /empty store/.test(message)
      ? say(lang, 'cli.demo.notEmpty', { file })
      : say(lang, 'cli.demo.failed', { message });
    process.stderr.write(`${line}\n`);
    return 1;
  } finally {
    db.close();
  }
}
