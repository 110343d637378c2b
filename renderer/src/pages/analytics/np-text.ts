import type { TFunction } from 'i18next';
import type { NextProductOffer } from '../../../../shared/api';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Why the item is offered, in words: the rule, or the model's predicted take-up. */
export function offerReason(t: TFunction, o: NextProductOffer): string {
  if (o.rule)
    return t('np.reason', {
      items: o.rule.antecedent.map((i) => t(`np.items.${i}`)).join(t('np.and')),
      pct: pct(o.rule.confidence),
      item: t(`np.items.${o.item}`),
      lift: o.rule.lift.toFixed(1),
    });
  return t('np.modelReason', { pct: pct(o.score) });
}
