/**
 * The app's translations in a private i18next instance, for tests that check the text people read
 * (messages, audit details, validation paths). One set-up instead of a copy per test file.
 */
import i18next, { type i18n } from 'i18next';
import { en, zhCN } from '../../shared/i18n/resources';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export interface Translations {
  /** The translate function of one language. */
  tr: (lng: string) => Translate;
  /** The i18next instance itself (key checks, `exists`). */
  inst: i18n;
}

/** `fallbackLng: false` makes a key missing in one language show as missing instead of borrowing zh-CN. */
export async function loadTranslations(fallbackLng: 'zh-CN' | false = false): Promise<Translations> {
  const inst = i18next.createInstance();
  await inst.init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: 'zh-CN',
    fallbackLng,
    interpolation: { escapeValue: false },
  });
  return { inst, tr: (lng) => (key, options) => inst.getFixedT(lng)(key, options ?? {}) };
}
