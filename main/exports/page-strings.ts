/**
 * Page strings the main process writes into files (export file and sheet titles, report and desktop
 * table headings, campaign columns). They still live in the renderer's translation files, which
 * other features' domain files (renderer/src/i18n/domains/*.json) extend; customer field titles and
 * value labels come from shared/ instead (shared/i18n/customer-fields.ts). Moving these strings to
 * shared/i18n as well would end this file's import of the renderer.
 */
// biome-ignore lint/style/noRestrictedImports: the export titles and headings are still in the renderer's translation files (see above)
import { en, zhCN } from '../../renderer/src/i18n/resources';

type Dict = Record<string, unknown>;
const DICTS: Record<'zh-CN' | 'en', Dict> = { 'zh-CN': zhCN as Dict, en: en as Dict };

/** The string at a dotted key in a language; the key itself when there is none. */
export function label(locale: 'zh-CN' | 'en', key: string): string {
  let v: unknown = DICTS[locale];
  for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Dict)[part] : undefined;
  return typeof v === 'string' ? v : key;
}
