import { empty } from './common';
import { method } from './define';

/**
 * The branch network as the header shows it: 已同步 (synced), 离线（N 条待上传）(offline, N queued),
 * 同步出错 (error, with the reason), or nothing at all for a standalone PC; and the 同步冲突 list: what
 * this PC did that the hub would not take and that could not be redone on the hub's state.
 */
export type SyncState = 'standalone' | 'synced' | 'offline' | 'error';

export interface SyncConflictView {
  id: number;
  /** The operation, as an API method name (referrals.accept). */
  action: string;
  /** When the user acted on this PC, and when the hub's answer made it a conflict. */
  madeAt: string;
  at: string;
  /** conflict: someone else changed the record first; refused: a write rule said no. */
  outcome: 'conflict' | 'refused';
  /** Why, as an error code when the domain gave one (REFERRAL_BAD_STATE), else the rule's code. */
  code: string;
  details: Record<string, unknown>;
}

export interface SyncStatusView {
  state: SyncState;
  /** Mutations made here and not yet processed by the hub. */
  queued: number;
  reason: string | null;
  lastSyncAt: string | null;
  conflicts: SyncConflictView[];
}

export const syncApi = {
  /** Polled by the header: the sync state and the user's own 同步冲突 list (newest first, at most 50). */
  'sync.status': method<SyncStatusView>()('session', empty),
} as const;
