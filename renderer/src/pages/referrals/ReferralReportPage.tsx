import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReferralStatsRow } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { yuan } from '../../format';
import { useSession } from '../../session';
import { DateField } from '../../components/DateField';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const hours = (x: number | null) => (x === null ? '—' : x.toFixed(1));

/** Business dates in Asia/Shanghai (the branch's day), whatever the PC's zone. */
function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

/**
 * 转介统计 (president): referrals flagged in a period by teller and by manager: count, conversion
 * (won / referrals), average hours to first contact, overdue and late first contacts; top referrers;
 * the SLA setting.
 */
export function ReferralReportPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const today = shanghaiToday();
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const fromId = useId();
  const toId = useId();
  const report = useApi(
    'referrals.report',
    { from, to },
    { enabled: /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) },
  );
  const d = report.data;
  return (
    <section className="page" data-testid="referral-report-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('referral.report.title')}</h1>
      </header>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={fromId}>{t('referral.report.from')}</label>
          <DateField id={fromId} value={from} onChange={setFrom} max={to || undefined} testId="referral-report-from" />
        </div>
        <div className="field">
          <label htmlFor={toId}>{t('referral.report.to')}</label>
          <DateField id={toId} value={to} onChange={setTo} min={from || undefined} testId="referral-report-to" />
        </div>
      </div>
      {report.loading && !d && <Loading />}
      <ErrorNotice error={report.error} onRetry={report.reload} />
      {d && d.total.count === 0 && <Empty text={t('referral.report.empty')} />}
      {d && d.total.count > 0 && (
        <>
          <section className="panel" aria-labelledby="rr-total">
            <h2 id="rr-total">{t('referral.report.total')}</h2>
            <StatsTable rows={[{ ...d.total, name: t('referral.report.total') }]} testId="referral-report-total" />
          </section>
          <section className="panel" aria-labelledby="rr-teller">
            <h2 id="rr-teller">{t('referral.report.byTeller')}</h2>
            <StatsTable rows={d.byTeller} testId="referral-report-tellers" />
          </section>
          <section className="panel" aria-labelledby="rr-leader">
            <h2 id="rr-leader">{t('referral.report.leaderboard')}</h2>
            <table className="data-table" data-testid="referral-leaderboard">
              <thead>
                <tr>
                  <th scope="col">{t('referral.report.rank')}</th>
                  <th scope="col">{t('referral.report.name')}</th>
                  <th scope="col" className="num">
                    {t('referral.report.won')}
                  </th>
                  <th scope="col" className="num">
                    {t('referral.report.count')}
                  </th>
                  <th scope="col" className="num">
                    {t('referral.report.wonAmount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.leaderboard.map((l) => (
                  <tr key={l.staffId}>
                    <td className="num">{l.rank}</td>
                    <td>{l.name}</td>
                    <td className="num">{l.won}</td>
                    <td className="num">{l.count}</td>
                    <td className="num tabular">{yuan(l.wonAmount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel" aria-labelledby="rr-manager">
            <h2 id="rr-manager">{t('referral.report.byManager')}</h2>
            <StatsTable
              rows={d.byManager.map((r) => (r.staffId === null ? { ...r, name: t('referral.branchQueue') } : r))}
              testId="referral-report-managers"
            />
          </section>
        </>
      )}
      {user.permissions.includes('referral.configure') && <SlaSetting />}
    </section>
  );
}

function StatsTable({ rows, testId }: { rows: ReferralStatsRow[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('referral.report.name')}</th>
            <th scope="col" className="num">
              {t('referral.report.count')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.open')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.won')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.lost')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.conversion')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.wonAmount')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.avgHours')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.overdue')}
            </th>
            <th scope="col" className="num">
              {t('referral.report.late')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.staffId}-${r.name}`} data-testid="referral-stats-row" data-name={r.name}>
              <td>{r.name}</td>
              <td className="num" data-col="count">
                {r.count}
              </td>
              <td className="num">{r.open}</td>
              <td className="num" data-col="won">
                {r.won}
              </td>
              <td className="num">{r.lost}</td>
              <td className="num">{pct(r.conversion)}</td>
              <td className="num tabular">{yuan(r.wonAmount)}</td>
              <td className="num">{hours(r.avgHoursToContact)}</td>
              <td className="num">{r.overdue}</td>
              <td className="num">{r.late}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** 转介时限: working days to first contact (president and administrator). */
export function SlaSetting() {
  const { t } = useTranslation();
  const current = useApi('referrals.settings', {});
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const a = useAction();
  const id = useId();
  return (
    <section className="panel" aria-labelledby="rr-sla">
      <h2 id="rr-sla">{t('referral.report.settings')}</h2>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await a.run(() =>
            api('referrals.saveSettings', { slaDays: Number(value || current.data?.slaDays) }),
          );
          if (r) {
            setSaved(t('referral.report.saved', { days: r.slaDays }));
            current.reload();
          }
        }}
      >
        <div className="field">
          <label htmlFor={id}>{t('referral.report.slaDays')}</label>
          <input
            id={id}
            type="number"
            min={1}
            max={30}
            value={value || String(current.data?.slaDays ?? '')}
            onChange={(e) => setValue(e.target.value)}
            data-testid="referral-sla"
          />
        </div>
        <ErrorNotice error={a.error} />
        <SuccessNotice text={saved} />
        <div className="form-actions">
          <button type="submit" className="btn" disabled={a.busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
