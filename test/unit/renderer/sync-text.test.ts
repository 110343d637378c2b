import i18next, { type i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { conflictAction, conflictWhy, syncReasonText } from '../../../renderer/src/pages/sync/sync-text';
import type { SyncConflictView } from '../../../shared/api/sync';
import { en, zhCN } from '../../../shared/i18n/resources';

/**
 * The 同步冲突 list and the header's error line in plain words (issue 16, point 4: "the user sees a plain
 * message … who did what, when"): every action and reason the sync layer records has words in both
 * languages, and no code reaches the screen.
 */
let inst: i18n;

beforeAll(async () => {
  inst = i18next.createInstance();
  await inst.init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: 'zh-CN',
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
});

const conflict = (over: Partial<SyncConflictView>): SyncConflictView => ({
  id: 1,
  action: 'referrals.accept',
  madeAt: '2026-11-02T02:00:00.000Z',
  at: '2026-11-02T02:05:00.000Z',
  outcome: 'conflict',
  code: 'REFERRAL_BAD_STATE',
  details: { customerNo: '8000000001', byName: '李经理', by: 'manager1', at: '2026-11-02T02:01:00.000Z' },
  ...over,
});

const when = (at: string) => at.slice(11, 16);

describe('sync conflicts in plain words', () => {
  it('names the act and who got there first, when, in both languages', async () => {
    await inst.changeLanguage('zh-CN');
    const t = inst.t;
    expect(conflictAction(t, conflict({}))).toBe('接受转介');
    expect(conflictWhy(t, conflict({}), when)).toBe('该转介已被他人处理，状态已变（李经理 已于 02:01 先处理）');
    await inst.changeLanguage('en');
    expect(conflictAction(inst.t, conflict({}))).toBe('Accept a referral');
    expect(conflictWhy(inst.t, conflict({}), when)).toBe(
      'Someone else had already handled this referral (李经理 handled it first, at 02:01)',
    );
  });

  it('has words for every action and reason the sync layer records, and a fallback for new ones', async () => {
    for (const lng of ['zh-CN', 'en']) {
      await inst.changeLanguage(lng);
      const t = inst.t;
      const actions = [
        'referrals.create',
        'referrals.reassign',
        'referrals.contact',
        'referrals.win',
        'referrals.lose',
        'contacts.record',
        'opportunities.create',
        'opportunities.update',
        'opportunities.undoWon',
        'opportunities.derive',
        'campaigns.create',
        'campaigns.close',
        'campaigns.setStatus',
        'reminders.state',
        'lists.state',
        'queries.state',
        'favorites.state',
        'users.create',
        'users.seed',
        'users.setDisabled',
        'users.resetPassword',
        'users.decideReset',
        'auth.changePassword',
        'auth.setLocale',
        'something.new',
      ];
      for (const action of actions) {
        const text = conflictAction(t, conflict({ action }));
        expect(text, action).not.toMatch(/[a-z]+\.[a-zA-Z]+|sync\./);
        expect(text.length).toBeGreaterThan(1);
      }
      for (const code of [
        'NOT_FOUND',
        'CONFLICT',
        'FORBIDDEN',
        'unknown_user',
        'permission',
        'transition',
        'refused',
        'CAMPAIGN_CLOSED',
        'OPPORTUNITY_UNDO',
        'X_NEW',
      ]) {
        const text = conflictWhy(t, conflict({ code, details: {} }), when);
        expect(text, code).not.toMatch(/[A-Z]{3,}_|sync\.|unknown_user/);
      }
      // A hub rule's own reason is shown when it has words: work on a closed campaign, someone else's record.
      const closed = conflictWhy(
        t,
        conflict({ code: 'refused', details: { code: 'transition', detail: 'campaign_closed' } }),
        when,
      );
      expect(closed).toBe(t('sync.why.CAMPAIGN_CLOSED'));
      expect(conflictWhy(t, conflict({ code: 'refused', details: { detail: 'role_cannot_step' } }), when)).toBe(
        t('sync.why.refused'),
      );
      for (const reason of ['unauthenticated: x', 'internal', null, 'http_502']) {
        expect(syncReasonText(t, reason)).not.toMatch(/sync\.|http_|_|^unauthenticated|^internal/);
      }
    }
  });
});
