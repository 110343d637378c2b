import { listConflicts, queuedCount } from '../../db/sync/replica';
import { readSyncState, syncJoined } from '../../db/sync/schema';
import type { SyncConflictView } from '../../shared/api/sync';
import { workerOf } from '../sync/worker';
import { handlers } from './types';

/**
 * The header's sync line and the signed-in user's 同步冲突 list; a standalone PC answers `standalone`
 * and nothing else.
 */
export const syncHandlers = handlers({
  'sync.status': (_input, ctx) => {
    const db = ctx.services.db;
    if (!syncJoined(db)) return { state: 'standalone', queued: 0, reason: null, lastSyncAt: null, conflicts: [] };
    const s = workerOf(db)?.status();
    const lastSyncAt = readSyncState(db).lastSyncAt;
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
      return { state: 'offline', queued: queuedCount(db), reason: 'not_started', lastSyncAt, conflicts };
    return {
      state: s.state,
      queued: s.queued,
      reason: s.state === 'synced' ? null : s.reason,
      lastSyncAt,
      conflicts,
    };
  },
});
