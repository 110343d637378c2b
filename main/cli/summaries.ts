import path from 'node:path';
import { openAppStore } from '../store-key';
import { rebuildReporting } from '../../db/reporting/maintain';
import { rebuildAll } from '../../db/summaries';
import { defaultDbPath } from '../paths';
import { type OptionSpecs, type OptionValues, parseCliOptions, usageAnswer } from './args';

const USAGE = 'Usage: crm summaries --rebuild [--db PATH]\n';
const OPTIONS = { db: { type: 'string' }, rebuild: { type: 'boolean' } } as const satisfies OptionSpecs;

/**
 * `crm summaries --rebuild [--db PATH]`: repair. Recomputes every customer's maintained figures,
 * summary_customers and the reporting summaries (db/reporting) from the raw tables, each in one
 * transaction. Imports and re-tiering keep them current; this is for a store edited by hand or restored
 * from a partial backup. Exit 0 when done, 64 on usage errors.
 */
export async function runSummariesCommand(args: string[]): Promise<number> {
  let v: OptionValues<typeof OPTIONS>;
  try {
    v = parseCliOptions(args, OPTIONS);
  } catch (e) {
    return usageAnswer(e, 'summaries', USAGE);
  }
  const db = v.db ?? defaultDbPath();
  if (!v.rebuild) {
    process.stderr.write(`summaries: nothing to do\n${USAGE}`);
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
    process.stdout.write(
      `summaries rebuilt: ${file} | customers ${n('SELECT COUNT(*) AS n FROM customers')}, reporting months ${n('SELECT COUNT(*) AS n FROM report_months')} | ` +
        `figures ${((t1 - t) / 1000).toFixed(1)} s, reporting ${((t2 - t1) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    conn.close();
  }
}
