import { useTranslation } from 'react-i18next';
import type { RiskLevel } from '../../../../shared/analytics';
import { useApi } from '../../api/use-api';
import './analytics.css';
import { Empty, ErrorNotice, Loading } from '../../components/ui';
import { signalFacts } from './risk-text';

export function LevelBadge({ level }: { level: RiskLevel }) {
  const { t } = useTranslation();
  return <span className={`risk-badge risk-${level}`}>{t(`risk.levels.${level}`)}</span>;
}

/** 统一客户视图: the customer's risk rating, its signals in words and the follow-up. */
export function CustomerRiskPanel({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const r = useApi('risk.forCustomer', { customerId });
  return (
    <section className="panel" aria-labelledby="c360-risk" data-testid="c360-risk">
      <h2 id="c360-risk">
        {t('risk.panelTitle')} {r.data && <LevelBadge level={r.data.level} />}
      </h2>
      <ErrorNotice error={r.error} onRetry={r.reload} />
      {r.loading && !r.data && <Loading />}
      {r.data && r.data.signals.length === 0 && <Empty text={t('risk.panelNone')} />}
      {r.data && r.data.signals.length > 0 && (
        <ul className="plain-list">
          {r.data.signals.map((s) => (
            <li key={s.signal}>
              <strong>{t(`risk.signals.${s.signal}`)}</strong>
              <span className="muted">
                {' '}
                · {signalFacts(t, s)} · {t('risk.since', { date: s.firstSeen })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {r.data?.followUp && (
        <p className="muted">
          {t('risk.col.status')}
          {t('common.colon')}
          {t(`risk.statuses.${r.data.followUp.status}`)} · {t('risk.col.owner')}
          {t('common.colon')}
          {r.data.followUp.ownerName ?? t('risk.noOwner')}
          {r.data.followUp.dueOn ? ` · ${t('risk.col.due')}${t('common.colon')}${r.data.followUp.dueOn}` : ''}
          {r.data.followUp.note ? ` · ${r.data.followUp.note}` : ''}
        </p>
      )}
    </section>
  );
}
