/**
 * Write rules of the shared tables, declared once: the workstation's domain code and the hub both check
 * every effect against them, so a PC cannot push a row the hub would not accept from its own UI, and the
 * hub (which runs no domain code) still refuses a row with unknown fields or a forbidden state move.
 *
 * Field shapes per table, whether rows may be deleted, how ids look, the permission a writer's role
 * needs, and `transition`: the per-role state and ownership rules (a teller creates a referral in state
 * new, as its referrer, and nothing else; a manager works only what they own). The writer is always
 * known: on the PC, the signed-in user; on the hub, the mutation's user as db/hub/actors.ts resolves
 * them (a write naming no user is refused there unless `anonymous` allows it as system work). `refs`
 * names the records a write is judged against (a campaign entry's campaign). Which customers a user
 * may touch needs the book (extracts), which the hub does not hold: the PC's scope SQL checks it.
 */
import { nextProductSettingsSchema, riskSettingsSchema, WATCH_STATUSES } from '../analytics';
import { ENTRY_STATUSES } from '../api/campaigns';
import { OPPORTUNITY_PRODUCTS, OPPORTUNITY_STAGES, type OpportunityStage } from '../api/opportunities';
import { canMove } from '../opportunities';
import { hasPermission, type Permission, ROLES, type Role, roleHasPermission } from '../permissions';
import {
  CONTACT_CHANNELS,
  CONTACT_OUTCOMES,
  LOST_REASONS,
  REFERRAL_INTERESTS,
  REFERRAL_STATUSES,
  REFERRAL_TARGETS,
  REFERRAL_TRANSITIONS,
  REFERRAL_URGENCIES,
  type ReferralAction,
  type ReferralStatus,
} from '../api/referrals';
import { CUSTOMER_SCOPE_RULE, CUSTOMER_SCOPE_TABLE } from './read-rules';
import { SETTINGS_RULES } from './settings-rules';
import { USER_RULE } from './user-rules';

export type FieldType = 'text' | 'int' | 'number' | 'bool' | 'json';

export interface FieldRule {
  type: FieldType;
  required?: boolean;
  /** Longest text accepted (characters). */
  maxLength?: number;
  /** For a text field: the only values accepted (a state machine's states). */
  values?: readonly string[];
}

export type SyncRow = Record<string, unknown>;

/**
 * Who is writing: the username, the role, and the employee number (staff) that ownership rules compare
 * with (a manager works only the referrals, opportunities and campaign entries they own). staff
 * undefined: not known, ownership is not checked; null: a user with no staff record (owns nothing).
 */
export interface SyncActor {
  userId: string;
  role: string;
  staff?: string | null;
}

export interface TransitionContext {
  table: string;
  id: string;
  /** The row as the hub holds it (null: new, or a tombstone). */
  before: SyncRow | null;
  /** The row being written (null: a delete). */
  after: SyncRow | null;
  actor: SyncActor | null;
  /**
   * Another record as the writer's side holds it now (the hub's state under the branch lock; the PC's
   * replica): what TableRule.refs names. null: no such live record; undefined: not known here.
   */
  related?: ((table: string, id: string) => SyncRow | null) | undefined;
}

export type RuleCode =
  | 'unknown_table'
  | 'bad_id'
  | 'unknown_field'
  | 'missing_field'
  | 'bad_type'
  | 'too_long'
  | 'bad_value'
  | 'not_deletable'
  | 'no_actor'
  | 'permission'
  | 'transition';

export interface RuleRefusal {
  code: RuleCode;
  table: string;
  id: string;
  field?: string;
  detail?: string;
}

