import { useTranslation } from 'react-i18next';
import { useApi } from '../api/useApi';
import { CustomerTable } from '../components/CustomerTable';
import { KpiCards, TierTable, useOverviewKpis } from '../components/Figures';
import { Empty, ErrorNotice, Loading } from '../components/ui';
import { count } from '../format';
import { currentLanguage } from '../i18n';
import { useCan, useSession } from '../session';

const FIRST_PAGE = 20;

/** 客户经理桌面: the manager's own book — figures, pyramid, and the largest customers. */
export function ManagerHome() {
  const { t } = useTranslation();
  const { user } = useSession();
  const canReveal = useCan('customer.unmask');
  const overview = useApi('overview.portfolio', {});
  const list = useApi('customers.list', { offset: 0, limit: FIRST_PAGE });
  const kpis = useOverviewKpis(overview.data);

  return (
    <section className="page" data-testid="home-manager" aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{t('nav.home.manager')}</h1>
          <p className="muted">{t('manager.greeting', { name: user.displayName })}</p>
        </div>
        <button
          type="button"
          className="btn"
          disabled={overview.loading || list.loading}
          onClick={() => {
            overview.reload();
            list.reload();
          }}
        >
          {t('common.refresh')}
        </button>
      </header>

      <ErrorNotice error={overview.error} onRetry={overview.reload} />
      {overview.loading && !overview.data && <Loading />}
      {overview.data && (
        <>
          <KpiCards items={kpis} label={t('manager.kpis')} />
          <section className="panel" aria-labelledby="tiers-title">
            <h2 id="tiers-title">{t('manager.tiers')}</h2>
            <TierTable overview={overview.data} caption={t('manager.tiersCaption')} />
          </section>
        </>
      )}

      <section className="panel" aria-labelledby="top-title">
        <div className="panel-header">
          <h2 id="top-title">{t('manager.topCustomers', { n: FIRST_PAGE })}</h2>
          {list.data && (
            <span className="muted">
              {t('manager.ofTotal', { total: count(list.data.total, currentLanguage()) })}
              {' · '}
              <a href="#/customers">{t('manager.allCustomers')}</a>
            </span>
          )}
        </div>
        <ErrorNotice error={list.error} onRetry={list.reload} />
        {list.loading && !list.data && <Loading />}
        {list.data &&
          (list.data.rows.length === 0 ? (
            <Empty text={t('customers.empty')} />
          ) : (
            <CustomerTable rows={list.data.rows} caption={t('manager.topCustomers', { n: FIRST_PAGE })} canReveal={canReveal} />
          ))}
      </section>
    </section>
  );
}
