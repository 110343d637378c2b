import { useTranslation } from 'react-i18next';
import { changePercent } from '../../../../../shared/comparisons';
import { addMonths } from '../../../../../shared/dates';
import { yuanToFen } from '../../../../../shared/money';
import { count, percent, wan, yuan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/**
 * A change between two month ends (shared/comparisons.ts: the latest month end with figures against the
 * one before it, or a year before), as an arrow and a percentage; the tooltip states both figures, both
 * month ends and the definition the reports share. "No history" when the base month has no figures.
 */
function Change({
  now,
  at,
  before,
  base,
  label,
  money,
  titleKey,
  testId,
}: {
  /** The figure at month end `at`. */
  now: string | null;
  at: string | null;
  /** The figure at month end `base`. */
  before: string | null;
  base: string | null;
  label: string;
  money: boolean;
  titleKey: 'comparison.prevMonthTitle' | 'comparison.prevYearTitle';
  testId: string;
}) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (now === null || at === null || before === null || base === null)
    return (
      <div
        className="kpi-change muted"
        data-testid={testId}
        title={
          at
            ? t('comparison.noHistoryTitle', {
                label,
                base: addMonths(at, titleKey === 'comparison.prevMonthTitle' ? -1 : -12),
              })
            : undefined
        }
      >
        {label} {t('desktop.noHistory')}
      </div>
    );
  const n = money ? yuanToFen(now) : BigInt(now);
  const b = money ? yuanToFen(before) : BigInt(before);
  const diff = n - b;
  const p = changePercent(n, b);
  const pct = p === null ? '—' : `${p > 0 ? '+' : ''}${percent(p)}`;
  const cls = diff > 0n ? 'up' : diff < 0n ? 'down' : '';
  const show = (v: string) =>
    money ? `${t('units.yuanExact', { amount: yuan(v) })}` : `${count(Number(v), lng)} ${t('desktop.units.people')}`;
  return (
    <div
      className={`kpi-change ${cls}`}
      title={t(titleKey, { label, at, now: show(now), base, before: show(before), pct })}
      data-testid={testId}
      data-at={at}
      data-base={base}
    >
      {label} {diff > 0n ? '▲' : diff < 0n ? '▼' : '■'} {p === null ? '—' : percent(Math.abs(p))}
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
        now={data.atValue}
        at={data.at}
        before={data.prevMonth}
        base={data.prevMonthAt}
        label={t('desktop.vsPrevMonth')}
        money={money}
        titleKey="comparison.prevMonthTitle"
        testId={`desk-kpi-${data.metric}-mom`}
      />
      <Change
        now={data.atValue}
        at={data.at}
        before={data.prevYear}
        base={data.prevYearAt}
        label={t('desktop.vsPrevYear')}
        money={money}
        titleKey="comparison.prevYearTitle"
        testId={`desk-kpi-${data.metric}-yoy`}
      />
    </div>
  );
}
