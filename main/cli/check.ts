import { statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { checkIntegrity } from '../../db/open';
import { liftQuarantine } from '../../db/quarantine';
import { openExistingStore } from '../store-key';
import { isAppError } from '../../shared/errors';
import { defaultDbPath } from '../paths';
import { CliUsageError, type OptionSpecs, type OptionValues, parseCliOptions, usageAnswer } from './args';
import { startHeartbeat } from './heartbeat';
import { type Lang, parseLang, renderLines, verifyAudit } from './audit';

const duration = (secs: number): string => {
  const s = Math.round(secs);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/**
 * `crm check [--db PATH] [--offline] [--lang zh-CN|en]`: the full integrity check of the store (every
 * page and index entry), then the audit log's hash chain and its anchor (main/cli/audit.ts), for the
 * nightly scheduled task and for the administrator; big stores skip it at start-up. Read-only.
 * Exit 0 when intact, 2 when damaged or the audit log was tampered with, 64 on usage errors.
 */
const CHECK_USAGE = 'Usage: crm check [--db PATH] [--offline] [--lang zh-CN|en]\n';
const CHECK_OPTIONS = {
  db: { type: 'string' },
  offline: { type: 'boolean' },
  lang: { type: 'string' },
} as const satisfies OptionSpecs;

export async function runCheckCommand(args: string[]): Promise<number> {
  let v: OptionValues<typeof CHECK_OPTIONS>;
  try {
    v = parseCliOptions(args, CHECK_OPTIONS);
    if (v.lang !== undefined && !parseLang(v.lang)) throw new CliUsageError('unknown', '--lang');
  } catch (e) {
    return usageAnswer(e, 'check', CHECK_USAGE);
  }
  const hub = !v.offline;
  const lang: Lang | null = parseLang(v.lang);
  const file = path.resolve(v.db ?? defaultDbPath());
  const t = performance.now();
  const secs = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  let conn: Database;
  try {
    conn = openExistingStore(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    process.stdout.write(`store damaged or missing: ${file} | ${(e as Error).message}\n`);
    return 2;
  }
  // Progress on stderr (stdout keeps the verdict lines scripts read): each step as it starts and ends;
  // the integrity check runs table by table (db/store-check.ts), its percentage the share of the store's
  // pages checked, and "still working" lines come while one big table's check blocks for minutes.
  const beat = startHeartbeat();
  try {
    const mb = (statSync(file).size / 2 ** 20).toFixed(0);
    beat.line(`check: 1/2 integrity of every page and index (${mb} MiB), table by table`);
    const t1 = performance.now();
    let shown = -1;
    checkIntegrity(conn, file, (p) => {
      const pct = Math.floor(p.fraction * 100);
      if (p.table === null || (pct === shown && p.index < p.count)) return;
      shown = pct;
      const spent = (performance.now() - t1) / 1000;
      const left = p.fraction >= 0.01 && p.fraction < 1 ? (spent / p.fraction) * (1 - p.fraction) : null;
      beat.line(
        `check: 1/2 integrity ${pct}% (table ${p.index} of ${p.count}, ${p.done} of ${p.total} pages${
          left === null ? '' : `, about ${duration(left)} left, estimate`
        })`,
      );
    });
    beat.line(`check: 1/2 integrity done in ${secs(t1)}`);
    beat.line('check: 2/2 audit log hash chain');
    const t2 = performance.now();
    const audit = await verifyAudit(conn, { hub });
    beat.line(`check: 2/2 audit log done in ${secs(t2)}`);
    if (audit.chain !== null && !audit.ok) {
      process.stdout.write(`store damaged: ${file} | audit log\n${renderLines(audit.lines, lang)}`);
      return 2;
    }
    process.stdout.write(
      `store ok: ${file} | ${mb} MiB checked in ${((performance.now() - t) / 1000).toFixed(1)} s\n${renderLines(audit.lines, lang)}`,
    );
    // Every page read back and authenticated: a store quarantined as damaged (a restored backup) opens again.
    if (liftQuarantine(file)) process.stdout.write(`quarantine lifted: ${file}\n`);
    return 0;
  } catch (e) {
    if (isAppError(e)) {
      process.stdout.write(`store damaged: ${file} | ${JSON.stringify(e.details)}\n`);
      return 2;
    }
    throw e;
  } finally {
    await beat.stop();
    conn.close();
  }
}
