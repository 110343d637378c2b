/**
 * Demo-generator benchmark: generation time, rows per second and the size of the resulting store.
 *   node --import tsx test/bench/generate.ts --customers 100000 [--txns-per-customer 20] [--dir /tmp] [--keep]
 * The store goes to a fresh temp folder that is deleted afterwards (unless --keep), since a
 * million-customer store takes several GB.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DemoSummary, generateDemo } from '../../db/demo';
import { openStore } from '../../db/open';
import { progressPrinter } from '../../main/cli/demo';
import { startHeartbeat } from '../../main/cli/heartbeat';

export interface BenchResult {
  seconds: number;
  fileBytes: number;
  summary: DemoSummary;
  /** Wall-clock seconds per generator phase (organisation, customers, indexes, analyze). */
  phases: Record<string, number>;
  file: string;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export async function benchGenerate(opts: {
  customers: number;
  txnsPerCustomer: number;
  seed?: number;
  dir?: string;
  keep?: boolean;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
}): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(opts.dir ?? os.tmpdir(), 'crm-bench-'));
  const file = path.join(dir, 'bench.db');
  const phases: Record<string, number> = {};
  let phase = '';
  let phaseStart = 0;
  try {
    const { db } = await openStore(file);
    // Without a listener of its own, the run prints the demo command's progress lines to stderr (phases,
    // estimates, and "still working" while one statement blocks for minutes at full size).
    const beat = opts.onProgress ? null : startHeartbeat();
    const print = beat ? progressPrinter((line) => beat.line(`  ${line}`)) : null;
    try {
      const started = performance.now();
      phaseStart = started;
      const summary = await generateDemo(db, {
        customers: opts.customers,
        txnsPerCustomer: opts.txnsPerCustomer,
        seed: opts.seed,
        onProgress: (p) => {
          const now = performance.now();
          if (p.phase !== phase) {
            if (phase) phases[phase] = (now - phaseStart) / 1000;
            phase = p.phase;
            phaseStart = now;
          }
          opts.onProgress?.(p);
          print?.(p);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      if (phase) phases[phase] = (performance.now() - phaseStart) / 1000;
      // What a user would copy: the main file plus whatever the WAL still holds after a checkpoint.
      db.pragma('wal_checkpoint(TRUNCATE)');
      const fileBytes = sizeOf(file) + sizeOf(`${file}-wal`);
      return { seconds, fileBytes, summary, phases, file };
    } finally {
      await beat?.stop();
      db.close();
    }
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function totalRows(s: DemoSummary): number {
  return (
    s.branches +
    s.staff +
    s.users +
    s.customers +
    s.accounts +
    s.transactions +
    s.loans +
    s.termDeposits +
    s.wealthHoldings +
    s.dailyBalances
  );
}

export function formatBench(r: BenchResult): string {
  const s = r.summary;
  const rows = totalRows(s);
  const n = (v: number): string => Math.round(v).toLocaleString('en-US');
  const lines: [string, string][] = [
    ['customers', n(s.customers)],
    ['transactions', n(s.transactions)],
    ['accounts', n(s.accounts)],
    ['daily balances', n(s.dailyBalances)],
    ['term deposits / wealth / loans', `${n(s.termDeposits)} / ${n(s.wealthHoldings)} / ${n(s.loans)}`],
    ['rows (main tables)', n(rows)],
    ['generation time', `${r.seconds.toFixed(1)} s`],
    ...Object.entries(r.phases).map(([k, v]): [string, string] => [`  phase ${k}`, `${v.toFixed(1)} s`]),
    ['rows/s', n(rows / r.seconds)],
    ['transactions/s', n(s.transactions / r.seconds)],
    ['customers/s', n(s.customers / r.seconds)],
    ['store size (db + wal)', `${(r.fileBytes / 1024 / 1024).toFixed(1)} MiB`],
    ['bytes per transaction', n(r.fileBytes / Math.max(1, s.transactions))],
  ];
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function parseArgs(argv: string[]): { customers: number; txnsPerCustomer: number; dir?: string; keep: boolean } {
  const out = { customers: 100_000, txnsPerCustomer: 20, dir: undefined as string | undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--customers') out.customers = Number(argv[++i]);
    else if (a === '--txns-per-customer') out.txnsPerCustomer = Number(argv[++i]);
    else if (a === '--dir') out.dir = argv[++i];
    else if (a === '--keep') out.keep = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(out.customers) || out.customers < 1) throw new Error('--customers needs a positive integer');
  return out;
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2));
  benchGenerate(args).then(
    (r) => {
      process.stdout.write(`${formatBench(r)}\n${args.keep ? `kept: ${r.file}\n` : ''}`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
