import { useTranslation } from 'react-i18next';
import { useApi } from '../api/use-api';
import { Empty, ErrorNotice, Loading } from '../components/ui';
import { count } from '../format';
import { currentLanguage } from '../i18n';
import { useSession } from '../session';
import { AuditTable } from './AuditPage';
import { SlaSetting } from './referrals/ReferralReportPage';

/** 系统管理: the system at a glance — version and store, accounts, recent refusals and failures. */
export function AdminHome() {
  const { t } = useTranslation();
  const { info } = useSession();
  const users = useApi('users.list', {});
  const denied = useApi('audit.list', { offset: 0, limit: 10, outcome: 'denied' });
  const failed = useApi('audit.list', { offset: 0, limit: 10, outcome: 'failed' });
  const lng = currentLanguage();

  const list = users.data ?? [];
  const stats = [
    { id: 'total', value: list.length },
    { id: 'active', value: list.filter((u) => !u.disabled && !u.locked).length },
    { id: 'locked', value: list.filter((u) => u.locked).length },
    { id: 'disabled', value: list.filter((u) => u.disabled).length },
  ];

  return (
    <section className="page" data-testid="home-admin" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.home.admin')}</h1>
      </header>
      <div className="grid-2">
        <section className="panel" aria-labelledby="sys-title">
          <h2 id="sys-title">{t('admin.system')}</h2>
          {info ? (
            <dl className="facts" data-testid="system-info">
              <dt>{t('admin.appName')}</dt>
              <dd>{info.name}</dd>
              <dt>{t('admin.version')}</dt>
              <dd className="mono">{info.version}</dd>
              <dt>{t('admin.schema')}</dt>
              <dd className="mono">{info.schemaVersion}</dd>
              <dt>{t('admin.mode')}</dt>
              <dd>{t(`signin.mode.${info.mode}`)}</dd>
              <dt>{t('admin.data')}</dt>
              <dd>{info.demo ? t('app.demo') : t('admin.production')}</dd>
            </dl>
          ) : (
            <Loading />
          )}
        </section>
        <section className="panel" aria-labelledby="acc-title">
          <div className="panel-header">
            <h2 id="acc-title">{t('admin.accounts')}</h2>
            <a href="#/users">{t('admin.manageUsers')}</a>
          </div>
          <ErrorNotice error={users.error} onRetry={users.reload} />
          {users.loading && !users.data && <Loading />}
          {users.data && (
            <div className="kpis kpis-small">
              {stats.map((s) => (
                <div key={s.id} className="kpi" data-testid={`users-${s.id}`}>
                  <div className="kpi-label">{t(`admin.userStats.${s.id}`)}</div>
                  <div className="kpi-value num">{count(s.value, lng)}</div>
                </div>
              ))}
            </div>
          )}
        </section>
      </div>
      {[
        { id: 'denied', state: denied },
        { id: 'failed', state: failed },
      ].map(({ id, state }) => (
        <section key={id} className="panel" aria-labelledby={`recent-${id}`}>
          <div className="panel-header">
            <h2 id={`recent-${id}`}>{t(`admin.recent.${id}`)}</h2>
            <a href="#/audit">{t('admin.openAudit')}</a>
          </div>
          <ErrorNotice error={state.error} onRetry={state.reload} />
          {state.loading && !state.data && <Loading />}
          {state.data &&
            (state.data.rows.length === 0 ? (
              <Empty text={t('admin.recent.none')} />
            ) : (
              <AuditTable rows={state.data.rows} />
            ))}
        </section>
      ))}
      <SlaSetting />
    </section>
  );
}
