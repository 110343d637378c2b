import type { SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { OPPORTUNITY_PRODUCTS, type OpportunityProduct } from '../../../../shared/api';

/** The product of an opportunity or campaign, picked by its name (one list for every form that asks). */
export function ProductSelect({
  value,
  onChange,
  ...rest
}: { value: OpportunityProduct; onChange: (p: OpportunityProduct) => void } & Omit<
  SelectHTMLAttributes<HTMLSelectElement>,
  'value' | 'onChange'
>) {
  const { t } = useTranslation();
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.target.value as OpportunityProduct)}>
      {OPPORTUNITY_PRODUCTS.map((p) => (
        <option key={p} value={p}>
          {t(`opportunities.product.${p}`)}
        </option>
      ))}
    </select>
  );
}
