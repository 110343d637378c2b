import path from 'node:path';
import { openAppStore } from '../store-key';
import { writeExtracts } from '../jobs/profiles/extracts';
import { defaultDbPath, inboxDir } from '../paths';

/** `crm extracts [--db PATH] [--out DIR]`: the store's branch as the nightly extract files (default: its import folder). */
export async function runExtractsCommand(args: string[]): Promise<number> {
  let db = defaultDbPath();
  let out: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--db' && args[i + 1]) db = args[++i]!;
    else if (a === '--out' && args[i + 1]) out = args[++i]!;
    else {
      process.stderr.write(`extracts: unknown option ${a}\nUsage: crm extracts [--db PATH] [--out DIR]\n`);
      return 64;
    }
  }
  const file = path.resolve(db);
  const dir = path.resolve(out ?? inboxDir(file));
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
