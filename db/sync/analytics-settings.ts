import type { Database } from 'better-sqlite3';
import { nextProductSettingsSchema, riskSettingsSchema } from '../../shared/analytics';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import type { AnalyticsKey } from '../analytics/settings';
import { query } from '../sql';
import { USER_ID } from './local-ids';
import { type Mutators, type Projection, recordMutation } from './replica';
import { syncJoined } from './schema';

/**
 * The bank's next-product and risk-rating parameters on the hub: one record per key ('next_product',
 * 'risk'), the state its writer (the administrator) left; every PC mines and rates its own book with them
 * at its next after-import run, so PCs of one branch offer and rate alike.
 */
export const ANALYTICS_SETTINGS = 'analytics_settings';
export const ANALYTICS_KEYS: readonly AnalyticsKey[] = ['next_product', 'risk'];

const GET = query<[key: string], { value: string; updatedAt: string }>(
  'SELECT value, updated_at AS updatedAt FROM analytics_settings WHERE key = ?',
);
const PUT = query<[key: string, value: string, by: number | null, at: string]>(
  `INSERT INTO analytics_settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
   ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
);

/** Called in the handler's transaction after a save: on a joined PC, queues the key's new state. */
export function shareAnalyticsSettings(db: Database, key: AnalyticsKey, actor: SyncActor): boolean {
  if (!syncJoined(db)) return false;
  const r = GET.get(db, key);
  if (!r) return false;
  const data: SyncRow = { value: JSON.parse(r.value) as unknown, updated_by: actor.userId, updated_at: r.updatedAt };
  recordMutation(db, {
    name: 'analytics.settingsState',
    args: { key, data },
    effects: [{ table: ANALYTICS_SETTINGS, id: key, data }],
    actor,
  });
  return true;
}

export const analyticsSettingsMutators: Mutators = {
  'analytics.settingsState': (_db, raw) => {
    const a = raw as { key: string; data: SyncRow };
    return [{ table: ANALYTICS_SETTINGS, id: a.key, data: a.data }];
  },
};

/** Parameters from another PC: stored when this version accepts them (else this PC keeps its own). */
export const projectAnalyticsSettings: Projection = (db, id, row) => {
  if (row === null) return;
  const schema = id === 'next_product' ? nextProductSettingsSchema : id === 'risk' ? riskSettingsSchema : null;
  const parsed = schema?.safeParse(row.value);
  if (!parsed?.success) return;
  const by = USER_ID.get(db, String(row.updated_by))?.id ?? null;
  PUT.run(db, id, JSON.stringify(parsed.data), by, String(row.updated_at));
};
