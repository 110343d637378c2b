import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../shared/api';
import { useApi } from '../api/use-api';
import { Empty, ErrorNotice, Loading, Pager } from '../components/ui';
import { dateTime } from '../format';

const PAGE_SIZE = 50;
const OUTCOMES = ['ok', 'denied', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** 审计日志: the append-only trail, newest first, filterable by outcome and action. */
export function AuditPage() {
  const { t } = useTranslation();
  const id = useId();
  const [offset, setOffset] = useState(0);
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [actionDraft, setActionDraft] = useState('');
  const [action, setAction] = useState('');
  const { data, error, loading, reload } = useApi('audit.list', {
    offset,
    limit: PAGE_SIZE,
    ...(outcome ? { outcome } : {}),
    ...(action ? { action } : {}),
  });

  function applyAction(e: FormEvent) {
    e.preventDefault();
    setAction(actionDraft.trim());
    setOffset(0);
  }

  return (
    <section className="page" data-testid="audit-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.audit')}</h1>
        {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form gives the landmark and submit-on-Enter in one element */}
        <form className="toolbar" onSubmit={applyAction} role="search">
          <label htmlFor={`${id}-outcome`}>{t('audit.outcome')}</label>
          <select
            id={`${id}-outcome`}
            data-testid="audit-outcome"
            value={outcome}
            onChange={(e) => {
              const v = e.target.value;
              setOutcome((OUTCOMES as readonly string[]).includes(v) ? (v as Outcome) : '');
              setOffset(0);
            }}
          >
            <option value="">{t('audit.allOutcomes')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`audit.outcomes.${o}`)}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-action`}>{t('audit.action')}</label>
          <input
            id={`${id}-action`}
            data-testid="audit-action"
            value={actionDraft}
            maxLength={64}
            placeholder={t('audit.actionPlaceholder')}
            onChange={(e) => setActionDraft(e.target.value)}
          />
          <button type="submit" className="btn">
            {t('audit.apply')}
          </button>
        </form>
      </header>
      <ErrorNotice error={error} onRetry={reload} />
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

/** Details as short "key: value" text; values that are objects are shown compactly. */
export function detailText(details: Record<string, unknown> | null): string {
  if (!details) return '';
  const parts = Object.entries(details).map(([k, v]) => {
    const value = typeof v === 'string' ? v : JSON.stringify(v);
    return `${k}: ${value ?? ''}`;
  });
  const text = parts.join('; ');
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function AuditTable({ rows }: { rows: AuditEntry[] }) {
  const { t } = useTranslation();
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
          {rows.map((r) => (
            <tr key={r.id} data-testid="audit-row" data-outcome={r.outcome}>
              <td className="nowrap tabular">{dateTime(r.at)}</td>
              <td>
                {r.username ?? '—'}
                {r.role && <span className="muted"> · {t(`roles.${r.role}`, { defaultValue: r.role })}</span>}
              </td>
              <td>
                <span title={r.action}>
                  {t(`auditActions.${r.action.replace(/\./g, '_')}`, { defaultValue: r.action })}
                </span>
              </td>
              <td>
                <span
                  className={`status-pill pill-${r.outcome === 'ok' ? 'ok' : r.outcome === 'denied' ? 'warn' : 'off'}`}
                >
                  {t(`audit.outcomes.${r.outcome}`)}
                </span>
              </td>
              <td className="mono">{r.targetType ? `${r.targetType}${r.targetId ? ` #${r.targetId}` : ''}` : '—'}</td>
              <td className="details" title={detailText(r.details)}>
                {detailText(r.details)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
