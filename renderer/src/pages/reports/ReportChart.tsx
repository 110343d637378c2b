/**
 * One echarts chart for a report table. Each bar, point or slice maps back to its table row (and,
 * for stacked series, the column), whose drill filter opens the customers behind it. The chart can be
 * saved as PNG (getDataURL).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface ChartSeries {
  /** Column key (a stacked series' drill comes from row.drills[key]). */
  key: string;
  name: string;
  values: number[];
}

export interface ChartSpec {
  type: 'bar' | 'line' | 'pie' | 'stack' | 'hbar';
  categories: string[];
  series: ChartSeries[];
}

export interface ChartHandle {
  png(): string | null;
}

function optionOf(spec: ChartSpec): echarts.EChartsCoreOption {
  const tooltip = { trigger: spec.type === 'pie' ? 'item' : 'axis', confine: true };
  if (spec.type === 'pie') {
    const s = spec.series[0]!;
    return {
      tooltip,
      legend: { bottom: 0, type: 'scroll' },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          data: spec.categories.map((c, i) => ({ name: c, value: s.values[i] })),
          label: { formatter: '{b} {d}%' },
        },
      ],
    };
  }
  const horizontal = spec.type === 'hbar';
  const cat = { type: 'category', data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
  const val = { type: 'value' };
  return {
    tooltip,
    legend: spec.series.length > 1 ? { top: 0, type: 'scroll' } : undefined,
    grid: {
      left: horizontal ? 120 : 60,
      right: 20,
      top: spec.series.length > 1 ? 30 : 10,
      bottom: 30,
      containLabel: false,
    },
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: spec.series.map((s) => ({
      type: spec.type === 'line' ? 'line' : 'bar',
      name: s.name,
      data: s.values,
      stack: spec.type === 'stack' ? 'all' : undefined,
      smooth: spec.type === 'line',
    })),
  };
}

export const ReportChart = forwardRef<
  ChartHandle,
  { spec: ChartSpec; label: string; testId: string; onPick: (index: number, seriesKey: string) => void }
>(function ReportChart({ spec, label, testId, onPick }, handle) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useImperativeHandle(
    handle,
    () => ({ png: () => chart.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }) ?? null }),
    [],
  );
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.setOption(optionOf(spec));
    c.on('click', (p) => {
      if (typeof p.dataIndex !== 'number') return;
      const key = spec.type === 'pie' ? spec.series[0]!.key : (spec.series[p.seriesIndex ?? 0]?.key ?? '');
      pick.current(p.dataIndex, key);
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [spec]);
  return <div ref={ref} className="report-chart" role="img" aria-label={label} data-testid={testId} />;
});
