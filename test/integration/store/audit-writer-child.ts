/**
 * A separate process writing audit entries into a store, a breath every few entries (audit-chain.test.ts runs
 * several at once): argv = store file, writer name, entries, a barrier folder and the number of writers.
 * Each writer marks itself ready in the folder and starts only when all are, so they overlap however long
 * each took to load on a busy machine.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { recordAudit } from '../../../db/repos/audit';

const [file, name, count, barrier, writers] = process.argv.slice(2) as [string, string, string, string, string];
const db = new BetterSqlite3(file);
db.pragma('busy_timeout = 10000');
writeFileSync(path.join(barrier, name), '');
// Wait synchronously (this file is loaded as CommonJS: no top-level await).
while (readdirSync(barrier).length < Number(writers)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < Number(count); i++) {
  recordAudit(
    db,
    { userId: null, username: name, role: null },
    { action: 'customers.reveal', outcome: 'ok', targetId: i },
  );
  // A breath between entries, as a real workstation has: back to back, one process can take the lock again
  // before the others wake from SQLite's busy wait and write its whole share first (seen on a loaded box).
  if (i % 3 === 0) Atomics.wait(pause, 0, 0, 1 + (i % 2));
}
db.close();
process.stdout.write('done\n');
