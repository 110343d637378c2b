/**
 * Whether the figures from the reporting summaries are being refilled after an upgrade: read from the
 * store (the refill's request row, db/refills.ts), so the mark and the figures always agree; the worker's
 * progress (main/upgrade/run.ts) only adds how far it has got.
 */
import { isRefilling } from '../../db/refills';
import type { FiguresUpdating } from '../../shared/api/desktop';
import type { Services } from '../services';

export function reportingUpdating(services: Pick<Services, 'db' | 'refills'>): FiguresUpdating | null {
  if (!isRefilling(services.db, 'reporting')) return null;
  const s = services.refills.current();
  return {
    percent: s?.fraction != null ? Math.floor(s.fraction * 100) : null,
    etaSeconds: s?.etaSeconds ?? null,
  };
}
