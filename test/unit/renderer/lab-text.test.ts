import i18next, { type i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { auc, monthEnds, outcomeWord, targetLabel } from '../../../renderer/src/pages/lab/lab-text';
import { LAB_PRODUCT_CATEGORIES } from '../../../shared/lab';
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

describe('model lab words', () => {
  it('lists the month ends a cut-off may take, newest first, across years and February', () => {
    expect(monthEnds('2023-11-30', '2024-03-31')).toEqual([
      '2024-03-31',
      '2024-02-29',
      '2024-01-31',
      '2023-12-31',
      '2023-11-30',
    ]);
    expect(monthEnds('2025-02-28', '2025-02-28')).toEqual(['2025-02-28']);
    expect(monthEnds(null, '2025-02-28')).toEqual([]);
    expect(monthEnds('2025-03-31', '2025-02-28')).toEqual([]);
  });

  it('names every target in both languages without codes', async () => {
    for (const lng of ['zh-CN', 'en'] as const) {
      await inst.changeLanguage(lng);
      const t = inst.t.bind(inst);
      const keys = ['churn', 'loan', 'wealth', ...LAB_PRODUCT_CATEGORIES.map((c) => `product:${c}`)];
      const labels = keys.map((k) => targetLabel(t, k));
      for (const [i, l] of labels.entries()) {
        expect(l, keys[i]).not.toMatch(/[a-z]+[:_][a-z]+|^lab\.|glossary/);
        expect(l.trim(), keys[i]).not.toBe('');
      }
      expect(new Set(labels).size).toBe(labels.length);
      expect(outcomeWord(t, { kind: 'product', category: 'card' })).not.toMatch(/lab\./);
    }
    await inst.changeLanguage('zh-CN');
    const t = inst.t.bind(inst);
    expect(targetLabel(t, { kind: 'churn', dropShare: 0.5, minBalance: 1000 })).toBe('客户流失');
    expect(targetLabel(t, 'product:insurance')).toBe('开通保险');
  });

  it('writes AUCs to three decimals and a missing one as a dash', () => {
    expect(auc(0.81234)).toBe('0.812');
    expect(auc(null)).toBe('—');
    expect(auc(Number.NaN)).toBe('—');
  });
});
