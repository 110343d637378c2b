import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { checkIntegrity } from '../../db/open';
import { liftQuarantine } from '../../db/quarantine';
import { explainStoreError } from '../app/startup-error';
import { openExistingStore } from '../store-key';
import { isAppError } from '../../shared/errors';
import { defaultDbPath } from '../paths';
import { type OptionSpecs, type OptionValues, parseCommandOptions, usageAnswer } from './args';
import { startHeartbeat } from './heartbeat';
import { renderLines, verifyAudit } from './audit';
import { cliLang, duration, type Lang, num, say, secs, stillWorking } from './i18n';

/**
 * `crm check [--db PATH] [--offline] [--lang zh-CN|en]`: the full integrity check of the store (every
 * page and index entry), then the audit log's hash chain and its anchor (main/cli/audit.ts), for the
 * nightly scheduled task and for the administrator; big stores skip it at start-up. Read-only.
 * Exit 0 when intact, 2 when damaged or the audit log was tampered with, 64 on usage errors. Every line
 * in the language of main/cli/i18n.ts (--lang, CRM_LANG, zh-CN), the audit findings too.
 */
const CHECK_OPTIONS = {
  db: { type: 'string' },
  offline: { type: 'boolean' },
} as const satisfies OptionSpecs;

/** Why the store could not be opened or checked, in words (the start-up dialog's, naming no code). */
const reason = (lang: Lang, e: unknown, file: string) => {
  const r = explainStoreError(e, file);
  return lang === 'en' ? r.en : r.zh;
};

export async function runCheckCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  let v: OptionValues<typeof CHECK_OPTIONS>;
  try {
    v = parseCommandOptions('check', args, CHECK_OPTIONS);
  } catch (e) {
    return usageAnswer(e, lang, 'check', say(lang, 'cli.check.usage'));
  }
  const hub = !v.offline;
  const file = path.resolve(v.db ?? defaultDbPath());
  const t = performance.now();
  const took = (since: number) => secs(lang, (performance.now() - since) / 1000);
  let conn: Database;
  try {
    conn = openExistingStore(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    // a path that names no file: said so (SQLite's "cannot open" would read as a permission problem)
    const line = existsSync(file)
      ? say(lang, 'cli.check.missing', { file, reason: reason(lang, e, file) })
      : say(lang, 'cli.check.notFound', { file });
    process.stdout.write(`${line}\n`);
    return 2;
  }
  // Progress on stderr (stdout keeps the verdict lines scripts read): each step as it starts and ends;
  // the integrity check runs table by table (db/store-check.ts), its percentage the share of the store's
  // pages checked, and "still working" lines come while one big table's check blocks for minutes.
  const beat = startHeartbeat(stillWorking(lang));
  try {
    const mb = (statSync(file).size / 2 ** 20).toFixed(0);
    beat.line(say(lang, 'cli.check.step1', { mb }));
    const t1 = performance.now();
    let shown = -1;
    checkIntegrity(conn, file, (p) => {
      const pct = Math.floor(p.fraction * 100);
      if (p.table === null || (pct === shown && p.index < p.count)) return;
      shown = pct;
      const spent = (performance.now() - t1) / 1000;
      const left = p.fraction >= 0.01 && p.fraction < 1 ? (spent / p.fraction) * (1 - p.fraction) : null;
      beat.line(
        say(lang, 'cli.check.step1Progress', {
          pct,
          index: p.index,
          count: p.count,
          done: num(p.done),
          total: num(p.total),
          left: left === null ? '' : say(lang, 'cli.check.left', { time: duration(lang, left) }),
        }),
      );
    });
    beat.line(say(lang, 'cli.check.step1Done', { time: took(t1) }));
    beat.line(say(lang, 'cli.check.step2'));
    const t2 = performance.now();
    const audit = await verifyAudit(conn, { hub });
    beat.line(say(lang, 'cli.check.step2Done', { time: took(t2) }));
    if (audit.chain !== null && !audit.ok) {
      process.stdout.write(`${say(lang, 'cli.check.damagedAudit', { file })}\n${renderLines(audit.lines, lang)}`);
      return 2;
    }
    process.stdout.write(
      `${say(lang, 'cli.check.ok', { file, mb, time: took(t) })}\n${renderLines(audit.lines, lang)}`,
    );
    // Every page read back and authenticated: a store quarantined as damaged (a restored backup) opens again.
    if (liftQuarantine(file)) process.stdout.write(`${say(lang, 'cli.check.unquarantined', { file })}\n`);
    return 0;
  } catch (e) {
    if (isAppError(e)) {
      process.stdout.write(`${say(lang, 'cli.check.damaged', { file, reason: reason(lang, e, file) })}\n`);
      return 2;
    }
    throw e;
  } finally {
    await beat.stop();
    conn.close();
  }
}
