import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { count, wan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import { axisLabel, moneyAxisScale } from '../../../charts/axis-units';
import { Chart, plot } from '../chart';
import { drillTo } from '../drill';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** 产品持有分布: the largest products by balance held today; a bar or a holder count opens exactly those holders. */
export function ProductMixWidget({ data }: WidgetProps<'productMix'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const label = (name: string) => `${t('desktop.kinds.productMix')} · ${name}`;
  const option = useMemo(() => {
    const scale = moneyAxisScale(
      data.products.map((p) => plot(p.balance)),
      lng,
    );
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 26, containLabel: true },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => `${wan(Number(v).toFixed(2))} ${t('desktop.units.wan')}`,
      },
      // 万元 or 亿元 as the balances call for, named on the axis (issue 17)
      xAxis: {
        type: 'value',
        name: t(`charts.units.${scale.unit}`),
        // under the axis, centred: at its end the unit would be cut by the widget's edge
        nameLocation: 'middle',
        nameGap: 22,
        nameTextStyle: { color: '#5b6b78' },
        splitNumber: 3,
        axisLabel: { hideOverlap: true, formatter: (v: number) => axisLabel(v, scale) },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: data.products.map((p) => p.name),
        // every name whole: a long one wraps onto a second line (整存整取定期存款（六个月）and （一年）
        // were both "整存整取定期存…"), each bar with a line of its own (the chart grows to fit)
        axisLabel: { interval: 0, width: 112, overflow: 'break', fontSize: 11, lineHeight: 12 },
      },
      series: [{ type: 'bar', data: data.products.map((p) => plot(p.balance)) }],
    };
  }, [data, t, lng]);
  if (data.products.length === 0) return <p className="muted">{t('desktop.noData')}</p>;
  return (
    <div className="desk-split">
      <div className="desk-chart-fit" style={{ minHeight: data.products.length * 26 + 56 }}>
        <Chart
          option={option}
          fileName={t('desktop.kinds.productMix')}
          label={data.products.map((p) => `${p.name} ${wan(p.balance)}`).join('; ')}
          onPick={(i) => {
            const p = data.products[i];
            if (p) drillTo(p.drill, label(p.name));
          }}
          testId="desk-product-chart"
        />
      </div>
      <table className="data-table compact" data-testid="desk-products">
        <thead>
          <tr>
            <th scope="col">{t('desktop.products.product')}</th>
            <th scope="col" className="num">
              {t('desktop.products.customers')}
            </th>
            <th scope="col" className="num">
              {t('desktop.products.holdings')}
            </th>
            <th scope="col" className="num">
              {t('desktop.products.balance')}
            </th>
          </tr>
        </thead>
        <tbody>
          {data.products.map((p) => (
            <tr key={p.productId}>
              <th
                scope="row"
                title={`${p.name} · ${p.code} · ${t(`desktop.products.${p.category}`, { defaultValue: p.category })}`}
              >
                {p.name}
              </th>
              <td className="num">
                <Drill filter={p.drill} label={label(p.name)} testId={`desk-product-${p.productId}`}>
                  {count(p.holders, lng)}
                </Drill>
              </td>
              <td className="num">{count(p.held, lng)}</td>
              <td className="num">{wan(p.balance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
