/** 快速统计 beside the customer grid: count, AUM and balances, by tier and by manager, for the filter. */
import { useTranslation } from 'react-i18next';
import type { QuickStats } from '../../../../shared/api';
import { count, yuan } from '../../format';
import { currentLanguage } from '../../i18n';

export function QuickStatsPanel({ stats }: { stats: QuickStats | null }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (!stats) return <aside className="quick-stats panel" aria-busy="true" />;
  return (
    <aside className="quick-stats panel" data-testid="quick-stats" aria-labelledby="qs-title">
      <h2 id="qs-title">{t('grid.quickStats')}</h2>
      <dl className="facts">
        <dt>{t('grid.statCount')}</dt>
        <dd data-testid="qs-count" className="num">
          {count(stats.count, lng)}
        </dd>
        <dt>{t('grid.statAum')}</dt>
        <dd data-testid="qs-aum" className="num">
          {yuan(stats.aum)}
        </dd>
        <dt>{t('grid.statAvgAum')}</dt>
        <dd className="num">{yuan(stats.avgAum)}</dd>
        <dt>{t('grid.deposits')}</dt>
        <dd className="num">{yuan(stats.deposits)}</dd>
        <dt>{t('grid.wealth')}</dt>
        <dd className="num">{yuan(stats.wealth)}</dd>
        <dt>{t('grid.loans')}</dt>
        <dd className="num">{yuan(stats.loans)}</dd>
      </dl>
      <h3>{t('grid.byTier')}</h3>
      <table className="data-table compact" data-testid="qs-by-tier">
        <tbody>
          {stats.byTier.map((r) => (
            <tr key={r.tier}>
              <th scope="row">{r.tier === 'none' ? t('customers.noTier') : t(`tiers.${r.tier}`)}</th>
              <td className="num">{count(r.count, lng)}</td>
              <td className="num">{yuan(r.aum)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('grid.byManager')}</h3>
      <table className="data-table compact" data-testid="qs-by-manager">
        <tbody>
          {stats.byManager.slice(0, 12).map((r) => (
            <tr key={r.managerId}>
              <th scope="row">{r.managerName ?? t('grid.noManager')}</th>
              <td className="num">{count(r.count, lng)}</td>
              <td className="num">{yuan(r.aum)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
