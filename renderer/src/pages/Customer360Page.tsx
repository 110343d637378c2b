import { LineChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer360, RevealResult } from '../../../shared/api';
import { api, toApiError, validateInput, type ApiError } from '../api/client';
import { useApi } from '../api/use-api';
import { TierBadge } from '../components/Figures';
import { Empty, ErrorNotice, Loading, Modal, Pager, useErrorText } from '../components/ui';
import { axisLabel, moneyAxisScale } from '../charts/axis-units';
import { dateTime, yuan } from '../format';
import { navItemsFor } from '../nav';
import { returnTo } from '../return-to';
import { useRouteParam } from '../router';
import { useCan, useSession } from '../session';
import { CustomerContacts, LogContactButton } from './referrals/CustomerContacts';
import { CustomerOpportunities } from './opportunities/CustomerOpportunities';
import { CustomerReminders } from './reminders/CustomerReminders';
import { CustomerModelScores } from './lab/CustomerModelScores';
import { CustomerValuePanel } from './scores/CustomerValuePanel';
import { CustomerNextProducts } from './analytics/NextProduct';
import { CustomerRiskPanel } from './analytics/CustomerRisk';
import { CustomerGuarantees } from './analytics/CustomerGuarantees';

echarts.use([LineChart, GridComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const TXN_PAGE = 20;

/** 统一客户视图: one customer, everything the branch holds about them, in one page. */
export function Customer360Page() {
  const { t } = useTranslation();
  const param = useRouteParam();
  const id = param && /^\d+$/.test(param) ? Number(param) : null;
  const view = useApi('customers.view', { id: id ?? 1 }, { enabled: id !== null });
  if (id === null) return <Empty text={t('c360.noCustomer')} />;
  return (
    <section className="page" data-testid="customer-360" aria-labelledby="page-title">
      <ErrorNotice error={view.error} onRetry={view.reload} />
      {view.loading && !view.data && <Loading />}
      {view.data && <Body id={id} data={view.data} />}
    </section>
  );
}

function Body({ id, data }: { id: number; data: Customer360 }) {
  const { t } = useTranslation();
  const c = data.customer;
  const canReveal = useCan('customer.unmask');
  const [revealed, setRevealed] = useState<RevealResult | null>(null);
  const [asking, setAsking] = useState(false);
  const [fav, setFav] = useState(data.favorite);
  return (
    <>
      <header className="page-header">
        <h1 id="page-title" data-testid="c360-name">
          {c.name}
          <span className="muted mono"> {c.customerNo}</span>
        </h1>
        <div className="actions">
          <LogContactButton customerId={id} />
          <button
            type="button"
            className={`star${fav ? ' on' : ''}`}
            aria-pressed={fav}
            aria-label={t('grid.favorite')}
            data-testid="c360-star"
            onClick={() => void api('favorites.set', { customerId: id, on: !fav }).then((r) => setFav(r.on))}
          >
            {fav ? '★' : '☆'}
          </button>
          <BackLink />
        </div>
      </header>
      <div className="grid-2">
        <section className="panel" aria-labelledby="c360-profile">
          <h2 id="c360-profile">{t('c360.profile')}</h2>
          <dl className="facts" data-testid="c360-facts">
            <dt>{t('customer.tier')}</dt>
            <dd>{c.tier ? <TierBadge tier={c.tier} /> : t('customers.noTier')}</dd>
            <dt>{t('customer.kindLabel')}</dt>
            <dd>{t(`customer.kind.${c.kind}`)}</dd>
            <dt>{t('customer.idNo')}</dt>
            <dd className="mono" data-testid="c360-idno">
              {(revealed ? revealed.idNo : c.idNo) ?? '—'}
            </dd>
            <dt>{t('customer.mobile')}</dt>
            <dd className="mono" data-testid="c360-mobile">
              {(revealed ? revealed.mobile : c.mobile) ?? '—'}
              {canReveal && !revealed && (c.idNo || c.mobile) && (
                <button
                  type="button"
                  className="btn btn-ghost"
                  data-testid="c360-reveal"
                  onClick={() => setAsking(true)}
                >
                  {t('c360.reveal')}
                </button>
              )}
            </dd>
            <dt>{t('c360.birth')}</dt>
            <dd>{c.birthDate ?? '—'}</dd>
            <dt>{t('c360.address')}</dt>
            <dd>{c.address ?? '—'}</dd>
            <dt>{t('customer.manager')}</dt>
            <dd>{c.managerName ?? t('customer.noManager')}</dd>
            <dt>{t('customer.branch')}</dt>
            <dd>{c.branchName}</dd>
            <dt>{t('grid.openedOn')}</dt>
            <dd>{c.openedOn}</dd>
            <dt>{t('grid.lastTxnOn')}</dt>
            <dd>{c.lastTxnOn ?? '—'}</dd>
            <dt>{t('c360.tags')}</dt>
            <dd>
              {c.tags.length
                ? c.tags.map((x) => (
                    <span key={x} className="tag">
                      {x}
                    </span>
                  ))
                : '—'}
            </dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="c360-figures">
          <h2 id="c360-figures">{t('c360.figures')}</h2>
          <div className="kpis kpis-small">
            {(
              [
                ['aum', c.aum],
                ['deposits', c.deposits],
                ['wealth', c.wealth],
                ['loans', c.loans],
              ] as const
            ).map(([k, v]) => (
              <div key={k} className="kpi" data-testid={`c360-${k}`}>
                <div className="kpi-label">{t(`c360.kpi.${k}`)}</div>
                <div className="kpi-value num">{yuan(v)}</div>
              </div>
            ))}
          </div>
          <h3>{t('c360.trend')}</h3>
          <TrendChart data={data.trend} closedOn={data.depositsClosedOn} />
        </section>
      </div>
      <CustomerValuePanel customerId={id} />
      <CustomerModelScores customerId={id} />
      <div className="grid-2">
        <CustomerNextProducts customerId={id} />
        <CustomerRiskPanel customerId={id} />
      </div>
      <section className="panel" aria-labelledby="c360-accounts">
        <h2 id="c360-accounts">{t('c360.accounts')}</h2>
        {data.accounts.length === 0 ? (
          <Empty text={t('c360.none')} />
        ) : (
          <table className="data-table" data-testid="c360-accounts-table">
            <thead>
              <tr>
                <th scope="col">{t('c360.accountNo')}</th>
                <th scope="col">{t('c360.product')}</th>
                <th scope="col">{t('c360.status')}</th>
                <th scope="col">{t('grid.openedOn')}</th>
                <th scope="col" className="num">
                  {t('c360.balance')}
                </th>
                <th scope="col" className="num">
                  {t('c360.frozen')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.accounts.map((a) => (
                <tr key={a.id}>
                  <td className="mono">{a.accountNo}</td>
                  <td>{a.productName}</td>
                  <td>{t(`c360.accountStatus.${a.status}`, { defaultValue: a.status })}</td>
                  <td>{a.openedOn}</td>
                  <td className="num">{yuan(a.balance)}</td>
                  <td className="num">{yuan(a.frozen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {/* six columns each: side by side only where both fit whole (1920), one above the other at 1366 */}
      <div className="grid-2 grid-2-wide">
        <section className="panel" aria-labelledby="c360-holdings">
          <h2 id="c360-holdings">{t('c360.holdings')}</h2>
          {data.holdings.length === 0 ? (
            <Empty text={t('c360.none')} />
          ) : (
            <table className="data-table" data-testid="c360-holdings-table">
              <thead>
                <tr>
                  <th scope="col">{t('c360.product')}</th>
                  <th scope="col" className="num">
                    {t('c360.amount')}
                  </th>
                  <th scope="col">{t('c360.rateOrValue')}</th>
                  <th scope="col">{t('c360.maturity')}</th>
                  <th scope="col">{t('c360.status')}</th>
                </tr>
              </thead>
              <tbody>
                {data.holdings.map((h) => (
                  <tr key={`${h.kind}-${h.no}`}>
                    <td>{h.productName}</td>
                    <td className="num">{yuan(h.amount)}</td>
                    <td className="num">{h.rate ?? (h.marketValue ? yuan(h.marketValue) : '—')}</td>
                    <td className="nowrap">{h.maturityOn ?? t('c360.openEnded')}</td>
                    <td className="nowrap">{t(`c360.holdingStatus.${h.status}`, { defaultValue: h.status })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel" aria-labelledby="c360-loans">
          <h2 id="c360-loans">{t('c360.loans')}</h2>
          {data.loans.length === 0 ? (
            <Empty text={t('c360.none')} />
          ) : (
            <table className="data-table" data-testid="c360-loans-table">
              <thead>
                <tr>
                  <th scope="col">{t('c360.product')}</th>
                  <th scope="col" className="num">
                    {t('c360.balance')}
                  </th>
                  <th scope="col">{t('c360.rate')}</th>
                  <th scope="col">{t('c360.nextDue')}</th>
                  <th scope="col">{t('c360.maturity')}</th>
                  <th scope="col">{t('c360.classification')}</th>
                </tr>
              </thead>
              <tbody>
                {data.loans.map((l) => (
                  <tr key={l.loanNo} className={l.overdueDays > 0 ? 'row-rejected' : undefined}>
                    <td>{l.productName}</td>
                    <td className="num">{yuan(l.balance)}</td>
                    <td className="num">{l.rate}</td>
                    <td>{l.nextDueOn ? `${l.nextDueOn} · ${yuan(l.nextDue ?? '0.00')}` : '—'}</td>
                    <td className="nowrap">{l.maturityOn}</td>
                    <td>{t(`c360.class.${l.classification}`, { defaultValue: l.classification })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <CustomerGuarantees customerId={id} />
      <Transactions id={id} />
      <div className="grid-2">
        <section className="panel" aria-labelledby="c360-managers">
          <h2 id="c360-managers">{t('c360.managers')}</h2>
          {data.managers.length === 0 ? (
            <Empty text={t('c360.none')} />
          ) : (
            <ul className="plain-list">
              {data.managers.map((m) => (
                <li key={`${m.name}|${m.from}|${m.to ?? ''}`}>
                  {m.name} · {m.from} – {m.to ?? t('c360.now')}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="c360-changes">
          <h2 id="c360-changes">{t('c360.changes')}</h2>
          {data.changes.length === 0 ? (
            <Empty text={t('c360.none')} />
          ) : (
            <ul className="plain-list" data-testid="c360-changes">
              {data.changes.map((ch, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a read-only history, never reordered; one field can change twice in a second
                <li key={i}>
                  {dateTime(ch.at)} · {t(`importFields.${ch.field}`, { defaultValue: ch.field })}: {ch.oldValue ?? '—'}{' '}
                  → {ch.newValue ?? '—'}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <CustomerContacts customerId={id} />
      <CustomerOpportunities customerId={id} />
      <CustomerReminders customerId={id} />
      {asking && (
        <RevealDialog
          id={id}
          onClose={() => setAsking(false)}
          onRevealed={(r) => {
            setRevealed(r);
            setAsking(false);
          }}
        />
      )}
    </>
  );
}

/**
 * Twelve month ends of deposits up to the month the reports run to; a customer whose deposit accounts
 * are all closed shows zero after the closing, with the closing day marked on the axis (or said
 * under the chart when it was before the twelve months).
 */
function TrendChart({ data, closedOn }: { data: Customer360['trend']; closedOn: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ref = useRef<HTMLDivElement>(null);
  // the closing's month when it falls on the chart's axis
  const closedMonth = closedOn && data.some((d) => d.month === closedOn.slice(0, 7)) ? closedOn.slice(0, 7) : null;
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    // 万元 / 亿元 in Chinese, 40M in English (charts/axis-units.ts), the unit named on the axis
    const scale = moneyAxisScale(
      data.map((d) => Number(d.balance)),
      lang,
    );
    chart.setOption({
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => `${yuan(Number(v).toFixed(2))} ${t('charts.units.yuan')}`,
      },
      xAxis: { type: 'category', data: data.map((d) => d.month), axisLabel: { hideOverlap: true } },
      yAxis: {
        type: 'value',
        name: t('charts.unitAxis', { unit: t(`charts.units.${scale.unit}`) }),
        nameTextStyle: { align: 'left', color: '#5b6b78' },
        axisLabel: { hideOverlap: true, formatter: (v: number) => axisLabel(v, scale) },
      },
      series: [
        {
          type: 'line',
          smooth: true,
          data: data.map((d) => Number(d.balance)),
          areaStyle: { opacity: 0.08 },
          ...(closedMonth
            ? {
                markLine: {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: '#b42318', type: 'dashed' },
                  label: {
                    formatter: t('c360.trendClosed', { date: closedOn }),
                    color: '#b42318',
                    position: 'end',
                  },
                  data: [{ xAxis: closedMonth }],
                },
              }
            : {}),
        },
      ],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [data, t, lang, closedMonth, closedOn]);
  return (
    <>
      <div
        ref={ref}
        className="trend-chart"
        data-testid="c360-trend"
        data-closed-month={closedMonth ?? undefined}
        role="img"
        aria-label={data.map((d) => `${d.month} ${d.balance}`).join(', ')}
      />
      {closedOn && !closedMonth && (
        <p className="muted" data-testid="c360-trend-closed">
          {t('c360.trendClosedBefore', { date: closedOn })}
        </p>
      )}
    </>
  );
}

function Transactions({ id }: { id: number }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const txns = useApi('customers.transactions', { id, offset, limit: TXN_PAGE });
  return (
    <section className="panel" aria-labelledby="c360-txns">
      <h2 id="c360-txns">{t('c360.transactions')}</h2>
      <ErrorNotice error={txns.error} onRetry={txns.reload} />
      {txns.data &&
        (txns.data.rows.length === 0 ? (
          <Empty text={t('c360.none')} />
        ) : (
          <>
            <table className="data-table c360-txns" data-testid="c360-txns-table">
              <thead>
                <tr>
                  <th scope="col">{t('c360.txnAt')}</th>
                  <th scope="col">{t('c360.accountNo')}</th>
                  <th scope="col">{t('c360.txnType')}</th>
                  <th scope="col">{t('c360.channel')}</th>
                  <th scope="col" className="num">
                    {t('c360.debit')}
                  </th>
                  <th scope="col" className="num">
                    {t('c360.credit')}
                  </th>
                  <th scope="col" className="num">
                    {t('c360.balanceAfter')}
                  </th>
                  <th scope="col">{t('c360.counterparty')}</th>
                </tr>
              </thead>
              <tbody>
                {txns.data.rows.map((x) => (
                  <tr key={x.id} data-testid="c360-txn">
                    <td className="nowrap tabular">{x.at}</td>
                    <td className="mono">{x.accountNo}</td>
                    <td className="nowrap">{t(`reports.txnType.${x.type}`, { defaultValue: x.type })}</td>
                    <td>{t(`c360.channels.${x.channel}`, { defaultValue: x.channel })}</td>
                    <td className="num">{x.direction === 'D' ? yuan(x.amount) : ''}</td>
                    <td className="num">{x.direction === 'C' ? yuan(x.amount) : ''}</td>
                    <td className="num">{x.balanceAfter ? yuan(x.balanceAfter) : ''}</td>
                    <td>{x.counterparty ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              offset={offset}
              limit={TXN_PAGE}
              rows={txns.data.rows.length}
              total={txns.data.total}
              busy={txns.loading}
              onOffset={setOffset}
            />
          </>
        ))}
    </section>
  );
}

function RevealDialog({
  id,
  onClose,
  onRevealed,
}: {
  id: number;
  onClose: () => void;
  onRevealed: (r: RevealResult) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const submit = () => {
    const input = { id, reason: reason.trim() };
    const checked = validateInput('customers.reveal', input);
    if (!checked.ok) return setError(checked.error);
    api('customers.reveal', checked.value).then(onRevealed, (e: unknown) => setError(toApiError(e)));
  };
  return (
    <Modal open title={t('reveal.title')} onClose={onClose} testId="c360-reveal-dialog">
      <label htmlFor="c360-reason">{t('reveal.reason')}</label>
      <input
        id="c360-reason"
        data-testid="c360-reveal-reason"
        value={reason}
        maxLength={200}
        onChange={(e) => setReason(e.target.value)}
        onKeyDown={(e) => e.key === 'Enter' && submit()}
      />
      <p className="muted">{t('reveal.hint')}</p>
      <div className="actions">
        <button type="button" className="btn btn-primary" data-testid="c360-reveal-submit" onClick={submit}>
          {t('c360.reveal')}
        </button>
      </div>
      {error && <p className="status status-error">{errorText(error)}</p>}
    </Modal>
  );
}

/** Back to where the 360 was opened from (消息提醒, 商机管理, a desktop…), named as the menu names it. */
function BackLink() {
  const { t } = useTranslation();
  const { user } = useSession();
  const back = returnTo();
  const item = navItemsFor(user).find((n) => n.id === back.route);
  const label = back.route !== 'customers' && item ? t('c360.backTo', { page: t(item.labelKey) }) : t('c360.back');
  return (
    <a href={back.href} className="btn btn-ghost" data-testid="c360-back">
      {label}
    </a>
  );
}
