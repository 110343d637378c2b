import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { count, wan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import { Chart, plot } from '../chart';
import { drillTo } from '../drill';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** 产品持有分布: balance by product category as bars; a bar or a customer count drills into the grid. */
export function ProductMixWidget({ data }: WidgetProps<'productMix'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const name = (c: string) => t(`desktop.products.${c}`, { defaultValue: c });
  const option = useMemo(
    () => ({
      grid: { left: 80, right: 12, top: 8, bottom: 20 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${wan(Number(v).toFixed(2))} ${t('desktop.units.wan')}` },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v / 10_000).toLocaleString()}` } },
      yAxis: { type: 'category', inverse: true, data: data.categories.map((c) => name(c.category)) },
      series: [{ type: 'bar', data: data.categories.map((c) => plot(c.balance)) }],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, t],
  );
  return (
    <div className="desk-split">
      <Chart
        option={option}
        label={data.categories.map((c) => `${name(c.category)} ${wan(c.balance)}`).join('; ')}
        onPick={(i) => {
          const c = data.categories[i];
          if (c) drillTo(c.drill, `${t('desktop.kinds.productMix')} · ${name(c.category)}`);
        }}
        testId="desk-product-chart"
      />
      <table className="data-table compact" data-testid="desk-products">
        <thead>
          <tr>
            <th scope="col">{t('desktop.kinds.productMix')}</th>
            <th scope="col" className="num">{t('desktop.products.customers')}</th>
            <th scope="col" className="num">{t('desktop.products.holdings')}</th>
            <th scope="col" className="num">{t('desktop.products.balance')}</th>
          </tr>
        </thead>
        <tbody>
          {data.categories.map((c) => (
            <tr key={c.category}>
              <th scope="row">{name(c.category)}</th>
              <td className="num">
                <Drill filter={c.drill} label={`${t('desktop.kinds.productMix')} · ${name(c.category)}`} testId={`desk-product-${c.category}`}>
                  {count(c.customers, lng)}
                </Drill>
              </td>
              <td className="num">{count(c.holdings, lng)}</td>
              <td className="num">{wan(c.balance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
