/**
 * Write rules of the shared tables, declared once: the workstation's domain code and the hub both check
 * every effect against them, so a PC cannot push a row the hub would not accept from its own UI, and the
 * hub (which runs no domain code) still refuses a row with unknown fields or a forbidden state move.
 *
 * Field shapes per table, whether rows may be deleted, how ids look, and `transition`: the per-role
 * state-transition rules (a teller creates a referral in state new, as its referrer, and nothing else).
 * The role is checked when the writer is known: on the PC always; on the hub when it resolves the
 * mutation's user (ActorResolver), which it does for real once users live on the hub (issue 16,
 * "Identity"); until then `actor` is null there and only shapes and state moves are checked. Which
 * customers a teller may flag (their branch) needs the book, which the hub does not hold: the PC checks it.
 */
import {
  LOST_REASONS,
  REFERRAL_INTERESTS,
  REFERRAL_STATUSES,
  REFERRAL_TARGETS,
  REFERRAL_TRANSITIONS,
  REFERRAL_URGENCIES,
  type ReferralAction,
  type ReferralStatus,
} from '../api/referrals';

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

/** Who is writing. null while the hub authenticates PCs only. */
export interface SyncActor {
  userId: string;
  role: string;
}

export interface TransitionContext {
  table: string;
  id: string;
  /** The row as the hub holds it (null: new, or a tombstone). */
  before: SyncRow | null;
  /** The row being written (null: a delete). */
  after: SyncRow | null;
  actor: SyncActor | null;
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
  key: 'uuid' | 'natural';
  fields: Readonly<Record<string, FieldRule>>;
  deletable: boolean;
  /** A refusal detail, or null when the move is allowed. */
  transition?: (ctx: TransitionContext) => string | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Natural keys are built by code from ids and event keys: printable, no spaces, bounded. */
const NATURAL_RE = /^[A-Za-z0-9_.:@-]{1,200}$/;

/**
 * The shared tables: referrals (the first domain on the hub), and the two sync_test_* fixtures the
 * protocol's own tests use: one with a state machine (open → done, never back), one keyed naturally like
 * a reminder state.
 */
export const SYNC_RULES: Readonly<Record<string, TableRule>> = {
  sync_test_items: {
    key: 'uuid',
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
  sync_test_marks: {
    key: 'natural',
    fields: { done: { type: 'bool', required: true }, note: { type: 'text', maxLength: 500 } },
    deletable: false,
  },
};

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
): RuleRefusal | null {
  const rule = Object.hasOwn(rules, table) ? rules[table] : undefined;
  if (!rule) return { code: 'unknown_table', table, id };
  if (!(rule.key === 'uuid' ? UUID_RE : NATURAL_RE).test(id)) return { code: 'bad_id', table, id };
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
  const refused = rule.transition?.({ table, id, before, after, actor }) ?? null;
  return refused === null ? null : { code: 'transition', table, id, detail: refused };
}
