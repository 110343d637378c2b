/** 校准图: mean predicted probability against the actual rate per probability band, with the diagonal. */
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface CalibrationView {
  /** 0..1, null when the band is empty. */
  meanPredicted: number | null;
  actualRate: number | null;
  customers: number;
}

const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

export function CalibrationChart({ rows, testId }: { rows: readonly CalibrationView[]; testId: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const points = useMemo(
    () =>
      rows
        .filter((r) => r.customers > 0 && r.meanPredicted !== null && r.actualRate !== null)
        .map((r) => [r.meanPredicted!, r.actualRate!, r.customers] as [number, number, number]),
    [rows],
  );
  // the axes reach a little past the largest point (churn rates are small: a 0..1 square would crowd them)
  const top = Math.min(1, Math.ceil(Math.max(0.1, ...points.flatMap((p) => [p[0], p[1]])) * 10.5) / 10);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    const axis = (name: string) => ({
      type: 'value',
      min: 0,
      max: Number(top.toFixed(2)),
      name,
      nameLocation: 'middle',
      nameGap: 28,
      nameTextStyle: { color: '#5b6b78' },
      axisLabel: { formatter: pct, hideOverlap: true },
      splitNumber: 4,
    });
    chart.setOption({
      grid: { left: 14, right: 16, top: 30, bottom: 30, containLabel: true },
      legend: { top: 0, right: 0, data: [t('lab.calibration.actual'), t('lab.calibration.ideal')] },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: { seriesIndex: number; data: [number, number, number] }) =>
          p.seriesIndex === 0
            ? `${t('lab.calibration.predicted')} ${(p.data[0] * 100).toFixed(1)}%<br/>${t('lab.calibration.actual')} ${(p.data[1] * 100).toFixed(1)}%<br/>${t('lab.calibration.customers')} ${p.data[2]}`
            : '',
      },
      xAxis: axis(t('lab.calibration.predicted')),
      yAxis: {
        ...axis(t('lab.calibration.actual')),
        nameLocation: 'end',
        nameGap: 10,
        nameTextStyle: { color: '#5b6b78', align: 'left' },
      },
      series: [
        {
          type: 'line',
          name: t('lab.calibration.actual'),
          data: points,
          // a band with few customers is a small point: its rate says little
          symbolSize: (v: [number, number, number]) => Math.max(5, Math.min(16, Math.sqrt(v[2]) * 1.6)),
          lineStyle: { width: 2 },
          color: '#0b5c63',
        },
        {
          type: 'line',
          name: t('lab.calibration.ideal'),
          data: [
            [0, 0],
            [top, top],
          ],
          symbol: 'none',
          lineStyle: { type: 'dashed', width: 1 },
          color: '#9aa7b1',
          silent: true,
        },
      ],
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [points, top, t]);
  const label = t('lab.calibration.label', {
    points: points
      .map((p) => `${(p[0] * 100).toFixed(1)}% → ${(p[1] * 100).toFixed(1)}%`)
      .join(t('common.listSeparator')),
  });
  return <div ref={ref} className="lab-calibration" role="img" aria-label={label} data-testid={testId} />;
}
