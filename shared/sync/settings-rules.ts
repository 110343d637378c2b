/**
 * Write rules of the per-user and per-role records on the hub (issue 16: user settings, reminder
 * preferences, desktops and desktop templates), merged into SYNC_RULES by rules.ts. Each is a state
 * (not a state machine): the latest write wins. A user's own records are written by them alone; a role's
 * desktop template, an opportunity rule's settings and the tier model by whoever holds the permission
 * the app's own API method requires (shared/permissions.ts SETTING_WRITERS: the administrator). Values are checked with the same schemas the
 * API checks them with, so a PC cannot push what its own screens would refuse, and no PC projects a
 * value its store's CHECKs would reject.
 */
import { DESKTOP_ROLES, layoutSchema } from '../api/desktop';
import { RULE_CODES } from '../api/opportunities';
import { MIN_THRESHOLD_FEN, REMINDER_KINDS } from '../api/reminders';
import { gridLayoutSchema, gridPanelsSchema, SETTING_KEYS } from '../api/settings';
import { IMPORT_KINDS, profileSchema } from '../imports';
import { scoreParamsSchema } from '../scores';
import { tierModelSchema } from '../tiers';
import { roleHasPermission, SETTING_WRITERS } from '../permissions';
import type { TableRule, TransitionContext } from './rules';

export const SETTINGS_TABLE = 'user_settings';
export const REMINDER_PREFS_TABLE = 'reminder_prefs';
export const DESKTOPS_TABLE = 'desktop_layouts';
export const TEMPLATES_TABLE = 'desktop_templates';
export const RULE_SETTINGS_TABLE = 'rule_settings';
export const TIER_VERSIONS_TABLE = 'tier_model_versions';
export const TIER_ACTIVE_TABLE = 'tier_model_active';
/** The one record of TIER_ACTIVE_TABLE: the branch's active tier model version. */
export const TIER_ACTIVE_ID = 'branch';
export const PROFILES_TABLE = 'import_profiles';
/** The bank's customer-score parameters (shared/scores.ts): one record, id SCORE_SETTINGS_ID. */
export const SCORE_SETTINGS_TABLE = 'score_settings';
export const SCORE_SETTINGS_ID = 'branch';

/** Whether the writer's role holds the permission the app's API method for this record requires. */
const writes = (role: string, what: keyof typeof SETTING_WRITERS) => roleHasPermission(role, SETTING_WRITERS[what]);

/**
 * The transition of a branch-wide setting record: never deleted, its id fixed by its content, written only
 * by the role SETTING_WRITERS names and in the writer's own name, and valid by the API's schema.
 */
function branchSetting(o: {
  id: (after: Record<string, unknown>) => unknown;
  writer: keyof typeof SETTING_WRITERS;
  by: string;
  valid: (after: Record<string, unknown>) => boolean;
  refused: { role: string; actor: string; invalid: string };
}): TableRule['transition'] {
  return ({ id, after, actor }) => {
    if (after === null) return 'not_deletable';
    if (id !== o.id(after)) return 'key_mismatch';
    if (actor && !writes(actor.role, o.writer)) return o.refused.role;
    if (actor && after[o.by] !== actor.userId) return o.refused.actor;
    if (!o.valid(after)) return o.refused.invalid;
    return null;
  };
}

const SETTING_SCHEMAS: Readonly<Record<string, { safeParse: (v: unknown) => { success: boolean } }>> = {
  'grid.customers.layout': gridLayoutSchema,
  'grid.customers.panels': gridPanelsSchema,
};

/** The record's `user` names its key's owner and is the writer (when known). */
function ownRecord({ id, before, after, actor }: TransitionContext, key: (user: string) => string): string | null {
  const row = after ?? before;
  if (!row) return null;
  if (before && after && before.user !== after.user) return 'fixed_field:user';
  if (id !== key(String(row.user))) return 'key_mismatch';
  if (actor && row.user !== actor.userId) return 'not_own';
  return null;
}

/** A rule's parameters: short names, whole numbers (each rule's ranges are checked where it runs). */
function paramsValid(params: unknown): boolean {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return false;
  const entries = Object.entries(params as Record<string, unknown>);
  return (
    entries.length <= 20 &&
    entries.every(([k, v]) => /^[a-zA-Z]{1,32}$/.test(k) && typeof v === 'number' && Number.isSafeInteger(v))
  );
}

