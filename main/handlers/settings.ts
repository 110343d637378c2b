import { gridLayoutSchema, gridPanelsSchema, type GridColumnState, type SettingKey } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { removeUserSetting, setUserSetting, userSetting } from '../../db/repos/user-settings';
import { syncActor } from '../../db/sync/actor';
import { shareSetting } from '../../db/sync/settings';
import { log } from '../log';
import { kickSync } from '../sync/worker';
import { type AuthedCtx, handlers } from './types';

const GRID_LAYOUT: SettingKey = 'grid.customers.layout';
const GRID_PANELS: SettingKey = 'grid.customers.panels';

/**
 * A customer-grid layout as stored and served (shared/api/settings.ts gridLayoutSchema): known column
 * ids, each once. A refused layout throws GRID_LAYOUT_INVALID naming the reason and the column.
 */
export function validateGridLayout(raw: unknown): GridColumnState[] {
  const r = gridLayoutSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const params =
    issue && issue.code === 'custom' ? (issue.params as { reason?: string; colId?: string } | undefined) : undefined;
  if (params?.reason)
    throw new AppError('GRID_LAYOUT_INVALID', {
      reason: params.reason,
      colId: String(params.colId ?? '').slice(0, 64),
    });
  throw new AppError('GRID_LAYOUT_INVALID', {
    reason: 'bad_shape',
    path: issue ? issue.path.map(String).join('.') : '',
  });
}

/**
 * Writes a setting and, on a PC joined to a hub, queues its new state in the same transaction
 * (db/sync/settings.ts), so the user's settings follow them to every PC of the branch.
 */
function shared<T>(ctx: AuthedCtx, key: SettingKey, write: () => T): T {
  const db = ctx.services.db;
  const out = db.transaction(() => {
    const r = write();
    shareSetting(db, ctx.user.id, key, syncActor(db, ctx.user));
    return r;
  })();
  kickSync(db);
  return out;
}

/**
 * The signed-in user's own settings. Every read and write is keyed by ctx.user.id (from the session):
 * no input names a user, so no one can read or overwrite another user's settings.
 */
export const settingsHandlers = handlers({
  'settings.gridLayout.get': (_input, ctx) => {
    const row = userSetting(ctx.services.db, ctx.user.id, GRID_LAYOUT);
    if (!row) return { layout: null, updatedAt: null };
    try {
      return { layout: validateGridLayout(JSON.parse(row.value)), updatedAt: row.updatedAt };
    } catch {
      // Edited or restored from another version: the grid falls back to its defaults (the next save replaces it).
      log.warn('stored grid layout unreadable; using the defaults', { userId: ctx.user.id });
      return { layout: null, updatedAt: null };
    }
  },

  'settings.gridLayout.save': ({ layout }, ctx) => {
    const valid = validateGridLayout(layout);
    const updatedAt = shared(ctx, GRID_LAYOUT, () =>
      setUserSetting(ctx.services.db, ctx.user.id, GRID_LAYOUT, JSON.stringify(valid)),
    );
    return { layout: valid, updatedAt };
  },

  'settings.gridLayout.reset': (_input, ctx) => ({
    removed: shared(ctx, GRID_LAYOUT, () => removeUserSetting(ctx.services.db, ctx.user.id, GRID_LAYOUT)),
  }),

  'settings.gridPanels.get': (_input, ctx) => {
    const row = userSetting(ctx.services.db, ctx.user.id, GRID_PANELS);
    const parsed = row ? gridPanelsSchema.safeParse(JSON.parse(row.value)) : null;
    return parsed?.success ? parsed.data : { statsCollapsed: false };
  },

  'settings.gridPanels.save': (panels, ctx) => {
    shared(ctx, GRID_PANELS, () => setUserSetting(ctx.services.db, ctx.user.id, GRID_PANELS, JSON.stringify(panels)));
    return panels;
  },
});
