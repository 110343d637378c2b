import { z } from 'zod';
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
  /**
   * The last change of the hub applied here: it moves only when something arrived, so an open page
   * (the referral queue) reloads when it moves, without the user reloading.
   */
  cursor: number;
  conflicts: SyncConflictView[];
}

/** This PC's membership of a branch hub, for the administrator's 网点协同 screen. */
export interface SyncMembershipView {
  joined: boolean;
  hubUrl: string | null;
  branch: string | null;
  pcId: string | null;
  /** Where the PC was joined before it left (the form offers it again). */
  lastHub: { hubUrl: string; branch: string } | null;
  /** A CA certificate is configured for an https:// hub (the bank's own). */
  caConfigured: boolean;
  /** Changes made here not yet on the hub: kept through leaving and re-joining. */
  queued: number;
}

/** An enrolled PC of the branch as the hub lists it. */
export interface HubPcView {
  pcId: string;
  name: string;
  enrolledAt: string;
  lastSyncAt: string | null;
  /** Changes it had not yet uploaded when it last synced (null: never said). */
  queued: number | null;
  revoked: boolean;
  /** This PC. */
  self: boolean;
}

/** Why joining failed, in SyncJoinError details.reason. */
export type SyncJoinFailure = 'hub_unreachable' | 'enrol_refused' | 'already_joined' | 'hub_error';

const hubUrl = z
  .string()
  .trim()
  .max(300)
  .regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/);

export const syncApi = {
  /** Polled by the header: the sync state and the user's own 同步冲突 list (newest first, at most 50). */
  'sync.status': method<SyncStatusView>()('session', empty),
  /** The administrator's view of this PC's membership. */
  'sync.membership': method<SyncMembershipView>()('job.manage', empty),
  /**
   * Joins this PC to the branch's hub with the one-time code shown on the hub. Local work stays and is
   * uploaded; accounts on both sides become one set (the hub's win). Refused as CONFLICT with
   * details.reason (SyncJoinFailure).
   */
  'sync.join': method<SyncMembershipView>()(
    'job.manage',
    z
      .object({
        hubUrl,
        branch: z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9_-]{1,32}$/),
        code: z.string().trim().min(4).max(64),
        name: z.string().trim().min(1).max(100),
        caPem: z
          .string()
          .trim()
          .max(20_000)
          .regex(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/)
          .nullable(),
      })
      .strict(),
  ),
  /** Leaves the hub: local rows and changes not yet uploaded stay, to go up when the PC joins again. */
  'sync.leave': method<SyncMembershipView>()('job.manage', empty),
  /** The branch's enrolled PCs with their last sync and queue, as the hub knows them. */
  'sync.pcs': method<HubPcView[]>()('job.manage', empty),
} as const;
