import { useTranslation } from 'react-i18next';
import type { ManagerFigure } from '../../../shared/api';
import { useApi } from '../api/useApi';
import { KpiCards, TierTable, useOverviewKpis } from '../components/Figures';
import { Empty, ErrorNotice, Loading } from '../components/ui';
import { count, moneyShare, wan, yuan } from '../format';
import { currentLanguage } from '../i18n';
import { useSession } from '../session';

/** 行长桌面: the whole branch at a glance — headline figures, customer pyramid, managers. */
export function PresidentHome() {
  const { t } = useTranslation();
  const { user } = useSession();
  const { data, error, loading, reload } = useApi('overview.branch', {});
  const kpis = useOverviewKpis(data);

  return (
    <section className="page" data-testid="home-president" aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{t('nav.home.president')}</h1>
          <p className="muted">{data?.branchName ?? user.branchName ?? ''}</p>
        </div>
        <button type="button" className="btn" onClick={reload} disabled={loading}>
          {t('common.refresh')}
        </button>
      </header>
      <ErrorNotice error={error} onRetry={reload} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <KpiCards items={kpis} label={t('president.kpis')} />
          <div className="grid-2">
            <section className="panel" aria-labelledby="tiers-title">
              <h2 id="tiers-title">{t('president.tiers')}</h2>
              <TierTable overview={data} caption={t('president.tiersCaption')} />
            </section>
            <section className="panel" aria-labelledby="managers-title">
              <h2 id="managers-title">{t('president.managers')}</h2>
              <ManagersTable managers={data.managers} totalAum={data.aum} />
            </section>
          </div>
        </>
      )}
    </section>
  );
}

function ManagersTable({ managers, totalAum }: { managers: ManagerFigure[]; totalAum: string }) {
  const { t } = useTranslation();
  if (managers.length === 0) return <Empty text={t('president.noManagers')} />;
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="managers-table">
        <caption className="visually-hidden">{t('president.managersCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('president.manager')}</th>
            <th scope="col" className="num">{t('tierTable.customers')}</th>
            <th scope="col" className="num">{t('tierTable.aumWan')}</th>
            <th scope="col" className="num">{t('tierTable.aumShare')}</th>
          </tr>
        </thead>
        <tbody>
          {managers.map((m) => (
            <tr key={m.staffId}>
              <th scope="row">{m.name}</th>
              <td className="num">{count(m.customers, currentLanguage())}</td>
              <td className="num" title={yuan(m.aum)}>{wan(m.aum)}</td>
              <td className="num">{moneyShare(m.aum, totalAum)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
