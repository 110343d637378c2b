/** KPI cards and the customer-pyramid (tier) table shared by the president's and manager's desks. */
import { useTranslation } from 'react-i18next';
import type { Overview, TierFigure } from '../../../shared/api';
import { count, moneyShare, share, wan, yuan } from '../format';
import { currentLanguage } from '../i18n';
import { TIERS_AND_NONE } from '../../../shared/tiers';

export const TIER_ORDER: readonly TierFigure['tier'][] = TIERS_AND_NONE;

export interface Kpi {
  id: string;
  label: string;
  value: string;
  unit: string;
  /** Full amount for the tooltip / screen readers, e.g. "¥1,234,567.80". */
  exact?: string;
}

export function KpiCards({ items, label }: { items: Kpi[]; label: string }) {
  return (
    <section className="kpis" aria-label={label}>
      {items.map((k) => (
        <div key={k.id} className="kpi" data-testid={`kpi-${k.id}`}>
          <div className="kpi-label">{k.label}</div>
          <div className="kpi-value num" title={k.exact}>
            {k.value}
            <span className="kpi-unit">{k.unit}</span>
          </div>
          {k.exact && <div className="kpi-exact num">{k.exact}</div>}
        </div>
      ))}
    </section>
  );
}

/** The four headline figures of an overview: customers, deposits, loans, AUM. */
export function useOverviewKpis(o: Overview | undefined): Kpi[] {
  const { t } = useTranslation();
  if (!o) return [];
  const money = (id: string, v: string): Kpi => ({
    id,
    label: t(`kpi.${id}`),
    value: wan(v),
    unit: t('units.wan'),
    exact: t('units.yuanExact', { amount: yuan(v) }),
  });
  return [
    {
      id: 'customers',
      label: t('kpi.customers'),
      value: count(o.customers, currentLanguage()),
      unit: t('units.customers'),
    },
    money('deposits', o.deposits),
    money('loans', o.loans),
    money('aum', o.aum),
  ];
}

/** Every tier in pyramid order, with zeros for tiers the data does not have. */
export function completeTiers(byTier: TierFigure[]): TierFigure[] {
  return TIER_ORDER.map((tier) => byTier.find((f) => f.tier === tier) ?? { tier, customers: 0, aum: '0.00' });
}

export function TierTable({ overview, caption }: { overview: Overview; caption: string }) {
  const { t } = useTranslation();
  const rows = completeTiers(overview.byTier);
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="tier-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('tierTable.tier')}</th>
            <th scope="col" className="num">
              {t('tierTable.customers')}
            </th>
            <th scope="col" className="num">
              {t('tierTable.customerShare')}
            </th>
            <th scope="col" className="num">
              {t('tierTable.aumWan')}
            </th>
            <th scope="col" className="num">
              {t('tierTable.aumShare')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.tier} data-tier={r.tier}>
              <th scope="row">
                <TierBadge tier={r.tier} />
              </th>
              <td className="num">{count(r.customers, currentLanguage())}</td>
              <td className="num">{share(r.customers, overview.customers)}</td>
              <td className="num" title={yuan(r.aum)}>
                {wan(r.aum)}
              </td>
              <td className="num">{moneyShare(r.aum, overview.aum)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('common.total')}</th>
            <td className="num">{count(overview.customers, currentLanguage())}</td>
            <td className="num">{overview.customers ? '100.0%' : '—'}</td>
            <td className="num" title={yuan(overview.aum)}>
              {wan(overview.aum)}
            </td>
            <td className="num">{moneyShare(overview.aum, overview.aum)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function TierBadge({ tier }: { tier: TierFigure['tier'] | null }) {
  const { t } = useTranslation();
  const key = tier ?? 'none';
  return <span className={`tier tier-${key}`}>{t(`tiers.${key}`)}</span>;
}
