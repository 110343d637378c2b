/**
 * The `crm` commands' language and messages. The language is `--lang zh-CN|en`, else the CRM_LANG
 * environment variable (a scheduled task's setting), else zh-CN, the app's default; messages come from
 * the same translation trees as the screens (shared/i18n/resources.ts): the commands' own lines from
 * shared/i18n/domains/cli.json, an import's failure from the screens' errors.* and importWhere.* keys.
 */
import type { ErrorCode, ErrorDetails } from '../../shared/errors';
import { importMessage } from '../../shared/i18n/import-message';
import { storeText, type TextLang } from '../store-messages';

export type Lang = TextLang;

export function parseLang(v: string | undefined): Lang | null {
  return v === 'zh-CN' || v === 'en' ? v : null;
}

/** The raw value of --lang in arguments (`--lang en` or `--lang=en`), parsed or not. */
export function langArg(args: readonly string[]): string | undefined {
  const i = args.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.slice('--lang='.length) : args[i + 1];
}

/**
 * The language of a command's output: --lang, else CRM_LANG, else zh-CN. Read from the raw arguments
 * so that a usage error is worded in it too; an --lang that is neither language is answered (in the
 * environment's language) by the command's usage error.
 */
export function cliLang(args: readonly string[]): Lang {
  return parseLang(langArg(args)) ?? (/^en/i.test(process.env.CRM_LANG ?? '') ? 'en' : 'zh-CN');
}

/** An --lang value that is not one of ours, if one was given. */
export function badLang(args: readonly string[]): string | null {
  const v = langArg(args);
  return v !== undefined && !parseLang(v) ? v : null;
}

type Vars = Record<string, string | number | null | undefined>;

/** A message of the trees in the language, `{{name}}` replaced (a missing value reads "—"). */
export function say(lang: Lang, key: string, vars: Vars = {}): string {
  return storeText(lang, key, vars);
}

/** A number with the language's grouping (1,234,567 in both). */
export const num = (n: number): string => n.toLocaleString('en-US');

/** "12 s" / "3 min 4 s" ("12 秒" / "3 分 4 秒"). */
export function duration(lang: Lang, secs: number): string {
  const s = Math.max(0, Math.round(secs));
  return s < 60
    ? say(lang, 'cli.time.seconds', { s })
    : say(lang, 'cli.time.minutes', { m: Math.floor(s / 60), s: s % 60 });
}

/** Seconds with one decimal: "2.5 s" / "2.5 秒". */
export const secs = (lang: Lang, s: number): string => say(lang, 'cli.time.tenths', { s: s.toFixed(1) });

const pad = (n: number) => String(n).padStart(2, '0');

/** A timestamp in local time, as the screens show it: 2026-12-07 09:30. */
function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A failure with an app error code (an import's IMPORT_*), in words with its file, line and column. */
export function errorText(lang: Lang, code: string, details: ErrorDetails): string {
  const t = (key: string, o: Record<string, unknown> = {}) => {
    const s = say(lang, key, o as Vars);
    return s === key && typeof o.defaultValue === 'string' ? o.defaultValue : s;
  };
  return importMessage(t, code as ErrorCode, details, localTime);
}

/** The heartbeat's "still working" words in the language (main/cli/heartbeat.ts). */
export function stillWorking(lang: Lang): { still: string; time: { seconds: string; minutes: string } } {
  // the heartbeat's worker fills {{s}} and {{m}} itself: the trees' placeholders are passed through
  const keep = { s: '{{s}}', m: '{{m}}' };
  return {
    still: say(lang, 'cli.still'),
    time: { seconds: say(lang, 'cli.time.seconds', keep), minutes: say(lang, 'cli.time.minutes', keep) },
  };
}
