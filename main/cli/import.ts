import path from 'node:path';
import { openAppStore } from '../store-key';
import { rememberedStoreKey } from '../../db/cipher';
import { columnsCachePath } from '../../db/customer-columns-cache';
import { defaultDbPath, rejectsDir } from '../paths';
import { ENCODINGS, profileSchema, type Encoding, type ImportProfile } from '../../shared/imports';
import { runAfterImport } from '../jobs/after-import';
import { runImport, type JobOutcome } from '../jobs/engine/run';
import { systemClock } from '../clock';
import { BUILTIN } from '../jobs/profiles/builtin';
import { profilesRepo } from '../jobs/profiles/store';
import { CliHelp, type OptionSpecs, parseCliOptions } from './args';

/**
 * `crm import --profile P --file F`: one import job with no one at the desk (a scheduled task).
 * Same engine and guarantees as the window: one transaction, rejects file, audit entry. One log
 * line on stdout says what happened; progress goes to stderr. Exit codes, for the task scheduler:
 *   0 committed (rejects within --tolerance, if any)   3 same file already imported (nothing done)
 *   4 failed, store unchanged (bad file, too many rejects, disk full)   5 cancelled (Ctrl+C)
 *   64 usage error   1 anything unexpected
 */
export const IMPORT_USAGE = `Usage: crm import --profile NAME --file PATH [options]
  --profile NAME       a profile saved in the store, or a built-in alias: ${BUILTIN.map((b) => b.alias).join(', ')}
  --file PATH          the extract to load
  --db PATH            the store (default: CRM_DB, or the app's store)
  --tolerance N        rejected rows accepted before the job fails (default 0)
  --encoding E         override the detected encoding (${ENCODINGS.join(', ')})
  --allow-duplicate    import even if the same file was imported before
  --help               this text
`;

export const EXIT = { ok: 0, duplicate: 3, failed: 4, cancelled: 5, usage: 64, internal: 1 } as const;

interface ImportArgs {
  profile: string;
  file: string;
  db: string;
  tolerance: number;
  encoding?: Encoding;
  allowDuplicate: boolean;
}

/** The options of `crm import` (main/cli/args.ts reads them). */
const IMPORT_OPTIONS = {
  profile: { type: 'string' },
  file: { type: 'string' },
  db: { type: 'string' },
  tolerance: { type: 'string' },
  encoding: { type: 'string' },
  'allow-duplicate': { type: 'boolean' },
} as const satisfies OptionSpecs;

/** The arguments; throws a message fit for the user on a usage error (CliHelp for `--help`). */
export function parseImportArgs(args: readonly string[]): ImportArgs {
  const v = parseCliOptions(args, IMPORT_OPTIONS);
  if (v.tolerance !== undefined && !/^\d+$/.test(v.tolerance))
    throw new Error(`--tolerance needs a whole number, got ${v.tolerance}`);
  const encoding = v.encoding?.toLowerCase();
  if (encoding !== undefined && !(ENCODINGS as readonly string[]).includes(encoding))
    throw new Error(`--encoding must be one of ${ENCODINGS.join(', ')}`);
  if (!v.profile) throw new Error('--profile is required');
  if (!v.file) throw new Error('--file is required');
  return {
    profile: v.profile,
    file: v.file,
    db: v.db ?? defaultDbPath(),
    tolerance: v.tolerance === undefined ? 0 : Number(v.tolerance),
    encoding: encoding as Encoding | undefined,
    allowDuplicate: v['allow-duplicate'] === true,
  };
}

function exitFor(o: JobOutcome): number {
  if (o.status === 'committed') return EXIT.ok;
  if (o.status === 'cancelled') return EXIT.cancelled;
  if (o.error?.code === 'IMPORT_DUPLICATE_FILE') return EXIT.duplicate;
  return o.error?.code === 'INTERNAL' ? EXIT.internal : EXIT.failed;
}

export function outcomeLine(file: string, o: JobOutcome): string {
  const base =
    `import ${o.status}: job ${o.jobId} ${path.basename(file)} | read ${o.rowsRead}, inserted ${o.rowsInserted}, updated ${o.rowsUpdated}, ` +
    `unchanged ${o.rowsUnchanged}, rejected ${o.rowsRejected} | ${o.seconds.toFixed(1)} s`;
  const err = o.error ? ` | ${o.error.code} ${JSON.stringify(o.error.details)}` : '';
  const rej = o.rejects ? ` | rejects file: ${o.rejects.file}` : '';
  return base + err + rej;
}

export async function runImportCommand(args: string[]): Promise<number> {
  let a: ImportArgs;
  try {
    a = parseImportArgs(args);
  } catch (e) {
    if (e instanceof CliHelp) {
      process.stdout.write(IMPORT_USAGE);
      return EXIT.ok;
    }
    process.stderr.write(`import: ${(e as Error).message}\n${IMPORT_USAGE}`);
    return EXIT.usage;
  }
  const dbPath = path.resolve(a.db);
  const { db } = await openAppStore(dbPath);
  let cancelled = false;
  const onSigint = () => {
    cancelled = true;
    process.stderr.write('import: cancelling, rolling back...\n');
  };
  process.on('SIGINT', onSigint);
  try {
    let profile: ImportProfile | undefined = BUILTIN.find((b) => b.alias === a.profile)?.profile;
    profile ??= profilesRepo(db).byName(a.profile)?.profile;
    if (!profile) {
      process.stderr.write(`import: no profile named ${a.profile}\n${IMPORT_USAGE}`);
      return EXIT.usage;
    }
    profile = profileSchema.parse(profile);
    let last = 0;
    const outcome = await runImport(db, {
      file: path.resolve(a.file),
      profile,
      tolerance: a.tolerance,
      allowDuplicate: a.allowDuplicate,
      encoding: a.encoding,
      source: 'cli',
      rejectsDir: rejectsDir(dbPath),
      reasonHeader: '拒绝原因',
      cancelled: () => cancelled,
      // The morning's start-up updates the grid's columns from this night load instead of building them.
      columnsCache: { path: columnsCachePath(dbPath), key: rememberedStoreKey(dbPath) },
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 2000 || p.phase !== 'reading') return;
        last = now;
        const pct = p.totalBytes ? ((100 * p.bytesRead) / p.totalBytes).toFixed(1) : '?';
        process.stderr.write(`import: ${pct}% ${p.rowsRead} rows read, ${p.rowsRejected} rejected\n`);
      },
    });
    process.stdout.write(`${outcomeLine(a.file, outcome)}\n`);
    if (outcome.status === 'committed') {
      for (const r of runAfterImport(db, { today: systemClock.today(), reason: 'import', jobId: outcome.jobId })) {
        if (!r.ok) process.stderr.write(`import: follow-up step ${r.name} failed: ${r.error}\n`);
      }
    }
    return exitFor(outcome);
  } finally {
    process.off('SIGINT', onSigint);
    db.close();
  }
}
