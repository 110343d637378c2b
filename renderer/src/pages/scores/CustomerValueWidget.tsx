import { useTranslation } from 'react-i18next';
import { count, wan, yuan } from '../../format';
import { currentLanguage } from '../../i18n';
import type { WidgetProps } from '../desktop/registry';
import { Drill } from '../desktop/widgets/common';

/**
 * 客户价值分布 on a desktop: the customers in scope by yearly contribution band (万元 a year), with the
 * band's contribution, mean loyalty and points; each count opens the grid on exactly those customers.
 */
export function CustomerValueWidget({ data }: WidgetProps<'customerValue'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const band = (from: number, to: number | null) =>
    to === null ? `≥ ${count(from, lng)}` : `${count(from, lng)} – ${count(to, lng)}`;
  return (
    <div className="widget-customer-value">
      <p className="muted" data-testid="desk-value-totals">
        {t('scores.widget.total', { c: wan(data.contribution), v: wan(data.clv), unit: t('desktop.units.wan') })}
      </p>
      <table className="data-table compact" data-testid="desk-value">
        <thead>
          <tr>
            <th scope="col">{t('scores.widget.band')}</th>
            <th scope="col" className="num">
              {t('scores.widget.customers')}
            </th>
            <th scope="col" className="num">
              {t('scores.widget.contributionWan')}
            </th>
            <th scope="col" className="num">
              {t('scores.widget.avgLoyalty')}
            </th>
          </tr>
        </thead>
        <tbody>
          {data.bands.map((b) => (
            <tr key={b.from}>
              <th scope="row">{band(b.from, b.to)}</th>
              <td className="num">
                <Drill
                  filter={b.drill}
                  label={`${t('scores.widget.title')} · ${band(b.from, b.to)}`}
                  testId={`desk-value-${b.from}`}
                >
                  {count(b.customers, lng)}
                </Drill>
              </td>
              <td className="num" title={yuan(b.contribution)}>
                {wan(b.contribution)}
              </td>
              <td className="num">{b.avgLoyalty.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
