import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { count, wan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import { Chart } from '../chart';
import { drillTo } from '../drill';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** 渠道交易分布: transactions by channel in the latest reporting month(s); a slice or a channel opens its customers. */
export function ChannelMixWidget({ data }: WidgetProps<'channelMix'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const name = (c: string) => t(`desktop.channels.${c}`, { defaultValue: c });
  const period = data.from === data.to ? (data.to ?? '') : `${data.from} – ${data.to}`;
  const label = (c: string) => `${t('desktop.kinds.channelMix')} ${period} · ${name(c)}`;
  // name() is made from t each render; t changes with the language, which is when the labels must.
  // biome-ignore lint/correctness/useExhaustiveDependencies: t stands for name
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'pie',
          // a third-width widget at 1366 leaves ~90 px beside the ring: a smaller ring, short leader
          // lines and names that break onto a second line rather than end in "…" (电... / Coun...)
          radius: ['32%', '56%'],
          center: ['50%', '50%'],
          avoidLabelOverlap: true,
          // one decimal, as every percentage in the app (echarts' {d} gives two: 57.48%)
          label: {
            formatter: (p: { name: string; percent?: number }) => `${p.name}\n${(p.percent ?? 0).toFixed(1)}%`,
            overflow: 'break',
            lineHeight: 13,
            minMargin: 4,
          },
          labelLine: { length: 8, length2: 6 },
          data: data.channels.map((c) => ({ name: name(c.channel), value: c.txns })),
        },
      ],
    }),
    [data, t],
  );
  if (data.channels.length === 0) return <p className="muted">{t('desktop.noData')}</p>;
  return (
    <div className="desk-split">
      <p className="muted small">{t('desktop.channels.period', { period })}</p>
      <Chart
        option={option}
        fileName={`${t('desktop.kinds.channelMix')}-${period}`}
        label={data.channels.map((c) => `${name(c.channel)} ${c.txns}`).join('; ')}
        onPick={(i) => {
          const c = data.channels[i];
          if (c) drillTo(c.drill, label(c.channel));
        }}
        testId="desk-channel-chart"
      />
      <table className="data-table compact" data-testid="desk-channels">
        <thead>
          <tr>
            <th scope="col">{t('desktop.channels.channel')}</th>
            <th scope="col" className="num">
              {t('desktop.channels.txns')}
            </th>
            <th scope="col" className="num">
              {t('desktop.channels.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {data.channels.map((c) => (
            <tr key={c.channel}>
              <th scope="row">
                <Drill filter={c.drill} label={label(c.channel)} testId={`desk-channel-${c.channel}`}>
                  {name(c.channel)}
                </Drill>
              </th>
              <td className="num">{count(c.txns, lng)}</td>
              <td className="num">{wan(c.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
