/**
 * An import failure in words: "文件 x.csv，第 12 行，第 5 列：<message>" with only the parts the error's
 * details carry. Pure and shared: the screens (renderer/src/i18n/messages.ts, through i18next) and the
 * command line (main/cli/i18n.ts, through the merged trees) word a job's error the same way.
 */
import type { ErrorCode, ErrorDetails } from '../errors';

/** i18next's t, or anything that answers the same keys (with `defaultValue` for a key it lacks). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Variables an import message may use; a missing one reads as '—', never as a raw placeholder. */
const IMPORT_VARS = [
  'encoding',
  'max',
  'errno',
  'sheet',
  'missing',
  'field',
  'reason',
  'rejected',
  'tolerance',
  'previousJob',
  'previousAt',
  'jobId',
] as const;

/** `time` words a timestamp (the earlier job's previousAt) in local time. */
export function importMessage(t: Translate, code: ErrorCode, d: ErrorDetails, time: (iso: string) => string): string {
  const vars: Record<string, string> = {};
  for (const k of IMPORT_VARS) {
    const v = d[k];
    vars[k] = Array.isArray(v)
      ? v.join(t('common.listSeparator'))
      : v === undefined || v === null || v === ''
        ? '—'
        : String(v);
  }
  if (typeof d.previousAt === 'string') vars.previousAt = time(d.previousAt);
  const where: string[] = [];
  if (typeof d.file === 'string' && d.file) where.push(t('importWhere.file', { file: d.file }));
  if (typeof d.line === 'number' && d.line > 0) where.push(t('importWhere.line', { line: d.line }));
  if (typeof d.column === 'number' && d.column > 0) where.push(t('importWhere.column', { column: d.column }));
  const text = t(`errors.${code}`, { ...vars, defaultValue: t('errors.INTERNAL') });
  return where.length ? `${where.join(t('importWhere.sep'))}${t('common.colon')}${text}` : text;
}
