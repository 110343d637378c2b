import { useTranslation } from 'react-i18next';
import { count, wan, yuan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { CustomerRows, Drill } from './common';

/** 近期到期: term deposits, wealth and loans maturing in the window; the customer count drills into the grid. */
export function MaturitiesWidget({ data }: WidgetProps<'maturities'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const title = t('desktop.maturities.title', { days: data.days });
  return (
    <>
      <p>
        <Drill filter={data.drill} label={title} testId="desk-maturities-customers">
          {t('desktop.maturities.customers', { n: count(data.customers, lng) })}
        </Drill>
      </p>
      <table className="data-table compact" data-testid="desk-maturities">
        <thead>
          <tr>
            <th scope="col">{title}</th>
            <th scope="col" className="num">
              {t('desktop.maturities.items')}
            </th>
            <th scope="col" className="num">
              {t('desktop.maturities.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {data.byKind.map((k) => (
            <tr key={k.kind}>
              <th scope="row">{t(`desktop.maturities.${k.kind}`)}</th>
              <td className="num">{count(k.items, lng)}</td>
              <td className="num" title={yuan(k.amount)}>
                {wan(k.amount)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.rows.length === 0 ? (
        <p className="muted">{t('desktop.maturities.empty')}</p>
      ) : (
        <CustomerRows
          rows={data.rows}
          amountLabel={t('desktop.maturities.amountYuan')}
          showDate={t('desktop.maturities.on')}
          testId="desk-maturities-rows"
        />
      )}
    </>
  );
}
