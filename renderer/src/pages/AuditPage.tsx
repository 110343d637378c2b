import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_ACTION_GROUPS, type AuditActionGroup, type AuditEntry } from '../../../shared/api';
import { useApi } from '../api/use-api';
import { Empty, ErrorNotice, Loading, Pager } from '../components/ui';
import { dateTime } from '../format';
import { currentLanguage } from '../i18n';
import { actionLabel, detailText, targetText } from './audit-text';
import './audit.css';
import { DateField } from '../components/DateField';

const PAGE_SIZE = 50;
const OUTCOMES = ['ok', 'denied', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];

const pad = (n: number) => String(n).padStart(2, '0');
/** A local calendar day, `back` days before today, as YYYY-MM-DD. */
function localDay(back = 0): string {
  const d = new Date();
  d.setDate(d.getDate() - back);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 王芳（manager1）· 客户经理: the name people know, the user name, the role. */
function userLabel(u: { username: string; displayName: string }, role: string, lng: string): string {
  const [open, close] = lng === 'zh-CN' ? ['（', '）'] : [' (', ')'];
  return `${u.displayName === u.username ? u.username : `${u.displayName}${open}${u.username}${close}`} · ${role}`;
}

/** The start of a local day (YYYY-MM-DD), `plus` days later, as an ISO instant. */
function dayStart(day: string, plus = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plus).toISOString();
}

/** 审计日志: the append-only trail, newest first, filtered by dates, user, action and outcome. */
export function AuditPage() {
  const { t } = useTranslation();
  const id = useId();
  const lng = currentLanguage();
  const [offset, setOffset] = useState(0);
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [action, setAction] = useState('');
  const [userId, setUserId] = useState<number | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const options = useApi('audit.options', {});
  const [first, last] = from && to && to < from ? [to, from] : [from, to];
  const { data, error, loading, reload } = useApi('audit.list', {
    offset,
    limit: PAGE_SIZE,
    ...(outcome ? { outcome } : {}),
    ...(action ? { action } : {}),
    ...(userId !== null ? { userId } : {}),
    // local days as instants (the times shown are local too); an end before the start is taken in order
    ...(first ? { fromAt: dayStart(first) } : {}),
    ...(last ? { untilAt: dayStart(last, 1) } : {}),
  });
  const filtered = outcome || action || userId !== null || from || to;
  const change = (f: () => void) => {
    f();
    setOffset(0);
  };
  const range = (days: number) =>
    change(() => {
      setFrom(localDay(days));
      setTo(localDay());
    });

  return (
    <section className="page" data-testid="audit-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.audit')}</h1>
      </header>
      {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form gives the landmark in one element */}
      <form className="toolbar audit-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <span className="filter-field">
          <label htmlFor={`${id}-from`}>{t('auditLog.from')}</label>
          <DateField
            id={`${id}-from`}
            testId="audit-from"
            value={from}
            max={to || undefined}
            onChange={(v) => change(() => setFrom(v))}
          />
        </span>
        <span className="filter-field">
          <label htmlFor={`${id}-to`}>{t('auditLog.to')}</label>
          <DateField
            id={`${id}-to`}
            testId="audit-to"
            value={to}
            min={from || undefined}
            onChange={(v) => change(() => setTo(v))}
          />
        </span>
        <button type="button" className="btn btn-small" data-testid="audit-today" onClick={() => range(0)}>
          {t('auditLog.today')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => range(6)}>
          {t('auditLog.last7')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => range(29)}>
          {t('auditLog.last30')}
        </button>
        <span className="filter-field">
          <label htmlFor={`${id}-user`}>{t('auditLog.user')}</label>
          <select
            id={`${id}-user`}
            data-testid="audit-user"
            value={userId ?? ''}
            onChange={(e) => change(() => setUserId(e.target.value ? Number(e.target.value) : null))}
          >
            <option value="">{t('auditLog.allUsers')}</option>
            {options.data?.users.map((u) => (
              <option key={u.id} value={u.id}>
                {userLabel(u, t(`roles.${u.role}`, { defaultValue: u.role }), lng)}
              </option>
            ))}
          </select>
        </span>
        <span className="filter-field">
          <label htmlFor={`${id}-action`}>{t('auditLog.action')}</label>
          <select
            id={`${id}-action`}
            data-testid="audit-action"
            value={action}
            onChange={(e) => change(() => setAction(e.target.value))}
          >
            <option value="">{t('auditLog.allActions')}</option>
            {(Object.keys(AUDIT_ACTION_GROUPS) as AuditActionGroup[]).map((g) => (
              <optgroup key={g} label={t(`auditLog.groups.${g}`)}>
                {AUDIT_ACTION_GROUPS[g].map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(t, a)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </span>
        <span className="filter-field">
          <label htmlFor={`${id}-outcome`}>{t('auditLog.outcome')}</label>
          <select
            id={`${id}-outcome`}
            data-testid="audit-outcome"
            value={outcome}
            onChange={(e) => {
              const v = e.target.value;
              change(() => setOutcome((OUTCOMES as readonly string[]).includes(v) ? (v as Outcome) : ''));
            }}
          >
            <option value="">{t('audit.allOutcomes')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`audit.outcomes.${o}`)}
              </option>
            ))}
          </select>
        </span>
        {filtered && (
          <button
            type="button"
            className="btn btn-small"
            data-testid="audit-reset"
            onClick={() =>
              change(() => {
                setOutcome('');
                setAction('');
                setUserId(null);
                setFrom('');
                setTo('');
              })
            }
          >
            {t('auditLog.reset')}
          </button>
        )}
      </form>
      <ErrorNotice error={error ?? options.error} onRetry={reload} />
      {loading && !data && <Loading />}
      {data && (
        <div className="panel" aria-busy={loading}>
          {data.rows.length === 0 ? <Empty text={t('audit.empty')} /> : <AuditTable rows={data.rows} />}
          <Pager
            offset={offset}
            limit={PAGE_SIZE}
            rows={data.rows.length}
            total={data.total}
            busy={loading}
            onOffset={setOffset}
          />
        </div>
      )}
    </section>
  );
}

export function AuditTable({ rows }: { rows: AuditEntry[] }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  return (
    <div className="table-wrap">
      <table className="data-table audit-table" data-testid="audit-table">
        <caption className="visually-hidden">{t('nav.audit')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('audit.at')}</th>
            <th scope="col">{t('audit.user')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.outcome')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const details = detailText(t, lng, r.details);
            const action = actionLabel(t, r.action);
            const target = targetText(t, lng, r.target);
            return (
              <tr key={r.id} data-testid="audit-row" data-outcome={r.outcome} data-action={r.action}>
                <td className="nowrap tabular">{dateTime(r.at)}</td>
                <td className="nowrap">
                  {r.username ?? '—'}
                  {r.role && <span className="muted"> · {t(`roles.${r.role}`, { defaultValue: r.role })}</span>}
                </td>
                <td className="clip" title={action}>
                  {action}
                </td>
                <td>
                  <span
                    className={`status-pill pill-${r.outcome === 'ok' ? 'ok' : r.outcome === 'denied' ? 'warn' : 'off'}`}
                  >
                    {t(`audit.outcomes.${r.outcome}`)}
                  </span>
                </td>
                <td className="clip" title={target} data-testid="audit-target">
                  {target}
                </td>
                <td className="details" title={details} data-testid="audit-details">
                  {details.length > 160 ? `${details.slice(0, 157)}…` : details}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
