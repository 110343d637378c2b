import { useTranslation } from 'react-i18next';
import { yuanToFen } from '../../../../../shared/money';
import { count, wan, yuan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** A change against an earlier month-end figure, as an arrow and a percentage; "no history" without one. */
function Change({
  now,
  before,
  at,
  label,
  money,
  testId,
}: {
  now: string;
  before: string | null;
  at: string | null;
  label: string;
  money: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  if (before === null || at === null)
    return (
      <div className="kpi-change muted" data-testid={testId}>
        {label} {t('desktop.noHistory')}
      </div>
    );
  const n = money ? yuanToFen(now) : BigInt(now);
  const b = money ? yuanToFen(before) : BigInt(before);
  const diff = n - b;
  const pct = b === 0n ? '—' : `${((Number(diff) * 100) / Number(b)).toFixed(1)}%`;
  const cls = diff > 0n ? 'up' : diff < 0n ? 'down' : '';
  const then = money ? `${wan(before)} ${t('desktop.units.wan')}` : count(Number(before), currentLanguage());
  return (
    <div
      className={`kpi-change ${cls}`}
      title={t('desktop.changeTitle', { month: at, value: then })}
      data-testid={testId}
    >
      {label} {diff > 0n ? '▲' : diff < 0n ? '▼' : '■'} {pct}
    </div>
  );
}

export function KpiWidget({ data }: WidgetProps<'kpi'>) {
  const { t } = useTranslation();
  const money = data.metric !== 'customers';
  const label = t(`desktop.metrics.${data.metric}`);
  return (
    <div className="desk-kpi" data-testid={`desk-kpi-${data.metric}`}>
      <Drill filter={data.drill} label={label} testId={`desk-kpi-${data.metric}-value`}>
        <span
          className="kpi-value num"
          title={money ? t('units.yuanExact', { amount: yuan(data.value) }) : undefined}
          data-value={data.value}
        >
          {money ? wan(data.value) : count(Number(data.value), currentLanguage())}
          <span className="kpi-unit">{money ? t('desktop.units.wan') : t('desktop.units.people')}</span>
        </span>
      </Drill>
      <Change
        now={data.basis}
        before={data.prevMonth}
        at={data.prevMonthAt}
        label={t('desktop.vsPrevMonth')}
        money={money}
        testId={`desk-kpi-${data.metric}-mom`}
      />
      <Change
        now={data.basis}
        before={data.prevYear}
        at={data.prevYearAt}
        label={t('desktop.vsPrevYear')}
        money={money}
        testId={`desk-kpi-${data.metric}-yoy`}
      />
    </div>
  );
}
