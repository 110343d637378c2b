import type { Database } from 'better-sqlite3';
import { hubCa, lastHub } from '../../db/sync/membership';
import { listConflicts, queuedCount } from '../../db/sync/replica';
import { ensureSyncSchema, readSyncState, syncJoined } from '../../db/sync/schema';
import type { HubPcView, SyncConflictView, SyncJoinFailure, SyncMembershipView } from '../../shared/api/sync';
import { AppError } from '../../shared/errors';
import { HubRefused, HubUnreachable } from '../sync/hub-client';
import { hubPcs, joinHub, leaveHub } from '../sync/join';
import { workerOf } from '../sync/worker';
import { handlers } from './types';

function membership(db: Database): SyncMembershipView {
  const joined = syncJoined(db);
  const id = joined ? readSyncState(db).identity : null;
  const hasSyncTables = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_outbox'").get();
  return {
    joined: id !== null,
    hubUrl: id?.hubUrl ?? null,
    branch: id?.branch ?? null,
    pcId: id?.pcId ?? null,
    lastHub: lastHub(db),
    caConfigured: hubCa(db) !== null,
    queued: hasSyncTables ? queuedCount(db) : 0,
  };
}

const joinFailure = (reason: SyncJoinFailure, extra: Record<string, unknown> = {}) =>
  new AppError('CONFLICT', { reason, ...extra });

/**
 * The header's sync line and the signed-in user's 同步冲突 list; a standalone PC answers `standalone`
 * and nothing else.
 */
export const syncHandlers = handlers({
  'sync.status': (_input, ctx) => {
    const db = ctx.services.db;
    if (!syncJoined(db))
      return { state: 'standalone', queued: 0, reason: null, lastSyncAt: null, cursor: 0, conflicts: [] };
    const s = workerOf(db)?.status();
    const { lastSyncAt, cursor } = readSyncState(db);
    // Each user sees their own (a PC may be shared); system work, with no user, is everyone's.
    const conflicts = listConflicts(db)
      .filter((c) => c.actor === null || c.actor.userId.toLowerCase() === ctx.user.username.toLowerCase())
      .reverse()
      .slice(0, 50)
      .map((c): SyncConflictView => {
        const { refused, rule, ...rest } = c.reason as { refused?: unknown; rule?: { code?: unknown } };
        const code = typeof refused === 'string' ? refused : String(rule?.code ?? c.outcome);
        return { id: c.id, action: c.name, madeAt: c.madeAt, at: c.at, outcome: c.outcome, code, details: rest };
      });
    // Joined but no worker (not started yet): say offline with the queue, not "synced".
    if (!s || s.state === 'standalone')
      return { state: 'offline', queued: queuedCount(db), reason: 'not_started', lastSyncAt, cursor, conflicts };
    return {
      state: s.state,
      queued: s.queued,
      reason: s.state === 'synced' ? null : s.reason,
      lastSyncAt,
      cursor,
      conflicts,
    };
  },

  'sync.membership': (_input, ctx) => membership(ctx.services.db),

  'sync.join': async (input, ctx) => {
    const { db } = ctx.services;
    if (syncJoined(db)) throw joinFailure('already_joined');
    ensureSyncSchema(db);
    try {
      await joinHub(
        db,
        {
          hubUrl: input.hubUrl.replace(/\/+$/, ''),
          branch: input.branch,
          code: input.code,
          name: input.name,
          caPem: input.caPem,
        },
        { userId: ctx.user.username, role: ctx.user.role },
      );
    } catch (err) {
      const reason: SyncJoinFailure =
        err instanceof HubUnreachable
          ? 'hub_unreachable'
          : err instanceof HubRefused && err.status === 403
            ? 'enrol_refused'
            : 'hub_error';
      ctx.audit({
        action: 'sync.join',
        outcome: 'failed',
        details: { hubUrl: input.hubUrl, branch: input.branch, reason },
      });
      throw joinFailure(reason, err instanceof HubUnreachable ? { detail: err.message.slice(0, 200) } : {});
    }
    const m = membership(db);
    ctx.audit({ action: 'sync.join', outcome: 'ok', details: { hubUrl: m.hubUrl, branch: m.branch, pcId: m.pcId } });
    return m;
  },

  'sync.leave': async (_input, ctx) => {
    const { db } = ctx.services;
    if (!syncJoined(db)) return membership(db);
    const before = readSyncState(db).identity;
    const r = await leaveHub(db);
    ctx.audit({
      action: 'sync.leave',
      outcome: 'ok',
      details: {
        hubUrl: before?.hubUrl,
        branch: before?.branch,
        pcId: before?.pcId,
        queued: r.queued,
        hubTold: r.hubTold,
      },
    });
    return membership(db);
  },

  'sync.pcs': async (_input, ctx) => {
    const { db } = ctx.services;
    if (!syncJoined(db)) return [];
    const self = readSyncState(db).identity?.pcId;
    try {
      const pcs = await hubPcs(db);
      return pcs.map(
        (p): HubPcView => ({
          pcId: p.pcId,
          name: p.name,
          enrolledAt: p.enrolledAt,
          lastSyncAt: p.lastSyncAt,
          queued: p.queued,
          revoked: p.revoked,
          self: p.pcId === self,
        }),
      );
    } catch (err) {
      if (err instanceof HubUnreachable) throw joinFailure('hub_unreachable');
      throw err;
    }
  },
});
