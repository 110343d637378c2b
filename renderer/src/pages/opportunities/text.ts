import type { Opportunity } from '../../../../shared/api';
import { fenToYuan } from '../../../../shared/money';
import { yuan } from '../../format';

export { nextStages } from '../../../../shared/opportunities';

type T = (key: string, options?: Record<string, unknown>) => string;

/** What a rule saw, as a sentence ("存单 … 于 2026-11-12 到期，本金 100,000.00 元"). */
export function detailText(t: T, o: Opportunity): string {
  const d = o.detail ?? {};
  const money = (k: string) => (typeof d[k] === 'number' ? yuan(fenToYuan(d[k])) : '—');
  return t(`opportunities.detailText.${o.ruleCode}`, {
    on: d.on ?? '—',
    amount: money('amountFen'),
    depositNo: d.depositNo ?? '—',
    loanNo: d.loanNo ?? '—',
    months: d.months ?? '—',
    avg: money('avgFen'),
    before: money('beforeFen'),
    after: money('afterFen'),
    from: d.from ?? '—',
    to: d.to ?? '—',
  });
}
