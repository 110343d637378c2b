import type { Database } from 'better-sqlite3';
import type { ReminderAudience, ReminderPref } from '../../shared/api/reminders';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import type { RuleCode } from '../../shared/api/opportunities';
import {
  DESKTOPS_TABLE,
  REMINDER_PREFS_TABLE,
  RULE_SETTINGS_TABLE,
  SCORE_SETTINGS_ID,
  SCORE_SETTINGS_TABLE,
  SETTINGS_TABLE,
  TEMPLATES_TABLE,
} from '../../shared/sync/settings-rules';
import { scoreParamsSchema } from '../../shared/scores';
import { getAudience, getPrefs, saveAudience, savePrefs } from '../relationship/reminders';
import { validateParams } from '../relationship/rules';
import { query } from '../sql';
import { USER_ID as USER } from './local-ids';
import { type LocalEffect, type Mutators, type Projection, readRecord, recordMutation } from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined } from './schema';

/**
 * A user's settings, reminder preferences and desktop, and each role's desktop template, on the hub
 * (issue 16). Each record is the state its writer left (latest write wins): a user's own records follow
 * them to every PC of the branch (keyed by their username, so the same record made on two PCs is one),
 * a template published on one PC is every PC's. What crosses the wire is the whole state, so a rebase
 * lays the writer's state over the hub's again. The local tables stay as they are (keyed by this
 * store's user ids); the projections keep them equal to the records.
 */
export { DESKTOPS_TABLE, REMINDER_PREFS_TABLE, RULE_SETTINGS_TABLE, SETTINGS_TABLE, TEMPLATES_TABLE };

type Desired = { table: string; id: string; data: SyncRow | null };

const KEY_RE = /^[A-Za-z0-9_.@-]{1,64}$/;
const same = (a: SyncRow | null, b: SyncRow | null) => JSON.stringify(a) === JSON.stringify(b);

function changes(db: Database, desired: Desired[]): LocalEffect[] {
  const out: LocalEffect[] = [];
  for (const d of desired) {
    const cur = readRecord(db, d.table, d.id);
    const shown = cur && !cur.deleted ? cur.data : null;
    if (same(shown, d.data)) continue;
    if (d.data === null) {
      if (cur && !cur.deleted) out.push({ table: d.table, id: d.id, deleted: true });
    } else out.push({ table: d.table, id: d.id, data: d.data });
  }
  return out;
}

function share(db: Database, name: string, desired: Desired[], actor: SyncActor): number {
  if (!syncJoined(db) || !KEY_RE.test(actor.userId)) return 0;
  const effects = changes(db, desired);
  if (effects.length === 0) return 0;
  const items = effects.map((e) => ({ table: e.table, id: e.id, data: 'deleted' in e ? null : e.data }));
  recordMutation(db, { name, args: { items }, effects, actor });
  return effects.length;
}

/** Re-run on a rebase: the writer's state laid over the hub's (only what still differs is written). */
const reapply = (db: Database, raw: unknown) => changes(db, (raw as { items: Desired[] }).items);

export const settingsMutators: Mutators = {
  'settings.state': reapply,
  'reminders.prefsState': reapply,
  'desktop.layoutState': reapply,
  'desktop.templateState': reapply,
  'rules.settingsState': reapply,
  'scores.settingsState': reapply,
};

