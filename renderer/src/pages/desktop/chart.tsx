/** One echarts instance per widget, resized with its grid cell; clicks on a bar or slice report the data index. */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function Chart({
  option,
  onPick,
  label,
  testId,
}: {
  option: echarts.EChartsCoreOption;
  onPick?: (dataIndex: number) => void;
  /** Text alternative: the figures as words for screen readers. */
  label: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.setOption(option);
    chart.on('click', (p) => {
      if (typeof p.dataIndex === 'number') pick.current?.(p.dataIndex);
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [option]);
  return <div ref={ref} className="desk-chart" role="img" aria-label={label} data-testid={testId} />;
}

/** Fen-exact yuan strings to a float for plotting only (labels and tooltips show the exact text). */
export const plot = (yuanText: string): number => Number(yuanText);
