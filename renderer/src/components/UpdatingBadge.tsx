/**
 * The "更新中 / Updating" mark on figures read from the reporting summaries while a refill after a store
 * upgrade runs (main/upgrade/updating.ts): the figures are the last complete ones until it commits. The
 * hook reloads the page's data every few seconds meanwhile, so the mark goes when the refill is done.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { FiguresUpdating } from '../../../shared/api/desktop';
import './updating.css';

export function UpdatingBadge({ updating }: { updating: FiguresUpdating | null | undefined }) {
  const { t } = useTranslation();
  if (!updating) return null;
  const hint =
    updating.percent === null ? t('updating.hintNoPercent') : t('updating.hint', { percent: `${updating.percent}%` });
  return (
    <span className="updating-badge" role="status" title={hint} aria-label={hint} data-testid="figures-updating">
      {t('updating.badge')}
    </span>
  );
}

/** Reloads every `ms` while the figures are updating (and `enabled`), so the mark clears by itself. */
export function useReloadWhileUpdating(
  updating: FiguresUpdating | null | undefined,
  reload: () => void,
  enabled = true,
  ms = 5000,
): void {
  const on = !!updating && enabled;
  useEffect(() => {
    if (!on) return;
    const id = window.setInterval(reload, ms);
    return () => window.clearInterval(id);
  }, [on, reload, ms]);
}
