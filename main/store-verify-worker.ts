/**
 * Worker thread: reads every page of the store once (PRAGMA quick_check) on its own read-only
 * connection. On an encrypted store each page read checks that page's HMAC, so a changed byte anywhere
 * shows here as SQLITE_CORRUPT, before a request meets it. Started after open for stores too big for
 * the full check at open (main/services.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isSqliteCorruption, openConnection } from '../db/cipher';
import { lowerThreadPriority } from './background-priority';

export type VerifyMessage =
  | { type: 'done'; ok: true; ms: number }
  | { type: 'done'; ok: false; sqlite: string; problems: string[]; ms: number }
  | { type: 'failed'; message: string };

const { dbPath } = workerData as { dbPath: string };
// Minutes of page reads at a million customers: below the window's thread (main/background-priority.ts).
lowerThreadPriority();
const t0 = performance.now();
const post = (m: VerifyMessage) => parentPort!.postMessage(m);
let db: ReturnType<typeof openConnection> | null = null;
try {
  db = openConnection(dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const rows = (db.pragma('quick_check', { simple: false }) as { quick_check: string }[]).map((r) => r.quick_check);
  const ms = Math.round(performance.now() - t0);
  if (rows.length === 1 && rows[0] === 'ok') post({ type: 'done', ok: true, ms });
  else post({ type: 'done', ok: false, sqlite: 'SQLITE_CORRUPT', problems: rows.slice(0, 5), ms });
} catch (e) {
  const ms = Math.round(performance.now() - t0);
  if (isSqliteCorruption(e)) {
    post({ type: 'done', ok: false, sqlite: String((e as { code?: unknown }).code), problems: [], ms });
  } else post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
} finally {
  db?.close();
}
