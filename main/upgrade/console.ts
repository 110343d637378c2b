/**
 * Console lines for a store upgrade (browser mode's host, the CLI): one when a phase starts and one per
 * tenth of a measurable phase, both languages, with the estimate of the time left.
 */
import type { UpgradeState } from '../../db/upgrade-progress';
import { storeText, type TextLang } from '../store-messages';

function eta(lang: TextLang, s: UpgradeState): string {
  if (s.etaSeconds === null || s.phase === 'ready') return '';
  const secs = Math.round(s.etaSeconds);
  const time =
    secs < 60
      ? storeText(lang, 'upgrade.seconds', { n: String(secs) })
      : storeText(lang, 'upgrade.minutes', { m: String(Math.floor(secs / 60)), s: String(secs % 60) });
  const text = storeText(lang, 'upgrade.eta', { time });
  // Mid-line in English: "…, about 7 s left".
  return `, ${lang === 'en' ? text.charAt(0).toLowerCase() + text.slice(1) : text}`;
}

export function upgradeLine(s: UpgradeState): string {
  const pct = `${Math.floor(s.fraction * 100)}%`;
  const part = (lang: TextLang) => {
    const backup =
      s.phase === 'backup' && s.backup.path ? ` (${storeText(lang, 'upgrade.backupTo', { path: s.backup.path })})` : '';
    return `${storeText(lang, `upgrade.phase.${s.phase}`)}${backup}${eta(lang, s)}`;
  };
  return `${part('zh-CN')} / ${part('en')}: ${pct}\n`;
}

export function printUpgradeProgress(out: { write(s: string): unknown }): (s: UpgradeState) => void {
  let phase = '';
  let tenth = -1;
  return (s) => {
    // The conversion to the encrypted format prints its own lines (main/store-key.ts); a failure is
    // told by the start-up text.
    if (s.phase === 'open' || s.phase === 'failed' || s.phase === 'encrypt') return;
    const t = Math.floor((s.phaseFraction ?? 0) * 10);
    if (s.phase === phase && t === tenth) return;
    phase = s.phase;
    tenth = t;
    out.write(upgradeLine(s));
  };
}
