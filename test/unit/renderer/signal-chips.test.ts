/**
 * 风险预警's signals cell (risk-text.ts signalChips, drawn by SignalChips.tsx) in both languages: each
 * signal by name up to two (they wrap to a second line inside the row), from three on the first with
 * "+N more" whose title names the rest; names in words, no key or placeholder.
 */
import i18next, { type i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { signalChips } from '../../../renderer/src/pages/analytics/risk-text';
import type { RiskSignal } from '../../../shared/analytics';
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

const chips = (lang: 'zh-CN' | 'en', signals: RiskSignal[]) =>
  signalChips(
    inst.getFixedT(lang),
    signals.map((signal) => ({ signal })),
  );

describe('the watch-list signals cell', () => {
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