const isInt = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Reminder preferences as reminders.savePrefs accepts them. */
function prefsValid(prefs: unknown, audience: unknown): boolean {
  if (!Array.isArray(prefs) || prefs.length > REMINDER_KINDS.length) return false;
  const kinds = new Set<string>();
  for (const p of prefs as Record<string, unknown>[]) {
    if (!p || typeof p !== 'object') return false;
    if (Object.keys(p).some((k) => !['kind', 'enabled', 'leadDays', 'workingDays', 'thresholdFen'].includes(k)))
      return false;
    if (!(REMINDER_KINDS as readonly unknown[]).includes(p.kind) || kinds.has(String(p.kind))) return false;
    kinds.add(String(p.kind));
    if (typeof p.enabled !== 'boolean' || typeof p.workingDays !== 'boolean') return false;
    if (!isInt(p.leadDays, 0, 90)) return false;
    if (p.thresholdFen !== null && !isInt(p.thresholdFen, MIN_THRESHOLD_FEN, 1e15)) return false;
  }
  const a = audience as Record<string, unknown> | null;
  if (!a || typeof a !== 'object' || Object.keys(a).length !== 3) return false;
  return ['mine', 'lists', 'branch'].every((k) => typeof a[k] === 'boolean');
}

export const SETTINGS_RULES: Readonly<Record<string, TableRule>> = {
  // One setting of one user (id: username + ':' + key), its value as the API validated it.
  [SETTINGS_TABLE]: {
    key: 'natural',
    fields: {
      user: { type: 'text', required: true, maxLength: 64 },
      key: { type: 'text', required: true, values: SETTING_KEYS },
      value: { type: 'json', required: true },
    },
    deletable: true,
    transition: (ctx) => {
      const row = ctx.after ?? ctx.before;
      const own = ownRecord(ctx, (user) => `${user}:${String(row?.key)}`);
      if (own) return own;
      const schema = ctx.after ? SETTING_SCHEMAS[String(ctx.after.key)] : undefined;
      if (schema && !schema.safeParse(ctx.after!.value).success) return 'bad_value';
      return null;
    },
  },
  // A user's reminder preferences and audience (id: the username), saved together as the screen saves them.
  [REMINDER_PREFS_TABLE]: {
    key: 'natural',
    fields: {
      user: { type: 'text', required: true, maxLength: 64 },
      prefs: { type: 'json', required: true },
      audience: { type: 'json', required: true },
    },
    deletable: false,
    transition: (ctx) => {
      if (ctx.after === null) return 'not_deletable';
      const own = ownRecord(ctx, (user) => user);
      if (own) return own;
      if (!prefsValid(ctx.after.prefs, ctx.after.audience)) return 'bad_prefs';
      // Only the president takes the whole branch as audience (main/handlers/reminders.ts canBranch).
      if (ctx.actor && (ctx.after.audience as { branch: boolean }).branch && ctx.actor.role !== 'president')
        return 'role_cannot_branch';
      return null;
    },
  },
  // A user's own desktop (id: the username); deleted when they go back to their role's template.
  [DESKTOPS_TABLE]: {
    key: 'natural',
    permission: 'portfolio.overview',
    fields: {
      user: { type: 'text', required: true, maxLength: 64 },
      layout: { type: 'json', required: true },
      // A list or saved-query widget's record by its sync id (widget id → id): the layout's own ids are
      // the writing PC's, which each PC maps back to its own rows.
      refs: { type: 'json' },
    },
    deletable: true,
    transition: (ctx) => {
      const own = ownRecord(ctx, (user) => user);
      if (own) return own;
      if (ctx.after && !layoutSchema.safeParse(ctx.after.layout).success) return 'bad_layout';
      return null;
    },
  },
  // A role's desktop template (id: the role), published by the administrator (SETTING_WRITERS); read by all.
  [TEMPLATES_TABLE]: {
    key: 'natural',
    fields: {
      role: { type: 'text', required: true, values: DESKTOP_ROLES },
      layout: { type: 'json', required: true },
      refs: { type: 'json' },
      published_by: { type: 'text', required: true, maxLength: 64 },
      published_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    transition: branchSetting({
      id: (after) => after.role,
      writer: 'desktopTemplate',
      by: 'published_by',
      valid: (after) => layoutSchema.safeParse(after.layout).success,
      refused: { role: 'role_cannot_publish', actor: 'publisher_is_not_actor', invalid: 'bad_layout' },
    }),
  },
  // An opportunity rule's settings (id: the rule's code): on/off and parameters, by the administrator
  // (SETTING_WRITERS); the rule's run state (last run, window) stays each PC's own.
  [RULE_SETTINGS_TABLE]: {
    key: 'natural',
    fields: {
      code: { type: 'text', required: true, values: RULE_CODES },
      enabled: { type: 'bool', required: true },
      params: { type: 'json', required: true },
      updated_by: { type: 'text', required: true, maxLength: 64 },
      updated_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    transition: branchSetting({
      id: (after) => after.code,
      writer: 'ruleSettings',
      by: 'updated_by',
      valid: (after) => paramsValid(after.params),
      refused: { role: 'role_cannot_configure', actor: 'writer_is_not_actor', invalid: 'bad_params' },
    }),
  },
  // A tier model version (UUIDv7): saved once, never changed or deleted (the tier changes it made name it).
  [TIER_VERSIONS_TABLE]: {
    key: 'uuid',
    fields: {
      definition: { type: 'json', required: true },
      created_by: { type: 'text', required: true, maxLength: 64 },
      created_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    transition: ({ before, after, actor }) => {
      if (after === null) return 'not_deletable';
      if (before !== null) return 'version_is_immutable';
      if (actor && !writes(actor.role, 'tierModel')) return 'role_cannot_save_model';
      if (actor && after.created_by !== actor.userId) return 'creator_is_not_actor';
      if (!tierModelSchema.safeParse(after.definition).success) return 'bad_model';
      return null;
    },
  },
  // Which version is the branch's active model (one record, id TIER_ACTIVE_ID): the latest activation wins.
  [TIER_ACTIVE_TABLE]: {
    key: 'natural',
    fields: {
      version: { type: 'text', required: true, maxLength: 64 },
      activated_by: { type: 'text', required: true, maxLength: 64 },
      activated_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    refs: (row) => [{ table: TIER_VERSIONS_TABLE, id: String(row.version) }],
    transition: ({ id, after, actor, related }) => {
      if (after === null) return 'not_deletable';
      if (id !== TIER_ACTIVE_ID) return 'key_mismatch';
      if (actor && !writes(actor.role, 'tierModel')) return 'role_cannot_activate';
      if (actor && after.activated_by !== actor.userId) return 'activator_is_not_actor';
      if (related?.(TIER_VERSIONS_TABLE, String(after.version)) === null) return 'no_such_version';
      return null;
    },
  },
  // The administrator's own import profile (UUIDv7; the built-in ones ship with the code on every PC).
  [PROFILES_TABLE]: {
    key: 'uuid',
    permission: 'job.manage',
    fields: {
      name: { type: 'text', required: true, maxLength: 64 },
      kind: { type: 'text', required: true, values: IMPORT_KINDS },
      definition: { type: 'json', required: true },
      created_by: { type: 'text', maxLength: 64 },
    },
    deletable: true,
    transition: ({ before, after }) => {
      if (before && after && (before.created_by ?? null) !== (after.created_by ?? null))
        return 'fixed_field:created_by';
      if (after === null) return null;
      const p = profileSchema.safeParse(after.definition);
      if (!p.success) return 'bad_profile';
      if (p.data.name !== after.name || p.data.kind !== after.kind) return 'definition_mismatch';
      return null;
    },
  },
  // The customer-score parameters (id SCORE_SETTINGS_ID): rates, loyalty weights, CLV and points rules,
  // by the roles SETTING_WRITERS names (the model lab's: president, administrator); every PC recomputes its own book's scores with them.
  [SCORE_SETTINGS_TABLE]: {
    key: 'natural',
    fields: {
      params: { type: 'json', required: true },
      updated_by: { type: 'text', required: true, maxLength: 64 },
      updated_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    transition: branchSetting({
      id: () => SCORE_SETTINGS_ID,
      writer: 'scoreSettings',
      by: 'updated_by',
      valid: (after) => scoreParamsSchema.safeParse(after.params).success,
      refused: { role: 'role_cannot_configure', actor: 'writer_is_not_actor', invalid: 'bad_params' },
    }),
  },
};
