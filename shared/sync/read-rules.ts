/**
 * Who may pull what (issue 16, "the hub checks the permission and data scope of every mutation and pull
 * with the same rules as db/scope.ts"). A PC pulls a customer-bearing record only when one of the users
 * who signed in on it may read it: the record is their own (they flagged, own, wrote or starred it), or
 * their role holds the table's read permission (shared/permissions.ts, as the API methods that show the
 * rows) and the record's customer is in their data scope (shared/scope-rules.ts, the rule db/scope.ts
 * builds its SQL from). So a teller's PC gets the teller's own flags and no contact at all, and a
 * manager's PC gets the contacts of that manager's customers, not another manager's.
 *
 * What is not customer-bearing flows to every PC of the branch: the accounts (anyone signs in on any PC),
 * settings, templates, campaigns' headers, tier models, and the customers' scope facts themselves. So do
 * rule opportunities, derived by every PC from the extracts it already holds (a PC that could not see one
 * would derive it again and again). What a narrower scope would no longer reach stays on a PC that
 * already has it: scope only grows with the users who sign in there.
 */
import { roleHasPermission, type Permission } from '../permissions';
import { type CustomerPlace, type PlaceSubject, placeInScope } from '../scope-rules';
import type { SyncRow, TableRule } from './rules';

/** The customers' scope facts every PC shares (id: customer number; data: CustomerPlace's fields). */
export const CUSTOMER_SCOPE_TABLE = 'customer_scope';

/** A user who signed in on the PC, as the hub's `users` record names them. */
export interface PullSubject extends PlaceSubject {
  userId: string;
}

export interface ReadRule {
  /** The permission that reads the table's records of the customers in scope; none: own records only. */
  permission?: Permission;
  /** The record's customer number. */
  customer: (row: SyncRow) => string | null;
  /** The subject's own record, readable whatever the scope. */
  own: (row: SyncRow, who: PullSubject) => boolean;
  /** Records every PC pulls whatever the scope (derived from the extracts every PC holds). */
  everyone?: (row: SyncRow) => boolean;
  /** For a delete (no row): the customer number and owning user the id names, when it names them. */
  fromId?: (id: string) => { customer: string | null; user: string | null };
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const customerNo = (row: SyncRow) => text(row.customer_no);
const isStaff = (who: PullSubject, v: unknown) => who.staff !== null && v === who.staff;
/** `<prefix>:<customer number>` (a list member: list id; a star: user name). */
const afterColon = (id: string) => {
  const i = id.indexOf(':');
  return i < 0 ? { prefix: id, customer: null } : { prefix: id.slice(0, i), customer: id.slice(i + 1) };
};

export const READ_RULES: Readonly<Record<string, ReadRule>> = {
  referrals: {
    permission: 'referral.work',
    customer: customerNo,
    own: (r, who) => r.referrer === who.userId || isStaff(who, r.owner),
  },
  contacts: {
    permission: 'contact.log',
    customer: customerNo,
    own: (r, who) => r.user === who.userId,
  },
  opportunities: {
    permission: 'opportunity.work',
    customer: customerNo,
    own: (r, who) => isStaff(who, r.owner),
    everyone: (r) => r.source === 'rule',
  },
  campaign_entries: {
    permission: 'opportunity.work',
    customer: customerNo,
    own: (r, who) => isStaff(who, r.manager),
  },
  list_members: {
    permission: 'customer.list',
    customer: customerNo,
    own: (r, who) => r.owner === who.userId,
    fromId: (id) => ({ customer: afterColon(id).customer, user: null }),
  },
  // Personal: a star and a reminder's state are their user's only.
  favorites: {
    customer: customerNo,
    own: (r, who) => r.user === who.userId,
    fromId: (id) => ({ customer: afterColon(id).customer, user: afterColon(id).prefix }),
  },
  // a follow-up reaches whoever may follow up the customer, its owner and its author
  risk_watch: {
    permission: 'contact.log',
    customer: customerNo,
    own: (r, who) => r.updated_by === who.userId || isStaff(who, r.owner),
    fromId: (id) => ({ customer: id, user: null }),
  },
  reminder_states: {
    customer: () => null,
    own: (r, who) => r.user === who.userId,
  },
};

/** The customer's place from its scope record's data (null when malformed or absent). */
export function placeOf(data: SyncRow | null | undefined): CustomerPlace | null {
  if (!data || !Array.isArray(data.branches)) return null;
  const grants = Array.isArray(data.grants) ? data.grants : [];
  return {
    branches: data.branches.filter((b): b is string => typeof b === 'string'),
    manager: text(data.manager),
    grants: grants
      .filter((g): g is { staff: string; until?: unknown } => typeof (g as { staff?: unknown })?.staff === 'string')
      .map((g) => ({ staff: g.staff, until: text(g.until) })),
  };
}

/** The customer number a record names (row, or the id of a delete), for loading its place. */
export function customerOf(table: string, id: string, row: SyncRow | null): string | null {
  const rule = Object.hasOwn(READ_RULES, table) ? READ_RULES[table] : undefined;
  if (!rule) return null;
  return row ? rule.customer(row) : (rule.fromId?.(id).customer ?? null);
}

/**
 * Whether a PC whose signed-in users are `who` pulls this record (row null: a delete). `place`: the scope
 * facts of the customer it names (null when none are shared). `today`: the hub's business date.
 */
export function pullVisible(
  table: string,
  id: string,
  row: SyncRow | null,
  who: readonly PullSubject[],
  place: (customerNo: string) => CustomerPlace | null,
  today: string,
): boolean {
  const rule = Object.hasOwn(READ_RULES, table) ? READ_RULES[table] : undefined;
  if (!rule) return true;
  if (row !== null && rule.everyone?.(row)) return true;
  const named = row === null ? rule.fromId?.(id) : undefined;
  if (row === null && !named) return false;
  const customer = row !== null ? rule.customer(row) : named!.customer;
  const reached = customer === null ? null : place(customer);
  return who.some((w) => {
    if (row !== null ? rule.own(row, w) : named!.user === w.userId) return true;
    if (!rule.permission || !roleHasPermission(w.role, rule.permission) || customer === null) return false;
    return placeInScope(w, reached, today);
  });
}

/** The write rule of the scope facts: system work from the book (no user), any PC of the branch. */
export const CUSTOMER_SCOPE_RULE: TableRule = {
  key: 'natural',
  anonymous: true,
  fields: {
    branches: { type: 'json', required: true },
    manager: { type: 'text', maxLength: 64 },
    grants: { type: 'json', required: true },
  },
  deletable: false,
  transition: ({ after }) => {
    if (after === null) return 'not_deletable';
    const b = after.branches;
    if (!Array.isArray(b) || b.length === 0 || b.length > 16 || !b.every((x) => typeof x === 'string'))
      return 'bad_branches';
    const g = after.grants;
    if (!Array.isArray(g) || g.length > 200 || placeOf(after)?.grants.length !== g.length) return 'bad_grants';
    return null;
  },
};
