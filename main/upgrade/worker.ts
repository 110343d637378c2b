/**
 * Worker thread for the long parts of a start that upgrades the store (issue 18.2), on its own
 * connection (the store's key reaches it through db/cipher.ts's environment data), so the main thread
 * stays free to serve the progress page and answer requests:
 *   encrypt  a plaintext store's one-off conversion to the encrypted format (db/encrypt.ts);
 *   upgrade  the full check when due, the backup, the migrations (db/open.ts performUpgrade);
 *   refill   the derived tables the migrations asked for, after the store has opened (db/refills.ts).
 * Every event goes to the parent as it happens; the last message is `done` or `failed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection, type StoreKey } from '../../db/cipher';
import { type EncryptProgress, type EncryptResult, encryptStore, plaintextBackupPath } from '../../db/encrypt';
import { configure, performUpgrade, type UpgradeJob } from '../../db/open';
import { pendingRefills, type RefillName, runRefillInSteps } from '../../db/refills';
import type { UpgradeEvent } from '../../db/upgrade-progress';

export type UpgradeWorkerData =
  | { kind: 'encrypt'; file: string; key: StoreKey; backupDir: string | null }
  | { kind: 'upgrade'; job: UpgradeJob }
  | { kind: 'refill'; file: string; txnChunk?: number; customerChunk?: number };

export type UpgradeWorkerMessage =
  | { type: 'encrypt'; progress: EncryptProgress; backupPath: string }
  | { type: 'encrypted'; result: EncryptResult }
  | { type: 'event'; event: UpgradeEvent }
  | { type: 'refill'; name: RefillName; done: number; total: number }
  | { type: 'done'; migrated: number[]; backupPath: string | null; refilled: RefillName[] }
  | { type: 'failed'; code: string | null; details: Record<string, unknown> | null; message: string };

const data = workerData as UpgradeWorkerData;
const post = (m: UpgradeWorkerMessage) => parentPort!.postMessage(m);

async function main(): Promise<void> {
  if (data.kind === 'encrypt') {
    // No connection of its own here: the conversion needs the file to itself.
    const backupPath = plaintextBackupPath(data.file, data.backupDir ?? undefined);
    const result = await encryptStore(data.file, data.key, {
      ...(data.backupDir ? { backupDir: data.backupDir } : {}),
      backupPath,
      onProgress: (progress) => post({ type: 'encrypt', progress, backupPath }),
    });
    post({ type: 'encrypted', result });
    return;
  }
  const file = data.kind === 'upgrade' ? data.job.file : data.file;
  const db = openConnection(file, { fileMustExist: true });
  try {
    configure(db);
    if (data.kind === 'upgrade') {
      const r = await performUpgrade(db, data.job, (event) => post({ type: 'event', event }));
      post({ type: 'done', migrated: r.migrated, backupPath: r.backupPath, refilled: [] });
      return;
    }
    // Each step waits for the write lock as long as a running import or follow-up step holds it.
    db.pragma('busy_timeout = 600000');
    const refilled: RefillName[] = [];
    for (const name of pendingRefills(db)) {
      const ran = await runRefillInSteps(db, name, {
        onProgress: (done, total) => post({ type: 'refill', name, done, total }),
        // A breath between steps, longer than SQLite's longest busy-wait sleep (100 ms): a writer of the
        // app's own (a sign-in, an audit entry) waiting for the lock is sure to get it between two steps.
        pause: () => new Promise((r) => setTimeout(r, 120)),
        ...(data.txnChunk ? { txnChunk: data.txnChunk } : {}),
        ...(data.customerChunk ? { customerChunk: data.customerChunk } : {}),
      });
      if (ran) refilled.push(name);
    }
    post({ type: 'done', migrated: [], backupPath: null, refilled });
  } finally {
    db.close();
  }
}

main().catch((e: unknown) => {
  const err = e as { code?: unknown; details?: unknown; message?: unknown };
  post({
    type: 'failed',
    code: typeof err?.code === 'string' ? err.code : null,
    details: err?.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : null,
    message: typeof err?.message === 'string' ? err.message : String(e),
  });
});