const SETTING = query<[userId: number, key: string], { value: string }>(
  'SELECT value FROM user_settings WHERE user_id = ? AND key = ?',
);
const SET_SETTING = query<[userId: number, key: string, value: string]>(
  `INSERT INTO user_settings (user_id, key, value) VALUES (?, ?, ?)
   ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   WHERE user_settings.value IS NOT excluded.value`,
);
const REMOVE_SETTING = query<[userId: number, key: string]>('DELETE FROM user_settings WHERE user_id = ? AND key = ?');
const LAYOUT = query<[userId: number], { layout: string }>('SELECT layout FROM desktop_layouts WHERE user_id = ?');
const SET_LAYOUT = query<[userId: number, layout: string]>(
  `INSERT INTO desktop_layouts (user_id, layout) VALUES (?, ?)
   ON CONFLICT (user_id) DO UPDATE SET layout = excluded.layout, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   WHERE desktop_layouts.layout IS NOT excluded.layout`,
);
const REMOVE_LAYOUT = query<[userId: number]>('DELETE FROM desktop_layouts WHERE user_id = ?');
const TEMPLATE = query<[role: string], { layout: string; publishedAt: string; publishedBy: string | null }>(
  `SELECT t.layout, t.published_at AS publishedAt, u.username AS publishedBy
   FROM desktop_templates t LEFT JOIN users u ON u.id = t.published_by WHERE t.role = ?`,
);
const SET_TEMPLATE = query<[role: string, layout: string, userId: number | null, at: string]>(
  `INSERT INTO desktop_templates (role, layout, published_by, published_at) VALUES (?, ?, ?, ?)
   ON CONFLICT (role) DO UPDATE SET layout = excluded.layout, published_by = excluded.published_by,
     published_at = excluded.published_at`,
);

type Widget = { id: string; kind: string; config?: Record<string, unknown> };
type Layout = { widgets: Widget[] };
/** Widgets that name a local row, with the shared table it is a record of. */
const REF_KINDS: Readonly<Record<string, { table: string; key: string }>> = {
  list: { table: 'lists', key: 'listId' },
  query: { table: 'saved_queries', key: 'queryId' },
};

/** The layout as it crosses the wire: with each list or query widget's record id beside it. */
function layoutToWire(db: Database, layout: Layout): { layout: Layout; refs?: Record<string, string> } {
  const refs: Record<string, string> = {};
  for (const w of layout.widgets) {
    const ref = REF_KINDS[w.kind];
    const local = ref ? w.config?.[ref.key] : undefined;
    const syncId = ref && typeof local === 'number' ? syncIdOf(db, ref.table, local) : null;
    if (syncId) refs[w.id] = syncId;
  }
  return Object.keys(refs).length > 0 ? { layout, refs } : { layout };
}

/**
 * The layout with this PC's ids for its list and query widgets; a widget whose row is not here (not
 * shared, or not arrived yet) is left out rather than pointed at whatever row has that number here.
 */
function layoutFromWire(db: Database, row: SyncRow): Layout {
  const layout = row.layout as Layout;
  const refs = (row.refs ?? {}) as Record<string, unknown>;
  const widgets: Widget[] = [];
  for (const w of layout.widgets) {
    const ref = REF_KINDS[w.kind];
    if (!ref) {
      widgets.push(w);
      continue;
    }
    const syncId = refs[w.id];
    const local = typeof syncId === 'string' ? localIdOf(db, ref.table, syncId) : null;
    if (local !== null) widgets.push({ ...w, config: { ...w.config, [ref.key]: local } });
  }
  return { ...layout, widgets };
}

/** The local layout is the one the record carries (this PC wrote it): nothing to map back. */
function sameAsLocal(db: Database, local: string | undefined, row: SyncRow): boolean {
  if (local === undefined) return false;
  const w = layoutToWire(db, JSON.parse(local) as Layout);
  return (
    JSON.stringify(w.layout) === JSON.stringify(row.layout) &&
    JSON.stringify(w.refs ?? null) === JSON.stringify(row.refs ?? null)
  );
}

/** A setting written or removed by its user (call in the handler's transaction, after the local write). */
export function shareSetting(db: Database, userId: number, key: string, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const row = SETTING.get(db, userId, key);
  const data = row ? { user: actor.userId, key, value: JSON.parse(row.value) as unknown } : null;
  return share(db, 'settings.state', [{ table: SETTINGS_TABLE, id: `${actor.userId}:${key}`, data }], actor);
}

