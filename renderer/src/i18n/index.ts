/**
 * i18next set-up: zh-CN by default, en switchable. The choice is remembered in localStorage; a
 * signed-in user's choice is also stored server-side (auth.setLocale) by the language switch.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../../../shared/api';
import { en, zhCN } from '../../../shared/i18n/resources';

export const LANGUAGES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LANGUAGE: Locale = 'zh-CN';
const LANG_KEY = 'crm.lang';

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

function storedLanguage(): Locale {
  try {
    const v = window.localStorage.getItem(LANG_KEY);
    return isLocale(v) ? v : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

function reflect(lng: string): void {
  document.documentElement.lang = lng;
  document.title = i18n.t('app.title');
}

export function initI18n(): typeof i18n {
  void i18n.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: storedLanguage(),
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false }, // React escapes; no HTML is ever built from strings
    initAsync: false,
    react: { useSuspense: false },
  });
  i18n.on('languageChanged', reflect);
  reflect(i18n.language);
  return i18n;
}

export function currentLanguage(): Locale {
  return isLocale(i18n.language) ? i18n.language : DEFAULT_LANGUAGE;
}

/** Switches the UI language and remembers it on this machine. */
export async function applyLanguage(lng: Locale): Promise<void> {
  try {
    window.localStorage.setItem(LANG_KEY, lng);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  if (i18n.language !== lng) await i18n.changeLanguage(lng);
}

export default i18n;
