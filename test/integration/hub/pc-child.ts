import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { runMutation } from '../../../db/sync/replica';
import { syncOnce } from '../../../main/sync/hub-client';
import { testMutators } from './workstations';

/**
 * A workstation process for the kill -9 test: records N creates in its store, says so, then syncs
 * until told to stop (by SIGKILL, at a moment the parent picks). argv: store path, N, id prefix.
 */
const [file, n, prefix] = process.argv.slice(2) as [string, string, string];
const db = new BetterSqlite3(file);
db.pragma('journal_mode = WAL');
for (let i = 0; i < Number(n); i++) {
  const id = `${prefix}${i.toString(16).padStart(12, '0')}`;
  runMutation(db, testMutators, 'items.create', { id, title: `pc ${i}`, opId: `op${i}` });
}
process.stdout.write('recorded\n');
const loop = async () => {
  for (;;) await syncOnce(db, testMutators);
};
loop().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
