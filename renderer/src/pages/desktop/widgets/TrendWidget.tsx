import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { wan } from '../../../format';
import { axisLabel, moneyAxisScale } from '../../../charts/axis-units';
import { Chart, plot } from '../chart';
import { drillTo } from '../drill';
import type { WidgetProps } from '../registry';

/** 存款余额趋势: month-end deposits, AUM and loans of the reporting months. */
export function TrendWidget({ data }: WidgetProps<'depositTrend'>) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const option = useMemo(() => {
    const scale = moneyAxisScale(
      data.points.flatMap((p) => [plot(p.deposits), plot(p.aum), plot(p.loans)]),
      lang,
    );
    return {
      grid: { left: 8, right: 12, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, data: [t('desktop.metrics.deposits'), t('desktop.trend.aum'), t('desktop.metrics.loans')] },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => `${wan(Number(v).toFixed(2))} ${t('desktop.units.wan')}`,
      },
      xAxis: { type: 'category', data: data.points.map((p) => p.month), axisLabel: { hideOverlap: true } },
      // 万元 or 亿元 as the branch's size calls for, named on the axis (issue 17)
      yAxis: {
        type: 'value',
        name: t('charts.unitAxis', { unit: t(`charts.units.${scale.unit}`) }),
        nameTextStyle: { align: 'left', color: '#5b6b78' },
        axisLabel: { hideOverlap: true, formatter: (v: number) => axisLabel(v, scale) },
      },
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
    };
  }, [data, t, lang]);
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
