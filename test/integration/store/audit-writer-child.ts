/**
 * A separate process writing audit entries into a store as fast as it can (audit-chain.test.ts runs
 * several at once): argv = store file, writer name, entries, and the time (ms since the epoch) to start
 * at, so that the writers overlap however long each took to load.
 */
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { recordAudit } from '../../../db/repos/audit';

const [file, name, count, startAt] = process.argv.slice(2) as [string, string, string, string];
const db = new BetterSqlite3(file);
db.pragma('busy_timeout = 10000');
// Wait for the common start (synchronously: this file is loaded as CommonJS, no top-level await).
while (Date.now() < Number(startAt)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
for (let i = 0; i < Number(count); i++)
  recordAudit(
    db,
    { userId: null, username: name, role: null },
    { action: 'customers.reveal', outcome: 'ok', targetId: i },
  );
db.close();
process.stdout.write('done\n');
