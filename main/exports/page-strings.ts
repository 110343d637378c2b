/**
 * Page strings the main process writes into files (export file and sheet titles, report and desktop
 * table headings, campaign columns), from the same translation trees the renderer shows
 * (shared/i18n/resources.ts), so a file reads exactly like the screen in the user's language.
 */
import { en, zhCN } from '../../shared/i18n/resources';

type Dict = Record<string, unknown>;
const DICTS: Record<'zh-CN' | 'en', Dict> = { 'zh-CN': zhCN as Dict, en: en as Dict };

/** The string at a dotted key in a language; the key itself when there is none. */
export function label(locale: 'zh-CN' | 'en', key: string): string {
  let v: unknown = DICTS[locale];
  for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Dict)[part] : undefined;
  return typeof v === 'string' ? v : key;
}
