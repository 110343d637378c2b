import i18next, { type i18n, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { offerReason } from '../../../renderer/src/pages/analytics/np-text';
import { signalChips, signalFacts } from '../../../renderer/src/pages/analytics/risk-text';
import { NEXT_PRODUCT_ITEMS, RISK_SIGNALS, type RiskSignal } from '../../../shared/analytics';
import { en, zhCN } from '../../../shared/i18n/resources';

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

/** Facts as db/analytics/risk.ts stores them. */
const FACTS: Record<RiskSignal, Record<string, number | string | null>> = {
  overdue: { days: 15, balanceFen: 8_000_000, worst: 2 },
  utilisation: { pct: 95, beforePct: 70, since: '2026-08-20' },
  outflow: { outFen: 30_000_000, count: 2, aumFen: 10_000_000, days: 30 },
  collapse: { beforeFen: 100_000_000, nowFen: 20_000_000, month: '2026-07' },
  dormancy: { lastTxnOn: '2026-04-01', txns: 21 },
  guaranteeCall: { loans: 2, borrowers: 2, balanceFen: 120_000_000, days: 35, worst: 2 },
  weakGuarantor: { loans: 1, balanceFen: 8_000_000, guarantors: 1, overdueGuarantors: 1, level: 'warning' },
};

describe('next-product and risk texts', () => {
  it('the reason reads as the seed words it, in both languages, for every item', () => {
    const zh = inst.getFixedT('zh-CN') as TFunction;
    const rule = {
      antecedent: ['term', 'payroll'] as const,
      support: 0.1,
      confidence: 0.34,
      lift: 2.08,
      customers: 100,
      bothN: 10,
    };
    const offer = {
      rank: 1,
      item: 'wealth' as const,
      score: 0.34,
      source: 'rules' as const,
      modelVersion: null,
      rule: { ...rule, antecedent: [...rule.antecedent] },
    };
    expect(offerReason(zh, offer)).toBe('持有 定期存款 和 代发工资 的客户中 34% 也持有 理财（提升度 2.1）');
    const e = inst.getFixedT('en') as TFunction;
    expect(offerReason(e, offer)).toBe(
      'Of customers holding term deposits and payroll, 34% also hold wealth products (lift 2.1)',
    );
    expect(offerReason(zh, { ...offer, source: 'model', rule: null, score: 0.62 })).toBe('模型预测办理可能性 62%');
    for (const lng of ['zh-CN', 'en'])
      for (const item of NEXT_PRODUCT_ITEMS) {
        const t = inst.getFixedT(lng) as TFunction;
        const text = offerReason(t, { ...offer, item, rule: { ...offer.rule!, antecedent: ['demand'] } });
        expect(text, `${lng} ${item}`).not.toMatch(/np\.|\{\{|undefined|null|NaN|_/);
      }
  });

  it('every signal says what it saw, with amounts in yuan and no code', () => {
    const zh = inst.getFixedT('zh-CN') as TFunction;
    expect(signalFacts(zh, { signal: 'overdue', facts: FACTS.overdue })).toBe(
      '逾期 15 天，贷款余额 80,000.00 元；五级分类：次级类',
    );
    expect(signalFacts(zh, { signal: 'collapse', facts: FACTS.collapse })).toBe(
      '管户资产由 2026年7月末 1,000,000.00 元降至 200,000.00 元',
    );
    expect(signalFacts(zh, { signal: 'guaranteeCall', facts: FACTS.guaranteeCall })).toBe(
      '为他人 2 笔贷款提供担保，借款人已逾期或分类下调，担保贷款余额 1,200,000.00 元；最长逾期 35 天；五级分类：次级类',
    );
    expect(signalFacts(zh, { signal: 'weakGuarantor', facts: FACTS.weakGuarantor })).toBe(
      '本人 1 笔贷款（余额 80,000.00 元）的保证人本身贷款逾期，且被列入风险预警（预警）',
    );
    const en = inst.getFixedT('en') as TFunction;
    expect(signalFacts(en, { signal: 'weakGuarantor', facts: { ...FACTS.weakGuarantor, overdueGuarantors: 0 } })).toBe(
      'The guarantor of 1 own loan(s) (80,000.00 yuan outstanding) is on the risk watch-list (Warning)',
    );
    for (const lng of ['zh-CN', 'en'])
      for (const signal of RISK_SIGNALS) {
        const t = inst.getFixedT(lng) as TFunction;
        const text = signalFacts(t, { signal, facts: FACTS[signal] });
        expect(text, `${lng} ${signal}`).not.toMatch(/risk\.|\{\{|undefined|null|NaN|Fen|_/);
        expect(text.length, `${lng} ${signal}`).toBeGreaterThan(8);
        expect(t(`risk.signals.${signal}`)).not.toMatch(/risk\./);
      }
  });
});

/**
 * 风险预警's signals cell (signalChips, drawn by SignalChips.tsx): each signal by name up to two (they wrap
 * to a second line inside the row), from three on the first with "+N more" whose title names the rest.
 */
describe('the watch-list signals cell', () => {
  const chips = (lang: 'zh-CN' | 'en', signals: RiskSignal[]) =>
    signalChips(
      inst.getFixedT(lang),
      signals.map((signal) => ({ signal })),
    );

  it('each signal by name up to two, in either language', () => {
    expect(chips('en', ['collapse', 'weakGuarantor'])).toEqual({
      names: ['Balance collapse', 'Weak guarantor'],
      more: null,
    });
    expect(chips('zh-CN', ['collapse', 'weakGuarantor'])).toEqual({
      names: ['资产大幅下降', '保证人风险'],
      more: null,
    });
    expect(chips('en', ['overdue'])).toEqual({ names: ['Loan overdue'], more: null });
  });

  it('from three on, the first and "+N more" naming the rest', () => {
    const three = chips('en', ['guaranteeCall', 'dormancy', 'utilisation']);
    expect(three).toEqual({
      names: ['Guarantee may be called'],
      more: { text: '+2 more', title: 'Dormant after activity, Rising credit use' },
    });
    const four = chips('zh-CN', ['guaranteeCall', 'dormancy', 'utilisation', 'outflow']);
    expect(four).toEqual({
      names: ['担保代偿风险'],
      more: { text: '另 3 项', title: '活跃后转为不动户、用信率上升、大额资金流出' },
    });
    for (const c of [three, four]) expect(JSON.stringify(c)).not.toMatch(/risk\.|\{\{|undefined/);
  });
});
