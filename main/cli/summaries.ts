import path from 'node:path';
import { openAppStore } from '../store-key';
import { rebuildReporting } from '../../db/reporting/maintain';
import { rebuildAll } from '../../db/summaries';
import { defaultDbPath } from '../paths';
import { type OptionSpecs, parseCommandOptions, usageAnswer } from './args';
import { cliLang, num, say, secs } from './i18n';

const OPTIONS = { db: { type: 'string' }, rebuild: { type: 'boolean' } } as const satisfies OptionSpecs;

/**
 * `crm summaries --rebuild [--db PATH] [--lang zh-CN|en]`: repair. Recomputes every customer's maintained
 * figures, summary_customers and the reporting summaries (db/reporting) from the raw tables, each in one
 * transaction. Imports and re-tiering keep them current; this is for a store edited by hand or restored
 * from a partial backup. Exit 0 when done, 64 on usage errors. Text in the language of main/cli/i18n.ts.
 */
export async function runSummariesCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  const usage = say(lang, 'cli.summaries.usage');
  let v: ReturnType<typeof parseCommandOptions<typeof OPTIONS>>;
  try {
    v = parseCommandOptions('summaries', args, OPTIONS);
  } catch (e) {
    return usageAnswer(e, lang, 'summaries', usage);
  }
  const db = v.db ?? defaultDbPath();
  if (!v.rebuild) {
    process.stderr.write(`${say(lang, 'cli.summaries.nothing')}\n${usage}`);
    return 64;
  }
  const file = path.resolve(db);
  const { db: conn } = await openAppStore(file);
  try {
    const t = performance.now();
    rebuildAll(conn);
    const t1 = performance.now();
    rebuildReporting(conn);
    const t2 = performance.now();
    const n = (sql: string) => (conn.prepare(sql).get() as { n: number }).n;
    const line = say(lang, 'cli.summaries.rebuilt', {
      file,
      customers: num(n('SELECT COUNT(*) AS n FROM customers')),
      months: num(n('SELECT COUNT(*) AS n FROM report_months')),
      figures: secs(lang, (t1 - t) / 1000),
      reporting: secs(lang, (t2 - t1) / 1000),
    });
    process.stdout.write(`${line}\n`);
    return 0;
  } finally {
    conn.close();
  }
}
