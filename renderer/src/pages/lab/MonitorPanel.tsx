import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/use-api';
import { ErrorNotice, Loading } from '../../components/ui';
import { count, dateTime } from '../../format';
import { currentLanguage } from '../../i18n';
import { auc, pct1 } from './lab-text';

/** 模型监控: the groups as scored then, with the rate the model expected and what has happened since. */
export function MonitorPanel({ version, outcome }: { version: number; outcome: string }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const state = useApi('lab.monitoring', { version });
  const m = state.data;
  return (
    <section className="lab-monitor" aria-labelledby="lab-monitor-title" data-testid="lab-monitor">
      <h3 id="lab-monitor-title">{t('lab.monitor.title')}</h3>
      <ErrorNotice error={state.error} onRetry={state.reload} />
      {!m && state.loading && <Loading />}
      {m && (
        <>
          <p className="muted small" data-testid="lab-monitor-summary">
            {t('lab.monitor.summary', {
              at: dateTime(m.scoredAt),
              from: m.scoredOn ?? '—',
              to: m.windowEnd ?? '—',
              observed: m.observedTo ?? '—',
              elapsed: pct1(m.elapsed),
              auc: auc(m.realisedAuc),
            })}
          </p>
          {m.groups.length === 0 || m.elapsed <= 0 ? (
            <p className="muted" data-testid="lab-monitor-none">
              {t('lab.monitor.none')}
            </p>
          ) : (
            <table className="data-table compact lab-groups" data-testid="lab-monitor-table">
              <thead>
                <tr>
                  <th scope="col">{t('lab.groups.group')}</th>
                  <th scope="col" className="num">
                    {t('lab.monitor.customers')}
                  </th>
                  <th scope="col" className="num">
                    {t('lab.monitor.expected')}
                  </th>
                  <th scope="col" className="num">
                    {t('lab.groups.positives', { outcome })}
                  </th>
                  <th scope="col" className="num">
                    {t('lab.monitor.realised')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {m.groups.map((g) => (
                  <tr key={g.group}>
                    <th scope="row">{t('lab.groups.groupN', { n: g.group })}</th>
                    <td className="num">{count(g.customers, lng)}</td>
                    <td className="num">{pct1(g.predicted)}</td>
                    <td className="num">{count(g.realised, lng)}</td>
                    <td className="num">{pct1(g.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
