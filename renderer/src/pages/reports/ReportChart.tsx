/**
 * One echarts chart for a report table. Each bar, point or slice maps back to its table row (and,
 * for stacked series, the column), whose drill filter opens the customers behind it. The chart can be
 * saved as PNG (getDataURL).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { TFunction } from 'i18next';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { axisLabel, moneyAxisScale, type AxisScale } from '../../charts/axis-units';
import { yuan } from '../../format';

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
  /** The series are yuan amounts: the value axis is in 万元 / 亿元, tooltips in exact yuan. */
  money?: boolean;
}

/** The value axis' scale: money in the unit the largest bar or point calls for (a stack: its tallest column). */
function scaleOf(spec: ChartSpec, lang: string): AxisScale | null {
  if (!spec.money) return null;
  const peaks =
    spec.type === 'stack'
      ? spec.categories.map((_, i) => spec.series.reduce((n, s) => n + Math.abs(s.values[i] ?? 0), 0))
      : spec.series.flatMap((s) => s.values);
  return moneyAxisScale(peaks, lang);
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Width a category label takes at 12px: a CJK character ~12px, anything else ~7px. */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 12 : 7;
  return w;
}

/** The widest name may take on a horizontal bar chart before it wraps onto a second line. */
const HBAR_LABEL_MAX = 176;

function hbarLabelWidth(spec: ChartSpec): number {
  return Math.min(HBAR_LABEL_MAX, Math.max(48, ...spec.categories.map(textWidth)));
}

/** A horizontal bar chart's height: a line per name, two where a name wraps. */
export function hbarHeight(spec: ChartSpec): number {
  const wraps = spec.categories.some((c) => textWidth(c) > HBAR_LABEL_MAX);
  return Math.max(260, spec.categories.length * (wraps ? 30 : 22) + 60);
}

export interface ChartHandle {
  png(): string | null;
}

function optionOf(spec: ChartSpec, t: TFunction, lang: string): echarts.EChartsCoreOption {
  const scale = scaleOf(spec, lang);
  // tooltips keep the exact figure: yuan to the fen, counts grouped
  const exact = (v: unknown) =>
    typeof v !== 'number'
      ? String(v ?? '')
      : scale
        ? `${yuan(v.toFixed(2))} ${t('charts.units.yuan')}`
        : grouped.format(v);
  const tooltip = { trigger: spec.type === 'pie' ? 'item' : 'axis', confine: true, valueFormatter: exact };
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
          // one decimal, as every percentage in the app (echarts' {d} gives two)
          label: { formatter: (p: { name: string; percent?: number }) => `${p.name} ${(p.percent ?? 0).toFixed(1)}%` },
        },
      ],
    };
  }
  const horizontal = spec.type === 'hbar';
  // Category labels: names on a horizontal bar are whole, as wide as the longest needs up to a limit,
  // past which they wrap onto a second line (cut, 整存整取定期存款（一年）and （三年）both read
  // "整存整取定期存…"); many labels under a vertical chart are turned so they do not run into each
  // other; any still touching hide.
  const cat = {
    type: 'category',
    data: spec.categories,
    axisLabel: horizontal
      ? { interval: 0, width: hbarLabelWidth(spec), overflow: 'break', lineHeight: 14 }
      : { interval: 0, hideOverlap: true, rotate: spec.categories.length > 8 ? 35 : 0 },
  };
  const val = {
    type: 'value',
    name: scale ? t('charts.unitAxis', { unit: t(`charts.units.${scale.unit}`) }) : undefined,
    nameTextStyle: { align: horizontal ? 'right' : 'left', color: '#5b6b78' },
    axisLabel: {
      hideOverlap: true,
      formatter: (v: number) => (scale ? axisLabel(v, scale) : grouped.format(v)),
    },
    splitNumber: horizontal ? 4 : 5,
  };
  return {
    tooltip,
    legend: spec.series.length > 1 ? { top: 0, type: 'scroll' } : undefined,
    grid: {
      left: 8,
      right: 20,
      top: spec.series.length > 1 || (scale && !horizontal) ? 34 : 14,
      bottom: horizontal && scale ? 26 : 8,
      containLabel: true,
    },
    // a horizontal bar's unit under its axis, centred (at the end it would run into the last tick)
    xAxis: horizontal ? { ...val, nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: '#5b6b78' } } : cat,
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: spec.series.map((s) => ({
      type: spec.type === 'line' ? 'line' : 'bar',
      name: s.name,
      data: s.values,
      stack: spec.type === 'stack' ? 'all' : undefined,
      smooth: spec.type === 'line',
      // three managers or one month are bars, not slabs a third of the chart tall
      barMaxWidth: 36,
    })),
  };
}

export const ReportChart = forwardRef<
  ChartHandle,
  { spec: ChartSpec; label: string; testId: string; onPick: (index: number, seriesKey: string) => void }
>(function ReportChart({ spec, label, testId, onPick }, handle) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
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
    c.setOption(optionOf(spec, t, lang));
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
  }, [spec, t, lang]);
  const scale = scaleOf(spec, lang);
  return (
    <div
      ref={ref}
      className="report-chart"
      // a horizontal bar per row: tall enough that every name has its line
      style={spec.type === 'hbar' ? { height: hbarHeight(spec) } : undefined}
      role="img"
      aria-label={label}
      data-testid={testId}
      // what the e2e checks read: the axis unit and the longest tick it writes
      data-unit={scale?.unit ?? (spec.type === 'pie' ? 'pie' : 'count')}
      data-axis-max={
        scale ? axisLabel(Math.max(0, ...spec.series.flatMap((x) => x.values.map(Math.abs))), scale) : undefined
      }
    />
  );
});
