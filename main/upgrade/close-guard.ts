/**
 * What closing the Electron upgrade window does (issue 18.2). Closing it mid-way is a way to stop the
 * upgrade, so it asks first and says what stopping leaves: a conversion to the encrypted format is
 * cancelled properly (the original stays, the half-made copy goes: main/upgrade/run.ts); the check,
 * the backup and the migrations end with the process, which is safe (the migrations are one
 * transaction, a backup cut short is a .partial file removed at the next backup: db/open.ts).
 */
import type { UpgradeState } from '../../db/upgrade-progress';
import { storeText, type TextLang } from '../store-messages';

export type UpgradeCloseChoice =
  /** Nothing is running any more (failed: the error dialog is up; ready: the window is closing anyway). */
  | { kind: 'close' }
  | {
      kind: 'ask';
      /** What "stop" does: cancel the conversion through its signal, or end the process. */
      action: 'cancel-encrypt' | 'quit';
      title: string;
      message: string;
      /** Buttons in order: keep going (the default and Esc), stop. */
      buttons: [string, string];
    };

export function upgradeCloseChoice(state: UpgradeState, lang: TextLang): UpgradeCloseChoice {
  if (state.phase === 'failed' || state.phase === 'ready') return { kind: 'close' };
  const encrypting = state.phase === 'encrypt';
  return {
    kind: 'ask',
    action: encrypting ? 'cancel-encrypt' : 'quit',
    title: storeText(lang, 'upgrade.close.title'),
    message: storeText(lang, encrypting ? 'upgrade.close.encrypt' : 'upgrade.close.upgrade'),
    buttons: [storeText(lang, 'upgrade.close.keep'), storeText(lang, 'upgrade.close.stop')],
  };
}
