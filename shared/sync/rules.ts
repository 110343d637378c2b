/**
 * Write rules of the shared tables, declared once: the workstation's domain code and the hub both check
 * every effect against them, so a PC cannot push a row the hub would not accept from its own UI, and the
 * hub (which runs no domain code) still refuses a row with unknown fields or a forbidden state move.
 *
 * Today: field shapes per table, whether rows may be deleted, how ids look, and `transition`, the seam for
 * the per-role state-transition rules of the domain tables (a teller creates a referral in state new for a
 * customer of their branch and nothing else). The hub knows the PC, not yet the user: `actor` is null
 * until users live on the hub (issue 16, step "Identity").
 */
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
 * The shared tables. The two sync_test_* tables are the protocol's fixtures until the domain tables
 * (referrals, contacts, …) move onto the hub: one with a state machine (open → done, never back), one
 * keyed naturally like a reminder state.
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
  sync_test_marks: {
    key: 'natural',
    fields: { done: { type: 'bool', required: true }, note: { type: 'text', maxLength: 500 } },
    deletable: false,
  },
};

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
