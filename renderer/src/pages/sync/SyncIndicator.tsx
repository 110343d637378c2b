import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatusView } from '../../../../shared/api/sync';
import { api } from '../../api/client';
import { syncReasonText } from './sync-text';

/** Often enough that a flag made on another PC shows here well within a second of its arrival (a local call). */
const POLL_MS = 500;
/** The event pages listen to (through useApi) to reload when changes from the hub arrived. */
export const SYNC_CHANGED = 'crm:sync-changed';

/**
 * The header's branch-network line: 已同步 / 离线（N 条待上传）/ 同步出错 with the reason, and the
 * number of the user's 同步冲突 entries; nothing on a standalone PC. It asks the main process every
 * second (a local call: the sync worker keeps the state) and, when the hub's changes moved on, tells
 * the open page to reload its data, so what another PC did appears without reloading.
 */
export function SyncIndicator() {
  const { t } = useTranslation();
  const [s, setS] = useState<SyncStatusView | null>(null);

  useEffect(() => {
    let live = true;
    let cursor: number | null = null;
    const load = () => {
      api('sync.status', {}).then(
        (r) => {
          if (!live) return;
          if (cursor !== null && r.cursor !== cursor) window.dispatchEvent(new Event(SYNC_CHANGED));
          cursor = r.cursor;
          setS(r);
        },
        () => undefined,
      );
    };
    load();
    const timer = window.setInterval(load, POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  if (!s || s.state === 'standalone') return null;
  const label =
    s.state === 'synced'
      ? t('sync.header.synced')
      : s.state === 'offline'
        ? t('sync.header.offline', { count: s.queued })
        : t('sync.header.error');
  const reason = s.state === 'error' ? syncReasonText(t, s.reason) : null;
  return (
    <a
      href="#/sync"
      className={`sync-chip sync-${s.state}`}
      data-testid="sync-status"
      data-state={s.state}
      title={reason ? t('sync.header.errorWith', { reason }) : t('sync.header.title')}
    >
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-label">{label}</span>
      {s.conflicts.length > 0 && (
        <span className="sync-conflicts" data-testid="sync-conflict-count">
          {t('sync.header.conflicts', { count: s.conflicts.length })}
        </span>
      )}
    </a>
  );
}
