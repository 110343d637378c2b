/**
 * 快速统计 beside the customer grid: count, AUM and balances, by tier and by manager, for the filter.
 * The user may fold it down to a narrow strip to give the grid its width (a 1366-wide branch screen);
 * the choice is kept in the store per user (settings.gridPanels), so it is as they left it next time.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuickStats } from '../../../../shared/api';
import { api } from '../../api/client';
import { count, yuan } from '../../format';
import { currentLanguage } from '../../i18n';

/** Whether 快速统计 is folded away, as the user last left it; null until read from the store. */
export function useStatsCollapsed(): [boolean | null, (v: boolean) => void] {
  const [collapsed, setCollapsed] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    api('settings.gridPanels.get', {}).then(
      (p) => live && setCollapsed(p.statsCollapsed),
      () => live && setCollapsed(false),
    );
    return () => {
      live = false;
    };
  }, []);
  const set = (v: boolean) => {
    setCollapsed(v);
    // a failed save only means the panel opens as before next time: nothing to tell the user
    void api('settings.gridPanels.save', { statsCollapsed: v }).catch(() => undefined);
  };
  return [collapsed, set];
}

export function QuickStatsPanel({
  stats,
  collapsed,
  onCollapse,
}: {
  stats: QuickStats | null;
  collapsed: boolean;
  onCollapse: (v: boolean) => void;
}) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (collapsed)
    return (
      <aside
        className="quick-stats quick-stats-folded"
        data-testid="quick-stats-folded"
        aria-label={t('grid.quickStats')}
      >
        <button
          type="button"
          className="quick-stats-unfold"
          data-testid="quick-stats-toggle"
          aria-expanded="false"
          title={t('grid.expandStats')}
          onClick={() => onCollapse(false)}
        >
          <span aria-hidden="true">‹</span>
          <span className="quick-stats-folded-label">{t('grid.quickStats')}</span>
        </button>
      </aside>
    );
  const fold = (
    <button
      type="button"
      className="btn btn-ghost btn-small"
      data-testid="quick-stats-toggle"
      aria-expanded="true"
      title={t('grid.collapseStats')}
      onClick={() => onCollapse(true)}
    >
      {t('grid.collapse')} ›
    </button>
  );
  if (!stats)
    return (
      <aside className="quick-stats panel" aria-busy="true">
        <div className="quick-stats-head">{fold}</div>
      </aside>
    );
  return (
    <aside className="quick-stats panel" data-testid="quick-stats" aria-labelledby="qs-title">
      <div className="quick-stats-head">
        <h2 id="qs-title">{t('grid.quickStats')}</h2>
        {fold}
      </div>
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
