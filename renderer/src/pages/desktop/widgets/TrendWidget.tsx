import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { wan } from '../../../format';
import { Chart, plot } from '../chart';
import { drillTo } from '../drill';
import type { WidgetProps } from '../registry';

/** 存款余额趋势: month-end deposits, AUM and loans of the reporting months. */
export function TrendWidget({ data }: WidgetProps<'depositTrend'>) {
  const { t } = useTranslation();
  const option = useMemo(
    () => ({
      grid: { left: 64, right: 12, top: 28, bottom: 24 },
      legend: { top: 0, data: [t('desktop.metrics.deposits'), t('desktop.trend.aum'), t('desktop.metrics.loans')] },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => `${wan(Number(v).toFixed(2))} ${t('desktop.units.wan')}`,
      },
      xAxis: { type: 'category', data: data.points.map((p) => p.month) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v / 10_000).toLocaleString()}` } },
      series: [
        {
          name: t('desktop.metrics.deposits'),
          type: 'line',
          smooth: true,
          data: data.points.map((p) => plot(p.deposits)),
          areaStyle: { opacity: 0.08 },
        },
        { name: t('desktop.trend.aum'), type: 'line', smooth: true, data: data.points.map((p) => plot(p.aum)) },
        { name: t('desktop.metrics.loans'), type: 'line', smooth: true, data: data.points.map((p) => plot(p.loans)) },
      ],
    }),
    [data, t],
  );
  if (data.points.length === 0) return <p className="muted">{t('desktop.noHistory')}</p>;
  return (
    <Chart
      option={option}
      fileName={t('desktop.kinds.depositTrend')}
      label={data.points.map((p) => `${p.month} ${wan(p.deposits)}`).join('; ')}
      onPick={(i) => {
        const p = data.points[i];
        if (p) drillTo(p.drill, t('desktop.trend.drill', { month: p.month }));
      }}
      testId="desk-trend-chart"
    />
  );
}
