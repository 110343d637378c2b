import i18next, { type i18n, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { reminderText } from '../../../renderer/src/pages/reminders/text';
import { en, zhCN } from '../../../shared/i18n/resources';
import { REMINDER_KINDS, type Reminder, type ReminderKind } from '../../../shared/api/reminders';

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

/** Parameters as generation (db/relationship/reminder-rules.ts) and the features store them. */
const PARAMS: Record<ReminderKind, Reminder['params']> = {
  holiday: {
    holidayZh: '国庆节',
    holidayEn: 'National Day',
    start: '2026-10-01',
    end: '2026-10-07',
    days: 7,
    makeup: '2026-09-20,2026-10-10',
  },
  birthday: {},
  anniversary: { years: 10 },
  large_deposit: { amountFen: 60_000_000, channel: 'counter' },
  large_withdrawal: { amountFen: 80_000_000, channel: 'online' },
  loan_disbursement: { amountFen: 100_000_000, product: '个人住房贷款' },
  loan_repayment: { amountFen: 500_000, product: '个人住房贷款', holidayZh: '春节', holidayEn: 'Spring Festival' },
  term_maturity: { amountFen: 10_000_000, product: '整存整取一年', autoRollover: 1, holidayZh: null, holidayEn: null },
  wealth_maturity: { amountFen: 5_012_345, product: '稳利理财90天', holidayZh: null, holidayEn: null },
  product_launch: { product: '新客专享理财', category: 'wealth', code: 'W01' },
  tier_change: { fromTier: 'ordinary', toTier: 'gold' },
  account_closure: { accountTail: '1234', accountKind: 'demand' },
  work_item: { text: '回访理财需求' },
  referral_sla: { interest: 'wealth', customer: '张伟' },
  risk_signal: { signal: 'outflow' },
};

describe('reminder texts', () => {
  it('every kind reads as a sentence in both languages: no key, no placeholder, no raw code', () => {
    for (const lng of ['zh-CN', 'en']) {
      const t = inst.getFixedT(lng) as TFunction;
      for (const kind of REMINDER_KINDS) {
        const text = reminderText(t, { kind, params: PARAMS[kind], dueOn: '2026-10-03' }, lng);
        expect(text, `${lng} ${kind}`).not.toMatch(/reminders\.|\{\{|undefined|null|NaN/);
        expect(text.length, `${lng} ${kind}`).toBeGreaterThan(3);
      }
    }
  });

  it('shows amounts in yuan, holiday names, tiers and interests in the reader\u2019s language', () => {
    const zh = inst.getFixedT('zh-CN') as TFunction;
    const e = inst.getFixedT('en') as TFunction;
    expect(
      reminderText(zh, { kind: 'large_deposit', params: PARAMS.large_deposit, dueOn: '2026-11-01' }, 'zh-CN'),
    ).toBe('入账 600,000.00 元');
    expect(
      reminderText(zh, { kind: 'loan_repayment', params: PARAMS.loan_repayment, dueOn: '2026-02-18' }, 'zh-CN'),
    ).toContain('（春节）');
    expect(
      reminderText(e, { kind: 'loan_repayment', params: PARAMS.loan_repayment, dueOn: '2026-02-18' }, 'en'),
    ).toContain('(Spring Festival)');
    expect(reminderText(zh, { kind: 'holiday', params: PARAMS.holiday, dueOn: '2026-10-01' }, 'zh-CN')).toBe(
      '国庆节假期：2026-10-01 至 2026-10-07，共 7 天；调休上班：2026-09-20、2026-10-10',
    );
    expect(reminderText(zh, { kind: 'tier_change', params: PARAMS.tier_change, dueOn: '2026-11-01' }, 'zh-CN')).toBe(
      '普通 → 黄金',
    );
    expect(
      reminderText(zh, { kind: 'referral_sla', params: PARAMS.referral_sla, dueOn: '2026-11-01' }, 'zh-CN'),
    ).toContain('理财');
    // a re-tier's digest: one line for all of the user's customers it moved
    const digest = { digest: 1, version: 3, at: '2026-11-03T02:00:00.000Z', count: 686, up: 120, down: 566 };
    expect(reminderText(zh, { kind: 'tier_change', params: digest, dueOn: '2026-11-03' }, 'zh-CN')).toBe(
      '客户细分模型调整：686 位客户等级变动（升级 120 位，降级 566 位）',
    );
    expect(reminderText(e, { kind: 'tier_change', params: digest, dueOn: '2026-11-03' }, 'en')).toBe(
      'Tier model changed: 686 customers re-tiered (120 up, 566 down)',
    );
  });
});