/** The user's reminder preferences and audience as saved (call in the handler's transaction). */
export function shareReminderPrefs(db: Database, userId: number, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const data = { user: actor.userId, prefs: getPrefs(db, userId), audience: getAudience(db, userId) };
  return share(db, 'reminders.prefsState', [{ table: REMINDER_PREFS_TABLE, id: actor.userId, data }], actor);
}

/** The user's desktop saved, or cleared (back to the template). */
export function shareDesktop(db: Database, userId: number, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const row = LAYOUT.get(db, userId);
  const data = row ? { user: actor.userId, ...layoutToWire(db, JSON.parse(row.layout) as Layout) } : null;
  return share(db, 'desktop.layoutState', [{ table: DESKTOPS_TABLE, id: actor.userId, data }], actor);
}

/** A role's template as just published on this PC. */
export function shareTemplate(db: Database, role: string, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const t = TEMPLATE.get(db, role);
  if (!t) return 0;
  const data = {
    role,
    layout: JSON.parse(t.layout) as unknown,
    published_by: actor.userId,
    published_at: t.publishedAt,
  };
  return share(db, 'desktop.templateState', [{ table: TEMPLATES_TABLE, id: role, data }], actor);
}

const RULE_SETTING = query<[code: string], { enabled: number; params: string; updatedAt: string | null }>(
  'SELECT enabled, params, updated_at AS updatedAt FROM opportunity_rules WHERE code = ?',
);
const SET_RULE = query<[code: string, enabled: number, params: string, userId: number | null, at: string]>(
  `INSERT INTO opportunity_rules (code, enabled, params, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
   ON CONFLICT(code) DO UPDATE SET enabled = excluded.enabled, params = excluded.params,
     updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
);

/** An opportunity rule's settings as just saved on this PC (call in the handler's transaction). */
export function shareRuleSetting(db: Database, code: string, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const r = RULE_SETTING.get(db, code);
  if (!r) return 0;
  const data = {
    code,
    enabled: r.enabled === 1,
    params: JSON.parse(r.params) as unknown,
    updated_by: actor.userId,
    updated_at: r.updatedAt ?? new Date().toISOString(),
  };
  return share(db, 'rules.settingsState', [{ table: RULE_SETTINGS_TABLE, id: code, data }], actor);
}

/**
 * A rule's settings from another PC: the local row takes them (parameters checked against the rule's
 * own ranges; a value this version does not accept keeps this PC's settings). The rule's run state is
 * left alone: the next run after an import reads the new parameters.
 */
export const projectRuleSetting: Projection = (db, code, row) => {
  if (row === null) return;
  let params: Record<string, number>;
  try {
    params = validateParams(code as RuleCode, row.params as Record<string, number>);
  } catch {
    return;
  }
  const by = USER.get(db, String(row.updated_by))?.id ?? null;
  SET_RULE.run(db, code, row.enabled === true ? 1 : 0, JSON.stringify(params), by, String(row.updated_at));
};

const SCORE_SETTINGS = query<[], { params: string; updatedAt: string }>(
  'SELECT params, updated_at AS updatedAt FROM score_settings WHERE id = 1',
);
const SET_SCORE_SETTINGS = query<[params: string, userId: number | null, at: string]>(
  `INSERT INTO score_settings (id, params, updated_by, updated_at) VALUES (1, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET params = excluded.params, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
);

/** The customer-score parameters as just saved on this PC (call in the handler's transaction). */
export function shareScoreSettings(db: Database, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const r = SCORE_SETTINGS.get(db);
  if (!r) return 0;
  const data = { params: JSON.parse(r.params) as unknown, updated_by: actor.userId, updated_at: r.updatedAt };
  return share(db, 'scores.settingsState', [{ table: SCORE_SETTINGS_TABLE, id: SCORE_SETTINGS_ID, data }], actor);
}

/**
 * The customer-score parameters from another PC: stored when this version accepts them (else this PC
 * keeps its own). The next after-import run sees new parameters and recomputes everyone.
 */
export const projectScoreSettings: Projection = (db, id, row) => {
  if (row === null || id !== SCORE_SETTINGS_ID) return;
  const parsed = scoreParamsSchema.safeParse(row.params);
  if (!parsed.success) return;
  const by = USER.get(db, String(row.updated_by))?.id ?? null;
  SET_SCORE_SETTINGS.run(db, JSON.stringify(parsed.data), by, String(row.updated_at));
};

/**
 * The user a per-user record names, on this PC (none: their account has not arrived yet; placed later).
 * A user's one-per-user record (preferences, desktop) is linked to them, which marks it placed.
 */
function ownerHere(db: Database, table: string, id: string, row: SyncRow | null): number | null {
  const username = row ? String(row.user) : id.split(':')[0]!;
  const user = USER.get(db, username)?.id ?? null;
  if (user !== null && table !== SETTINGS_TABLE && localIdOf(db, table, id) === null) linkRecord(db, table, id, user);
  return user;
}

export const projectSetting: Projection = (db, id, row) => {
  const user = ownerHere(db, SETTINGS_TABLE, id, row);
  if (user === null) return;
  const key = id.slice(id.indexOf(':') + 1);
  if (row === null) REMOVE_SETTING.run(db, user, key);
  else SET_SETTING.run(db, user, key, JSON.stringify(row.value));
};

export const projectReminderPrefs: Projection = (db, id, row) => {
  if (row === null) return;
  const user = ownerHere(db, REMINDER_PREFS_TABLE, id, row);
  if (user === null) return;
  savePrefs(db, user, row.prefs as ReminderPref[]);
  saveAudience(db, user, row.audience as ReminderAudience);
};

export const projectDesktop: Projection = (db, id, row) => {
  const user = ownerHere(db, DESKTOPS_TABLE, id, row);
  if (user === null) return;
  if (row === null) REMOVE_LAYOUT.run(db, user);
  else if (!sameAsLocal(db, LAYOUT.get(db, user)?.layout, row))
    SET_LAYOUT.run(db, user, JSON.stringify(layoutFromWire(db, row)));
};

export const projectTemplate: Projection = (db, role, row) => {
  if (row === null) return;
  const publisher = USER.get(db, String(row.published_by))?.id ?? null;
  if (sameAsLocal(db, TEMPLATE.get(db, role)?.layout, row)) return;
  SET_TEMPLATE.run(db, role, JSON.stringify(layoutFromWire(db, row)), publisher, String(row.published_at));
};

export const SETTINGS_PROJECTIONS = {
  [SETTINGS_TABLE]: projectSetting,
  [REMINDER_PREFS_TABLE]: projectReminderPrefs,
  [DESKTOPS_TABLE]: projectDesktop,
  [TEMPLATES_TABLE]: projectTemplate,
  [RULE_SETTINGS_TABLE]: projectRuleSetting,
  [SCORE_SETTINGS_TABLE]: projectScoreSettings,
};

// A preference or desktop not linked to its user yet; a setting whose user is here but has no row for
// its key (a setting has no link: a user has several, and a link names one local row per record).
const UNPLACED = query<[], { tbl: string; id: string; data: string }>(
  `SELECT s.tbl, s.id, s.data FROM sync_records s
   WHERE s.tbl IN ('reminder_prefs', 'desktop_layouts') AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = s.tbl AND l.id = s.id)
   UNION ALL
   SELECT s.tbl, s.id, s.data FROM sync_records s JOIN users u ON u.username = json_extract(s.data, '$.user')
   WHERE s.tbl = 'user_settings' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM user_settings x WHERE x.user_id = u.id AND x.key = json_extract(s.data, '$.key'))`,
);

/** A user's records that arrived before their account did: placed now that it may have. */
export function reprojectSettings(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing)
      SETTINGS_PROJECTIONS[r.tbl as keyof typeof SETTINGS_PROJECTIONS](db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}
