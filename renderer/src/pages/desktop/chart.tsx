/** One echarts instance per widget, resized with its grid cell; clicks on a bar or slice report the data index. */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { saveBlob } from '../../api/client';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function Chart({
  option,
  onPick,
  label,
  testId,
  fileName,
}: {
  option: echarts.EChartsCoreOption;
  onPick?: (dataIndex: number) => void;
  /** Text alternative: the figures as words for screen readers. */
  label: string;
  testId?: string;
  /** Offers 保存图片 (PNG) under this file name. */
  fileName?: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const instance = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    instance.current = chart;
    chart.setOption(option);
    chart.on('click', (p) => {
      if (typeof p.dataIndex === 'number') pick.current?.(p.dataIndex);
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      instance.current = null;
      chart.dispose();
    };
  }, [option]);
  const savePng = () => {
    const url = instance.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
    if (!url || !fileName) return;
    const bytes = Uint8Array.from(atob(url.split(',')[1] ?? ''), (ch) => ch.charCodeAt(0));
    saveBlob(new Blob([bytes], { type: 'image/png' }), `${fileName}.png`);
  };
  return (
    <div className="desk-chart-wrap">
      {fileName && (
        <button
          type="button"
          className="btn btn-small btn-ghost desk-chart-save"
          onClick={savePng}
          data-testid={testId ? `${testId}-png` : undefined}
        >
          {t('desktop.savePng')}
        </button>
      )}
      <div ref={ref} className="desk-chart" role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}

/** Fen-exact yuan strings to a float for plotting only (labels and tooltips show the exact text). */
export const plot = (yuanText: string): number => Number(yuanText);
