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
import { describer, reasonHeader } from '../jobs/engine/reasons';
import type { ErrorDetails } from '../../shared/errors';
import { CliArgError, type OptionSpecs, parseCommandOptions, usageAnswer } from './args';
import { cliLang, errorText, type Lang, num, say, secs } from './i18n';

/**
 * `crm import --profile P --file F`: one import job with no one at the desk (a scheduled task).
 * Same engine and guarantees as the window: one transaction, rejects file, audit entry. One log
 * line on stdout says what happened; progress goes to stderr. Exit codes, for the task scheduler:
 *   0 committed (rejects within --tolerance, if any)   3 same file already imported (nothing done)
 *   4 failed, store unchanged (bad file, too many rejects, disk full)   5 cancelled (Ctrl+C)
 *   64 usage error   1 anything unexpected
 * Every line in the language of main/cli/i18n.ts (--lang, CRM_LANG, zh-CN), the rejects file's reason
 * column too; a failure in the screens' words, with its file, line and column.
 */
export function importUsage(lang: Lang): string {
  return say(lang, 'cli.import.usage', {
    aliases: BUILTIN.map((b) => b.alias).join(', '),
    encodings: ENCODINGS.join(', '),
  });
}

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

/** The arguments; throws a CliArgError naming the option on a bad value (CliHelp for `--help`). */
export function parseImportArgs(args: readonly string[]): ImportArgs {
  const v = parseCommandOptions('import', args, IMPORT_OPTIONS);
  const command = 'import';
  if (v.tolerance !== undefined && !/^\d+$/.test(v.tolerance))
    throw new CliArgError('wholeNumber', { command, option: '--tolerance', value: v.tolerance });
  const encoding = v.encoding?.toLowerCase();
  if (encoding !== undefined && !(ENCODINGS as readonly string[]).includes(encoding))
    throw new CliArgError('oneOf', { command, option: '--encoding', values: ENCODINGS.join(', '), value: v.encoding! });
  if (!v.profile) throw new CliArgError('required', { command, option: '--profile' });
  if (!v.file) throw new CliArgError('required', { command, option: '--file' });
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

/** The one line a job ends with, in the language: counts, time, the failure in words, the rejects file. */
export function outcomeLine(lang: Lang, file: string, o: JobOutcome): string {
  const base = say(lang, 'cli.import.outcome', {
    status: say(lang, `cli.import.status.${o.status}`),
    jobId: o.jobId,
    file: path.basename(file),
    read: num(o.rowsRead),
    inserted: num(o.rowsInserted),
    updated: num(o.rowsUpdated),
    unchanged: num(o.rowsUnchanged),
    rejected: num(o.rowsRejected),
    time: secs(lang, o.seconds),
  });
  const err = o.error
    ? say(lang, 'cli.import.error', { message: errorText(lang, o.error.code, o.error.details as ErrorDetails) })
    : '';
  const rej = o.rejects ? say(lang, 'cli.import.rejects', { file: o.rejects.file }) : '';
  return base + err + rej;
}

export async function runImportCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  let a: ImportArgs;
  try {
    a = parseImportArgs(args);
  } catch (e) {
    return usageAnswer(e, lang, 'import', importUsage(lang));
  }
  const dbPath = path.resolve(a.db);
  const { db } = await openAppStore(dbPath);
  let cancelled = false;
  const onSigint = () => {
    cancelled = true;
    process.stderr.write(`${say(lang, 'cli.import.cancelling')}\n`);
  };
  process.on('SIGINT', onSigint);
  try {
    let profile: ImportProfile | undefined = BUILTIN.find((b) => b.alias === a.profile)?.profile;
    profile ??= profilesRepo(db).byName(a.profile)?.profile;
    if (!profile) {
      process.stderr.write(`${say(lang, 'cli.import.noProfile', { name: a.profile })}\n${importUsage(lang)}`);
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
      // the rejects file's reason column, for the clerk who opens it: in the command's language
      reasonHeader: reasonHeader(lang),
      describeReject: describer(lang, profile),
      cancelled: () => cancelled,
      // The morning's start-up updates the grid's columns from this night load instead of building them.
      columnsCache: { path: columnsCachePath(dbPath), key: rememberedStoreKey(dbPath) },
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 2000 || p.phase !== 'reading') return;
        last = now;
        const pct = p.totalBytes ? ((100 * p.bytesRead) / p.totalBytes).toFixed(1) : '?';
        process.stderr.write(
          `${say(lang, 'cli.import.progress', { pct, rows: num(p.rowsRead), rejected: num(p.rowsRejected) })}\n`,
        );
      },
    });
    process.stdout.write(`${outcomeLine(lang, a.file, outcome)}\n`);
    if (outcome.status === 'committed') {
      for (const r of runAfterImport(db, { today: systemClock.today(), reason: 'import', jobId: outcome.jobId })) {
        // In words: what did not complete, that the import stands, what happens next. The error itself is
        // in the log only (runAfterImport logs it with the step and the job).
        if (!r.ok) {
          const step = say(lang, `cli.import.steps.${r.name}`);
          process.stderr.write(`${say(lang, 'cli.import.followUp', { step, jobId: outcome.jobId })}\n`);
        }
      }
    }
    return exitFor(outcome);
  } finally {
    process.off('SIGINT', onSigint);
    db.close();
  }
}
