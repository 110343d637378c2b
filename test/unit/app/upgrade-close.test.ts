import { describe, expect, it } from 'vitest';
import { type UpgradeState, UpgradeTracker } from '../../../db/upgrade-progress';
import { upgradeCloseChoice } from '../../../main/upgrade/close-guard';

/** The tracker's state after each event, as the upgrade window sees it. */
function statesOf(events: Parameters<UpgradeTracker['handle']>[0][]): UpgradeState[] {
  const states: UpgradeState[] = [];
  const tracker = new UpgradeTracker((s) => states.push(s));
  for (const e of events) tracker.handle(e);
  return states;
}

describe('closing the upgrade window (issue 18.2)', () => {
  const [encrypting, backingUp, migrating, ready] = statesOf([
    { type: 'encrypt', fraction: 0.4 },
    { type: 'start', from: 30, to: 34, fullCheck: false, refills: [] },
    { type: 'migrate', version: 31, name: 'x', index: 0, count: 4 },
    { type: 'ready' },
  ]);

  it('while encrypting, asks and cancels the conversion (the original stays), in both languages', () => {
    expect(encrypting!.phase).toBe('encrypt');
    const zh = upgradeCloseChoice(encrypting!, 'zh-CN');
    const en = upgradeCloseChoice(encrypting!, 'en');
    expect(zh).toMatchObject({
      kind: 'ask',
      action: 'cancel-encrypt',
      title: '停止升级？',
      buttons: ['继续', '停止并退出'],
    });
    expect(zh.kind === 'ask' && zh.message).toContain('保持原样');
    expect(en).toMatchObject({ kind: 'ask', action: 'cancel-encrypt', buttons: ['Continue', 'Stop and quit'] });
    expect(en.kind === 'ask' && en.message).toContain('stays as it was');
  });

  it('during the backup and the migrations, asks and ends the process (the store keeps its version)', () => {
    expect(backingUp!.phase).toBe('backup');
    expect(migrating!.phase).toBe('migrate');
    for (const s of [backingUp!, migrating!]) {
      const c = upgradeCloseChoice(s, 'en');
      expect(c).toMatchObject({ kind: 'ask', action: 'quit' });
      expect(c.kind === 'ask' && c.message).toContain('version it had before');
      const zh = upgradeCloseChoice(s, 'zh-CN');
      expect(zh.kind === 'ask' && zh.message).toContain('升级前的版本');
    }
  });

  it('once ready or failed, closing just closes', () => {
    expect(upgradeCloseChoice(ready!, 'zh-CN')).toEqual({ kind: 'close' });
    const [failed] = statesOf([
      { type: 'failed', code: 'STORE_MIGRATION_FAILED', file: '/s.db', backup: null, version: 31 },
    ]);
    expect(failed!.phase).toBe('failed');
    expect(upgradeCloseChoice(failed!, 'en')).toEqual({ kind: 'close' });
  });
});
