import { statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { checkIntegrity } from '../../db/open';
import { liftQuarantine } from '../../db/quarantine';
import { openExistingStore } from '../store-key';
import { isAppError } from '../../shared/errors';
import { defaultDbPath } from '../paths';
import { startHeartbeat } from './heartbeat';
import { type Lang, parseLang, renderLines, verifyAudit } from './audit';

/**
 * `crm check [--db PATH] [--offline] [--lang zh-CN|en]`: the full integrity check of the store (every
 * page and index entry), then the audit log's hash chain and its anchor (main/cli/audit.ts), for the
 * nightly scheduled task and for the administrator; big stores skip it at start-up. Read-only.
 * Exit 0 when intact, 2 when damaged or the audit log was tampered with, 64 on usage errors.
 */
export async function runCheckCommand(args: string[]): Promise<number> {
  let db = defaultDbPath();
  let hub = true;
  let lang: Lang | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--db' && args[i + 1]) db = args[++i]!;
    else if (args[i] === '--offline') hub = false;
    else if (args[i] === '--lang' && parseLang(args[i + 1])) lang = parseLang(args[++i]);
    else {
      process.stderr.write(`check: unknown option ${args[i]}\nUsage: crm check [--db PATH]\n`);
      return 64;
    }
  }
  const file = path.resolve(db);
  const t = performance.now();
  const secs = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  let conn: Database;
  try {
    conn = openExistingStore(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    process.stdout.write(`store damaged or missing: ${file} | ${(e as Error).message}\n`);
    return 2;
  }
  // Progress on stderr (stdout keeps the verdict lines scripts read): each step as it starts and ends,
  // and "still working" lines while the integrity check, one long statement, reads every page.
  const beat = startHeartbeat();
  try {
    const mb = (statSync(file).size / 2 ** 20).toFixed(0);
    beat.line(`check: 1/2 integrity of every page and index (${mb} MiB)`);
    const t1 = performance.now();
    checkIntegrity(conn, file);
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
