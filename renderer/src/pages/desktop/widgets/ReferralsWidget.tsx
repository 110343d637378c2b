import { useTranslation } from 'react-i18next';
import { count } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';

/** Opens the referral queue (转介队列), on one of its views. */
const queueHref = (view?: 'open' | 'overdue' | 'unassigned') =>
  view && view !== 'open' ? `#/referrals?view=${view}` : '#/referrals';

/**
 * 转介商机: the caller's open referrals (a manager's own queue, the president's branch incl. the branch
 * queue) by status and against the SLA, and the most urgent few; every figure and row opens the queue.
 */
export function ReferralsWidget({ data }: WidgetProps<'referrals'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const figures: { key: string; n: number; view?: 'open' | 'overdue' | 'unassigned'; warn?: boolean }[] = [
    { key: 'open', n: data.open, view: 'open' },
    { key: 'new', n: data.new },
    { key: 'accepted', n: data.accepted },
    { key: 'contacted', n: data.contacted },
    { key: 'overdue', n: data.overdue, view: 'overdue', warn: data.overdue > 0 },
    ...(data.unassigned != null ? [{ key: 'unassigned', n: data.unassigned, view: 'unassigned' as const }] : []),
  ];
  return (
    <>
      <dl
        className="desk-figures"
        data-testid="desk-referrals-counts"
        style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px', margin: '0 0 8px' }}
      >
        {figures.map((f) => (
          <div key={f.key}>
            <dt className="muted small">{t(`desktop.referrals.${f.key}`)}</dt>
            <dd
              className="tabular"
              style={{ margin: 0, fontWeight: 600, color: f.warn ? 'var(--danger, #c0392b)' : undefined }}
            >
              <a href={queueHref(f.view)} data-testid={`desk-referrals-${f.key}`} data-count={f.n}>
                {count(f.n, lng)}
              </a>
            </dd>
          </div>
        ))}
      </dl>
      {data.top.length === 0 ? (
        <p className="muted">{t('desktop.referrals.empty')}</p>
      ) : (
        <table className="data-table compact" data-testid="desk-referrals">
          <thead>
            <tr>
              <th scope="col">{t('desktop.referrals.dueOn')}</th>
              <th scope="col">{t('desktop.referrals.customer')}</th>
              <th scope="col">{t('desktop.referrals.interest')}</th>
              <th scope="col">{t('desktop.referrals.status')}</th>
            </tr>
          </thead>
          <tbody>
            {data.top.map((r) => (
              <tr key={r.id} data-testid="desk-referral-row">
                <td className="tabular">
                  {r.dueOn}
                  {r.overdue && (
                    <span className="badge" style={{ marginLeft: 4 }}>
                      {t('desktop.referrals.late')}
                    </span>
                  )}
                </td>
                <td>
                  <a href={queueHref()}>{r.customerName}</a>
                  {r.urgency === 'high' && (
                    <span className="badge" style={{ marginLeft: 4 }}>
                      {t('referral.urgency.high')}
                    </span>
                  )}
                </td>
                <td>{t(`referral.interest.${r.interest}`)}</td>
                <td>{t(`referral.status.${r.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="small">
        <a href={queueHref()} data-testid="desk-referrals-open">
          {t('desktop.referrals.more')}
        </a>
      </p>
    </>
  );
}
