/**
 * The store-protection messages (shared/i18n/domains/store-protection.json) for the main process:
 * the start-up dialog, browser mode's console and the CLI, which have no i18next. `{{name}}` is
 * replaced by the value given; a missing value shows as "—".
 */
import { en, type Tree, zhCN } from '../shared/i18n/resources';

export type TextLang = 'zh-CN' | 'en';

function lookup(tree: Tree, key: string): string | null {
  let at: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof at !== 'object' || at === null) return null;
    at = at[part];
  }
  return typeof at === 'string' ? at : null;
}

export function storeText(
  lang: TextLang,
  key: string,
  vars: Record<string, string | number | null | undefined> = {},
): string {
  const text = lookup(lang === 'en' ? en : zhCN, key) ?? key;
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = vars[name];
    return v === null || v === undefined ? '—' : String(v);
  });
}

/** Both languages of one message, zh-CN first (the start-up dialog shows both). */
export function storeTextBoth(
  key: string,
  vars: Record<string, string | null | undefined> = {},
): { zh: string; en: string } {
  return { zh: storeText('zh-CN', key, vars), en: storeText('en', key, vars) };
}