export interface TableRule {
  /** uuid: rows people create (UUIDv7, two PCs cannot invent the same); natural: derived rows' keys. */
  key: 'uuid' | 'natural' | 'either';
  /**
   * The permission (shared/permissions.ts) a writer's role needs, as the API method that makes the row
   * requires it. Checked whenever the writer is known (always on the PC; on the hub for every mutation
   * that names a user).
   */
  permission?: Permission;
  /**
   * Written by system work (no user): the protocol's own test tables, and what a table allows system
   * work to write (a rule opportunity derived from the extracts, as it is derived). Every other write
   * that names no user is refused on the hub, so a PC cannot dodge the role checks by leaving it out.
   */
  anonymous?: boolean | ((before: SyncRow | null, after: SyncRow | null) => boolean);
  fields: Readonly<Record<string, FieldRule>>;
  deletable: boolean;
  /** Records a write of this table is judged against (a campaign entry: its campaign), loaded with it. */
  refs?: (row: SyncRow) => { table: string; id: string }[];
  /** A refusal detail, or null when the move is allowed. */
  transition?: (ctx: TransitionContext) => string | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Natural keys are built by code from ids and event keys: printable, no spaces, bounded (a UUID is one too). */
const NATURAL_RE = /^[A-Za-z0-9_.:@-]{1,200}$/;

/**
 * The shared tables: referrals, contacts, opportunities, campaigns and entries, reminder states, lists
 * and members, saved queries, favourites (db/sync/*), and the two sync_test_* fixtures the protocol's
 * own tests use: one with a state machine (open → done, never back), one keyed naturally like a
 * reminder state. Other modules add theirs (user-rules.ts: the branch's accounts).
 */
export const SYNC_RULES: Readonly<Record<string, TableRule>> = {
  sync_test_items: {
    key: 'uuid',
    anonymous: true,
    fields: {
      title: { type: 'text', required: true, maxLength: 200 },
      status: { type: 'text', required: true, values: ['open', 'done'] },
      owner: { type: 'text', maxLength: 64 },
      n: { type: 'int' },
    },
    deletable: true,
    // A state machine with a per-role step, the shape of the referral rules to come: done is final,
    // and a teller may not be the one who completes (when the writer is known).
    transition: ({ before, after, actor }) => {
      if (before?.status === 'done' && after !== null && after.status !== 'done') return 'done_is_final';
      if (actor?.role === 'teller' && after?.status === 'done' && before?.status !== 'done')
        return 'role_cannot_complete';
      return null;
    },
  },
  referrals: {
    key: 'uuid',
    // References by natural key (customer number, branch code, username, employee number, product code):
    // each PC imports the book itself, so its INTEGER ids are its own and never cross the wire.
    fields: {
      customer_no: { type: 'text', required: true, maxLength: 64 },
      branch: { type: 'text', required: true, maxLength: 32 },
      referrer: { type: 'text', required: true, maxLength: 64 },
      referrer_staff: { type: 'text', required: true, maxLength: 64 },
      interest: { type: 'text', required: true, values: REFERRAL_INTERESTS },
      urgency: { type: 'text', required: true, values: REFERRAL_URGENCIES },
      note: { type: 'text', maxLength: 2000 },
      owner: { type: 'text', maxLength: 64 },
      status: { type: 'text', required: true, values: REFERRAL_STATUSES },
      created_at: { type: 'text', required: true, maxLength: 40 },
      created_on: { type: 'text', required: true, maxLength: 10 },
      sla_days: { type: 'int', required: true },
      due_on: { type: 'text', required: true, maxLength: 10 },
      accepted_at: { type: 'text', maxLength: 40 },
      first_contact_at: { type: 'text', maxLength: 40 },
      first_contact_on: { type: 'text', maxLength: 10 },
      closed_at: { type: 'text', maxLength: 40 },
      closed_on: { type: 'text', maxLength: 10 },
      won_product: { type: 'text', maxLength: 64 },
      won_amount_fen: { type: 'int' },
      lost_reason: { type: 'text', values: LOST_REASONS },
      close_note: { type: 'text', maxLength: 2000 },
      updated_at: { type: 'text', required: true, maxLength: 40 },
      // The referral's history (referral_events), whole: every step rewrites the row at a checked revision.
      events: { type: 'json', required: true },
    },
    deletable: false,
    transition: referralTransition,
  },
  // 交往记录: written once by its author, never changed (a correction is a new contact).
  contacts: {
    key: 'uuid',
    permission: 'contact.log',
    fields: {
      customer_no: { type: 'text', required: true, maxLength: 64 },
      user: { type: 'text', required: true, maxLength: 64 },
      staff: { type: 'text', maxLength: 64 },
      channel: { type: 'text', required: true, values: CONTACT_CHANNELS },
      outcome: { type: 'text', required: true, values: CONTACT_OUTCOMES },
      summary: { type: 'text', maxLength: 2000 },
      next_step: { type: 'text', maxLength: 500 },
      next_step_on: { type: 'text', maxLength: 10 },
      // The referral's sync id when the contact was recorded on a referral.
      referral: { type: 'text', maxLength: 64 },
      contacted_at: { type: 'text', required: true, maxLength: 40 },
      contacted_on: { type: 'text', required: true, maxLength: 10 },
    },
    deletable: false,
    transition: ({ before, after, actor }) => {
      if (before !== null) return 'contact_is_final';
      if (actor && after?.user !== actor.userId) return 'author_is_not_actor';
      return null;
    },
  },
  // 商机 made by hand (UUIDv7) or by an opportunity rule (natural key: rule + customer + event), with
  // its stage history in the row: every move rewrites it at a checked revision.
  opportunities: {
    key: 'either',
    permission: 'opportunity.work',
    fields: {
      customer_no: { type: 'text', required: true, maxLength: 64 },
      branch: { type: 'text', required: true, maxLength: 32 },
      owner: { type: 'text', maxLength: 64 },
      stage: { type: 'text', required: true, values: OPPORTUNITY_STAGES },
      reached_rank: { type: 'int', required: true },
      source: { type: 'text', required: true, values: ['manual', 'rule'] },
      rule_code: { type: 'text', maxLength: 64 },
      product: { type: 'text', required: true, values: OPPORTUNITY_PRODUCTS },
      // The product confirmed with a win (成交确认), by its code.
      product_code: { type: 'text', maxLength: 64 },
      amount_fen: { type: 'int' },
      due_on: { type: 'text', maxLength: 10 },
      title: { type: 'text', maxLength: 200 },
      detail: { type: 'json' },
      note: { type: 'text', maxLength: 2000 },
      lost_reason: { type: 'text', maxLength: 200 },
      created_on: { type: 'text', required: true, maxLength: 10 },
      closed_on: { type: 'text', maxLength: 10 },
      created_by: { type: 'text', maxLength: 64 },
      history: { type: 'json', required: true },
      // A rule opportunity's event key on the PC that derived it (its dedupe key there).
      event_key: { type: 'text', maxLength: 200 },
    },
    deletable: false,
    // Rule opportunities are derived by every PC after its import, with no user: creating one is system work.
    anonymous: (before, after) => before === null && after?.source === 'rule' && after.stage === 'identified',
    transition: opportunityTransition,
  },
  // 营销活动: the president's campaign; its entries are rows of their own so managers working different
  // customers never touch the same record.
  campaigns: {
    key: 'uuid',
    permission: 'campaign.manage',
    fields: {
      name: { type: 'text', required: true, maxLength: 200 },
      description: { type: 'text', maxLength: 2000 },
      product: { type: 'text', required: true, values: OPPORTUNITY_PRODUCTS },
      branch: { type: 'text', required: true, maxLength: 32 },
      origin: { type: 'text', required: true, values: ['list', 'query', 'filter', 'import'] },
      due_on: { type: 'text', maxLength: 10 },
      status: { type: 'text', required: true, values: ['active', 'closed'] },
      created_by: { type: 'text', required: true, maxLength: 64 },
      created_on: { type: 'text', required: true, maxLength: 10 },
    },
    deletable: false,
    transition: ({ before, after, actor }) => {
      if (after === null) return 'not_deletable';
      if (before === null) {
        if (after.status !== 'active') return 'must_start_active';
        if (actor && after.created_by !== actor.userId) return 'creator_is_not_actor';
        return null;
      }
      for (const f of ['branch', 'origin', 'created_by', 'created_on'] as const)
        if (before[f] !== after[f]) return `fixed_field:${f}`;
      if (before.status === 'closed' && after.status !== 'closed') return 'closed_is_final';
      return null;
    },
  },
  // What a user did to one of their reminders (id: the reminder's natural key, db/sync/reminders.ts,
  // starting with the username): their own only; the latest act wins.
  // 风险预警跟进: one per customer (id: the customer number), written by a manager or the president; the
  // latest follow-up wins (a status and a note, not a state machine another record depends on).
  risk_watch: {
    key: 'natural',
    permission: 'contact.log',
    fields: {
      customer_no: { type: 'text', required: true, maxLength: 64 },
      owner: { type: 'text', maxLength: 64 },
      status: { type: 'text', required: true, values: WATCH_STATUSES },
      note: { type: 'text', maxLength: 500 },
      due_on: { type: 'text', maxLength: 10 },
      updated_by: { type: 'text', required: true, maxLength: 64 },
      updated_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    transition: ({ id, after, actor }) => {
      if (after === null) return 'not_deletable';
      if (id !== after.customer_no) return 'key_is_not_customer';
      if (actor && after.updated_by !== actor.userId) return 'author_is_not_actor';
      return null;
    },
  },
  // The bank's next-product and risk-rating parameters (id: 'next_product' or 'risk'), by the role the API's
  // analytics.save* need (the administrator); values checked with the API's own schemas.
  analytics_settings: {
    key: 'natural',
    fields: {
      value: { type: 'json', required: true },
      updated_by: { type: 'text', required: true, maxLength: 64 },
      updated_at: { type: 'text', required: true, maxLength: 40 },
    },
    deletable: false,
    transition: ({ id, after, actor }) => {
      if (after === null) return 'not_deletable';
      const schema = id === 'next_product' ? nextProductSettingsSchema : id === 'risk' ? riskSettingsSchema : null;
      if (!schema) return 'key_mismatch';
      if (actor && !roleHasPermission(actor.role, 'rule.manage')) return 'role_cannot_configure';
      if (actor && after.updated_by !== actor.userId) return 'writer_is_not_actor';
      if (!schema.safeParse(after.value).success) return 'bad_params';
      return null;
    },
  },
  reminder_states: {
    key: 'natural',
    fields: {
      user: { type: 'text', required: true, maxLength: 64 },
      status: { type: 'text', required: true, values: ['open', 'done', 'dismissed'] },
      snoozed_until: { type: 'text', maxLength: 40 },
      closed_at: { type: 'text', maxLength: 40 },
    },
    deletable: false,
    transition: ({ id, after, actor }) => {
      if (after === null) return 'not_deletable';
      if (!id.startsWith(`${String(after.user)}:`)) return 'key_is_not_user';
      if (actor && after.user !== actor.userId) return 'not_own';
      return null;
    },
  },
  // A user's customer list (加入列表), their saved query (高级查询), a member of a list (id: list id + ':' +
  // customer number) and a star (收藏, id: username + ':' + customer number): only their owner writes them.
  lists: {
    key: 'uuid',
    permission: 'customer.list',
    fields: {
      owner: { type: 'text', required: true, maxLength: 64 },
      branch: { type: 'text', maxLength: 32 },
      name: { type: 'text', required: true, maxLength: 100 },
      shared: { type: 'bool', required: true },
    },
    deletable: true,
    transition: ownedTransition,
  },
  list_members: {
    key: 'natural',
    permission: 'customer.list',
    fields: {
      list: { type: 'text', required: true, maxLength: 64 },
      customer_no: { type: 'text', required: true, maxLength: 64 },
      owner: { type: 'text', required: true, maxLength: 64 },
    },
    deletable: true,
    refs: (row) => [{ table: 'lists', id: String(row.list) }],
    transition: (ctx) => {
      const row = ctx.after ?? ctx.before;
      if (ctx.after && ctx.id !== `${String(ctx.after.list)}:${String(ctx.after.customer_no)}`) return 'key_mismatch';
      // The member's owner is its list's: nobody adds to or takes from a list that is not theirs.
      const list = row && ctx.related ? ctx.related('lists', String(row.list)) : undefined;
      if (ctx.after && list === null) return 'no_such_list';
      if (list && row && list.owner !== row.owner) return 'not_list_owner';
      return ownedTransition(ctx);
    },
  },
  saved_queries: {
    key: 'uuid',
    permission: 'customer.list',
    fields: {
      owner: { type: 'text', required: true, maxLength: 64 },
      branch: { type: 'text', maxLength: 32 },
      name: { type: 'text', required: true, maxLength: 100 },
      shared: { type: 'bool', required: true },
      definition: { type: 'json', required: true },
    },
    deletable: true,
    transition: ownedTransition,
  },
  favorites: {
    key: 'natural',
    permission: 'customer.list',
    fields: {
      user: { type: 'text', required: true, maxLength: 64 },
      customer_no: { type: 'text', required: true, maxLength: 64 },
    },
    deletable: true,
    transition: ({ id, before, after, actor }) => {
      const row = after ?? before;
      if (row && id !== `${String(row.user)}:${String(row.customer_no)}`) return 'key_mismatch';
      if (actor && row && row.user !== actor.userId) return 'not_own';
      return null;
    },
  },
  // One customer of a campaign (id: campaign sync id + ':' + customer number), worked by its manager.
  campaign_entries: {
    key: 'natural',
    fields: {
      campaign: { type: 'text', required: true, maxLength: 64 },
      customer_no: { type: 'text', required: true, maxLength: 64 },
      manager: { type: 'text', maxLength: 64 },
      status: { type: 'text', required: true, values: ENTRY_STATUSES },
      note: { type: 'text', maxLength: 2000 },
      updated_on: { type: 'text', maxLength: 10 },
      updated_by: { type: 'text', maxLength: 64 },
    },
    deletable: false,
    refs: (row) => [{ table: 'campaigns', id: String(row.campaign) }],
    transition: campaignEntryTransition,
  },
  // The branch's accounts (issue 16, "Identity"): declared with their rules in user-rules.ts.
  users: USER_RULE,
  // User settings, reminder preferences, desktops and desktop templates: settings-rules.ts.
  ...SETTINGS_RULES,
  // Each customer's scope facts (branch chain, manager, grants) for the hub's pull scope: read-rules.ts.
  [CUSTOMER_SCOPE_TABLE]: CUSTOMER_SCOPE_RULE,
  sync_test_marks: {
    key: 'natural',
    anonymous: true,
    fields: { done: { type: 'bool', required: true }, note: { type: 'text', maxLength: 500 } },
    deletable: false,
  },
};

const ROLE_SET: ReadonlySet<string> = new Set(ROLES);
const can = (actor: SyncActor, p: Permission) => ROLE_SET.has(actor.role) && hasPermission(actor.role as Role, p);
/** True when the writer's staff number is known and is not `owner` (ownership is checked only when known). */
const notOwner = (actor: SyncActor | null, owner: unknown) =>
  actor != null && actor.staff !== undefined && (actor.staff === null || actor.staff !== owner);

/**
 * 商机: a manager creates their own (owner = themselves), the president for any manager or the branch
 * queue; stages move by shared/opportunities.ts canMove (won and lost final), and only a 撤销成交
 * (won → the stage it was won from, the history saying so) goes back; a manager moves only their own,
 * and only the president gives one to another manager. Facts of its making never change.
 */
function opportunityTransition({ before, after, actor }: TransitionContext): string | null {
  if (after === null) return 'not_deletable';
  const stage = after.stage as OpportunityStage;
  if ((stage === 'won' || stage === 'lost') !== (after.closed_on != null)) return 'closed_needs_date';
  if (stage === 'lost' && after.lost_reason == null) return 'lost_needs_reason';
  if (!Array.isArray(after.history)) return 'history_not_list';
  if (typeof after.reached_rank !== 'number' || after.reached_rank < 0 || after.reached_rank > 4) return 'bad_rank';
  const president = actor?.role === 'president';
  if (before === null) {
    if (after.source === 'manual' && actor && !president && notOwner(actor, after.owner)) return 'owner_is_not_actor';
    return null;
  }
  for (const f of ['customer_no', 'branch', 'source', 'rule_code', 'created_on', 'created_by', 'event_key'] as const)
    if ((before[f] ?? null) !== (after[f] ?? null)) return `fixed_field:${f}`;
  const from = before.stage as OpportunityStage;
  if (from !== stage && !canMove(from, stage)) {
    // 撤销成交: back from won, one history entry longer, its last entry the undo.
    const last = (after.history as { from?: unknown; to?: unknown }[]).at(-1);
    const undo = from === 'won' && last?.from === 'won' && last?.to === stage;
    if (!undo) return `bad_stage:${from}->${stage}`;
  }
  if ((before.history as unknown[]).length > (after.history as unknown[]).length) return 'history_shrank';
  if (!president && (before.owner ?? null) !== (after.owner ?? null) && actor) return 'role_cannot_assign';
  if (!president && notOwner(actor, before.owner)) return 'not_owner';
  return null;
}

/**
 * A campaign's entry: made pending with the campaign (campaign.manage), then worked by its manager
 * (opportunity.work, only their own; the president works the branch queue's and may work any) while
 * the campaign is active.
 */
function campaignEntryTransition({ before, after, actor, related }: TransitionContext): string | null {
  if (after === null) return 'not_deletable';
  // A closed campaign is not worked any more, on any PC (work done apart and pushed late is refused).
  const campaign = related?.('campaigns', String(after.campaign));
  if (campaign === null) return 'no_such_campaign';
  if (before !== null && campaign?.status === 'closed') return 'campaign_closed';
  if (before === null) {
    if (after.status !== 'pending') return 'must_start_pending';
    if (actor && !can(actor, 'campaign.manage')) return 'role_cannot_create';
    return null;
  }
  for (const f of ['campaign', 'customer_no', 'manager'] as const)
    if ((before[f] ?? null) !== (after[f] ?? null)) return `fixed_field:${f}`;
  if (actor && !can(actor, 'opportunity.work')) return 'role_cannot_work';
  if (actor?.role !== 'president' && notOwner(actor, before.manager)) return 'not_owner';
  return null;
}

/** A record one user owns: made as theirs, never handed to another, written and deleted by them only. */
function ownedTransition({ before, after, actor }: TransitionContext): string | null {
  if (before && after && before.owner !== after.owner) return 'fixed_field:owner';
  const row = after ?? before;
  if (actor && row && row.owner !== actor.userId) return 'not_own';
  return null;
}

/** Facts fixed when the referral is flagged: no later step may change them. */
const REFERRAL_FIXED = ['customer_no', 'branch', 'referrer', 'referrer_staff', 'created_at', 'created_on'] as const;
/** Who may take which step (as shared/permissions.ts: referral.create for tellers, referral.work otherwise). */
const REFERRAL_STEPS_BY_ROLE: Readonly<Record<string, readonly ReferralAction[]>> = {
  manager: ['accept', 'reassign', 'contact', 'win', 'lose'],
  president: ['accept', 'reassign', 'contact', 'win', 'lose'],
};

/**
 * A teller flags (a new row in state new, naming themselves as referrer) and writes nothing after; a
 * manager or the president moves the state only along db/relationship/referral-steps.ts TRANSITIONS;
 * won and lost are final. The actor's role is checked when the writer is known.
 */
function referralTransition({ before, after, actor }: TransitionContext): string | null {
  if (after === null) return 'not_deletable';
  // What every PC's store requires of a row (its CHECKs): won names product and amount, lost a reason.
  const closed = after.status === 'won' || after.status === 'lost';
  if ((after.status === 'won') !== (after.won_product != null && after.won_amount_fen != null))
    return 'won_needs_product';
  if ((after.status === 'lost') !== (after.lost_reason != null)) return 'lost_needs_reason';
  if (closed !== (after.closed_at != null)) return 'closed_needs_time';
  if (typeof after.won_amount_fen === 'number' && after.won_amount_fen <= 0) return 'amount_not_positive';
  if (typeof after.sla_days === 'number' && (after.sla_days < 1 || after.sla_days > 30)) return 'bad_sla_days';
  if (before === null) {
    if (after.status !== 'new') return 'must_start_new';
    if (actor && actor.role !== 'teller') return 'role_cannot_create';
    if (actor && after.referrer !== actor.userId) return 'referrer_is_not_actor';
    return null;
  }
  for (const f of REFERRAL_FIXED) if (before[f] !== after[f]) return `fixed_field:${f}`;
  const from = before.status as ReferralStatus;
  const to = after.status as ReferralStatus;
  const steps = (Object.keys(REFERRAL_TRANSITIONS) as ReferralAction[]).filter(
    (a) => REFERRAL_TRANSITIONS[a].includes(from) && REFERRAL_TARGETS[a].includes(to),
  );
  if (steps.length === 0) return `bad_state:${from}->${to}`;
  if (actor) {
    const allowed = REFERRAL_STEPS_BY_ROLE[actor.role] ?? [];
    if (!steps.some((a) => allowed.includes(a))) return 'role_cannot_step';
  }
  // Manager steps belong to the owner; the president dispatches (reassigns) any referral of the branch.
  const reassigning = (before.owner ?? null) !== (after.owner ?? null);
  if (!(reassigning && actor?.role === 'president') && notOwner(actor, before.owner)) return 'not_owner';
  return null;
}

function typeOk(rule: FieldRule, v: unknown): boolean {
  switch (rule.type) {
    case 'text':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'json':
      return v !== undefined;
  }
}

/** Checks one row write (after = null for a delete) against the table's rules. */
export function checkWrite(
  table: string,
  id: string,
  before: SyncRow | null,
  after: SyncRow | null,
  actor: SyncActor | null,
  rules: Readonly<Record<string, TableRule>> = SYNC_RULES,
  related?: (table: string, id: string) => SyncRow | null,
): RuleRefusal | null {
  const rule = Object.hasOwn(rules, table) ? rules[table] : undefined;
  if (!rule) return { code: 'unknown_table', table, id };
  if (!(rule.key === 'uuid' ? UUID_RE : NATURAL_RE).test(id)) return { code: 'bad_id', table, id };
  if (actor && rule.permission && !can(actor, rule.permission)) return { code: 'permission', table, id };
  if (after === null) {
    if (!rule.deletable) return { code: 'not_deletable', table, id };
  } else {
    for (const [field, v] of Object.entries(after)) {
      const f = Object.hasOwn(rule.fields, field) ? rule.fields[field] : undefined;
      if (!f) return { code: 'unknown_field', table, id, field };
      if (v === null) {
        if (f.required) return { code: 'missing_field', table, id, field };
        continue;
      }
      if (!typeOk(f, v)) return { code: 'bad_type', table, id, field };
      if (f.maxLength !== undefined && typeof v === 'string' && [...v].length > f.maxLength)
        return { code: 'too_long', table, id, field };
      if (f.values && !f.values.includes(v as string)) return { code: 'bad_value', table, id, field };
    }
    for (const [field, f] of Object.entries(rule.fields)) {
      if (f.required && (after[field] === undefined || after[field] === null))
        return { code: 'missing_field', table, id, field };
    }
  }
  const refused = rule.transition?.({ table, id, before, after, actor, related }) ?? null;
  return refused === null ? null : { code: 'transition', table, id, detail: refused };
}

/** Whether system work (no user) may make this write (TableRule.anonymous). */
export function anonymousAllowed(table: string, before: SyncRow | null, after: SyncRow | null): boolean {
  const rule = Object.hasOwn(SYNC_RULES, table) ? SYNC_RULES[table] : undefined;
  const a = rule?.anonymous;
  return typeof a === 'function' ? a(before, after) : a === true;
}
