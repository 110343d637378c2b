import { FunnelChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OpportunityFilter } from '../../../../shared/api';
import { useApi } from '../../api/use-api';
import { ErrorNotice, Loading } from '../../components/ui';
import { count, yuan } from '../../format';
import { Chart } from '../desktop/chart';
import { DateField } from '../../components/DateField';
import './funnel.css';

echarts.use([FunnelChart]);

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/**
 * 商机漏斗: how many opportunities reached each stage, conversions between stages, and lead sources.
 * Every figure is a button that opens the list filtered to exactly those opportunities (the same
 * filter the main process counted with); a click on a funnel segment does the same.
 */
export function FunnelView({ onDrill }: { onDrill: (f: OpportunityFilter) => void }) {
  const { t } = useTranslation();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const state = useApi('opportunities.funnel', range);
  const data = state.data;
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setRange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
  };
  const option = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'item', formatter: '{b}: {c}' },
        series: [
          {
            type: 'funnel',
            sort: 'none',
            minSize: '12%',
            left: '15%',
            width: '70%',
            top: 10,
            bottom: 10,
            gap: 2,
            label: { show: true, position: 'right', formatter: '{b} {c}' },
            data: data.stages.map((s) => ({ name: t(`opportunities.stage.${s.stage}`), value: s.reached })),
          },
        ],
      },
    [data, t],
  );
  const link = (n: number, f: OpportunityFilter, testId: string) => (
    <button
      type="button"
      className="btn btn-small tabular"
      data-testid={testId}
      data-count={n}
      onClick={() => onDrill({ ...range, ...f })}
    >
      {count(n)}
    </button>
  );
  return (
    <div data-testid="opp-funnel">
      <form className="toolbar" onSubmit={apply}>
        <label htmlFor="funnel-from">{t('opportunities.funnel.from')}</label>
        <DateField id="funnel-from" value={from} onChange={setFrom} max={to || undefined} testId="funnel-from" />
        <label htmlFor="funnel-to">{t('opportunities.funnel.to')}</label>
        <DateField id="funnel-to" value={to} onChange={setTo} min={from || undefined} testId="funnel-to" />
        <button type="submit" className="btn">
          {t('opportunities.funnel.apply')}
        </button>
        <span className="muted">{t('opportunities.funnel.drill')}</span>
      </form>
      <ErrorNotice error={state.error} onRetry={state.reload} />
      {state.loading && !data && <Loading />}
      {data && option && (
        <div className="grid-2 funnel-layout">
          <section className="panel" aria-labelledby="funnel-title">
            <h2 id="funnel-title">{t('opportunities.funnel.title')}</h2>
            <div style={{ height: 300, display: 'flex' }}>
              <Chart
                option={option}
                testId="funnel-chart"
                label={`${t('opportunities.funnel.chart')}: ${data.stages.map((s) => `${t(`opportunities.stage.${s.stage}`)} ${s.reached}`).join('，')}`}
                onPick={(i) => onDrill({ ...range, reached: data.stages[i]!.stage })}
              />
            </div>
            <table className="data-table" data-testid="funnel-table">
              <thead>
                <tr>
                  <th scope="col">{t('opportunities.col.stage')}</th>
                  <th scope="col" className="num">
                    {t('opportunities.funnel.reached')}
                  </th>
                  <th scope="col" className="num">
                    {t('opportunities.funnel.current')}
                  </th>
                  <th scope="col" className="num">
                    {t('opportunities.funnel.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.stages.map((s) => (
                  <tr key={s.stage}>
                    <th scope="row">{t(`opportunities.stage.${s.stage}`)}</th>
                    <td className="num">{link(s.reached, { reached: s.stage }, `funnel-reached-${s.stage}`)}</td>
                    <td className="num">{link(s.current, { stage: s.stage }, `funnel-current-${s.stage}`)}</td>
                    <td className="num tabular">{yuan(s.amount)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t('opportunities.funnel.lost')}</th>
                  <td className="num" />
                  <td className="num">{link(data.lost, { stage: 'lost' }, 'funnel-current-lost')}</td>
                  <td />
                </tr>
              </tbody>
            </table>
            <h3>{t('opportunities.funnel.conversion')}</h3>
            <ul className="plain-list" data-testid="funnel-conversion">
              {data.conversion.map((c) => (
                <li key={c.from}>
                  {t('opportunities.funnel.step', {
                    from: t(`opportunities.stage.${c.from}`),
                    to: t(`opportunities.stage.${c.to}`),
                  })}
                  ：<strong className="tabular">{pct(c.rate)}</strong>
                </li>
              ))}
            </ul>
          </section>
          <section className="panel" aria-labelledby="sources-title">
            <h2 id="sources-title">{t('opportunities.funnel.sources')}</h2>
            <div className="table-wrap">
              <table className="data-table" data-testid="funnel-sources">
                <thead>
                  <tr>
                    <th scope="col">{t('opportunities.funnel.sourceCol')}</th>
                    <th scope="col" className="num">
                      {t('opportunities.funnel.totalCol')}
                    </th>
                    <th scope="col" className="num">
                      {t('opportunities.funnel.openCol')}
                    </th>
                    <th scope="col" className="num">
                      {t('opportunities.funnel.wonCol')}
                    </th>
                    <th scope="col" className="num">
                      {t('opportunities.funnel.lostCol')}
                    </th>
                    <th scope="col" className="num">
                      {t('opportunities.funnel.wonAmount')}
                    </th>
                    <th scope="col" className="num">
                      {t('opportunities.funnel.winRate')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.sources.map((s) => (
                    <tr key={s.source} data-testid={`funnel-source-${s.source}`}>
                      <th scope="row">{t(`opportunities.source.${s.source}`)}</th>
                      <td className="num">{link(s.total, { source: s.source }, `funnel-source-${s.source}-total`)}</td>
                      <td className="num">
                        {link(s.open, { source: s.source, open: true }, `funnel-source-${s.source}-open`)}
                      </td>
                      <td className="num">
                        {link(s.won, { source: s.source, stage: 'won' }, `funnel-source-${s.source}-won`)}
                      </td>
                      <td className="num">
                        {link(s.lost, { source: s.source, stage: 'lost' }, `funnel-source-${s.source}-lost`)}
                      </td>
                      <td className="num tabular">{yuan(s.wonAmount)}</td>
                      <td
                        className="num tabular"
                        title={t('opportunities.funnel.winRateBasis', {
                          won: s.won,
                          closed: s.won + s.lost,
                          open: s.open,
                        })}
                      >
                        {pct(s.winRate)}
                      </td>
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">{t('opportunities.funnel.total')}</th>
                    <td className="num">{link(data.total, {}, 'funnel-total')}</td>
                    <td colSpan={5} />
                  </tr>
                </tbody>
              </table>
            </div>
            {data.rules.length > 0 && (
              <>
                <h3>{t('opportunities.funnel.rules')}</h3>
                <table className="data-table" data-testid="funnel-rules">
                  <thead>
                    <tr>
                      <th scope="col">{t('opportunities.funnel.sourceCol')}</th>
                      <th scope="col" className="num">
                        {t('opportunities.funnel.totalCol')}
                      </th>
                      <th scope="col" className="num">
                        {t('opportunities.funnel.wonCol')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.rules.map((r) => (
                      <tr key={r.ruleCode}>
                        <th scope="row">{t(`opportunities.rule.${r.ruleCode}`)}</th>
                        <td className="num">{link(r.total, { ruleCode: r.ruleCode }, `funnel-rule-${r.ruleCode}`)}</td>
                        <td className="num">
                          {link(r.won, { ruleCode: r.ruleCode, stage: 'won' }, `funnel-rule-${r.ruleCode}-won`)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
