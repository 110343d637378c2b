import path from 'node:path';
import { openAppStore } from '../store-key';
import { writeExtracts } from '../jobs/profiles/extracts';
import { defaultDbPath, inboxDir } from '../paths';
import { parseCliOptions, usageAnswer } from './args';

/** `crm extracts [--db PATH] [--out DIR]`: the store's branch as the nightly extract files (default: its import folder). */
export async function runExtractsCommand(args: string[]): Promise<number> {
  const usage = 'Usage: crm extracts [--db PATH] [--out DIR]\n';
  let v: { db?: string; out?: string };
  try {
    v = parseCliOptions(args, { db: { type: 'string' }, out: { type: 'string' } });
  } catch (e) {
    return usageAnswer(e, 'extracts', usage);
  }
  const file = path.resolve(v.db ?? defaultDbPath());
  const dir = path.resolve(v.out ?? inboxDir(file));
  const store = await openAppStore(file);
  try {
    const t = performance.now();
    const written = await writeExtracts(store.db, dir);
    const rows = written.reduce((s, w) => s + w.rows, 0);
    process.stdout.write(
      `extracts written: ${dir} | ${written.map((w) => `${path.basename(w.file)} ${w.rows}`).join(', ')} | ${rows} rows | ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    store.db.close();
  }
}
