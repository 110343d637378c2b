import path from 'node:path';
import { openAppStore } from '../store-key';
import { writeExtracts } from '../jobs/profiles/extracts';
import { defaultDbPath, inboxDir } from '../paths';
import { parseCommandOptions, usageAnswer } from './args';
import { cliLang, num, say, secs } from './i18n';

/**
 * `crm extracts [--db PATH] [--out DIR] [--lang zh-CN|en]`: the store's branch as the nightly extract
 * files (default: its import folder). Text in the language of main/cli/i18n.ts.
 */
export async function runExtractsCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  let v: { db?: string; out?: string };
  try {
    v = parseCommandOptions('extracts', args, { db: { type: 'string' }, out: { type: 'string' } });
  } catch (e) {
    return usageAnswer(e, lang, 'extracts', say(lang, 'cli.extracts.usage'));
  }
  const file = path.resolve(v.db ?? defaultDbPath());
  const dir = path.resolve(v.out ?? inboxDir(file));
  const store = await openAppStore(file);
  try {
    const t = performance.now();
    const written = await writeExtracts(store.db, dir);
    const rows = written.reduce((s, w) => s + w.rows, 0);
    const files = written.map((w) =>
      say(lang, 'cli.extracts.file', { file: path.basename(w.file), rows: num(w.rows) }),
    );
    const line = say(lang, 'cli.extracts.written', {
      dir,
      files: files.join(say(lang, 'common.listSeparator')),
      rows: num(rows),
      time: secs(lang, (performance.now() - t) / 1000),
    });
    process.stdout.write(`${line}\n`);
    return 0;
  } finally {
    store.db.close();
  }
}
