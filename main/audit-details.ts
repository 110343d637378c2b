import type { AuditDetail, AuditEntry, AuditValue } from '../shared/api';
import { fenToYuan } from '../shared/money';
import type { AuditRow } from '../db/repos/audit';
import type { RefKind } from '../db/repos/audit-log';

/**
 * Turns stored audit entries (a JSON object of details, a target type and id) into what the audit page
 * shows: each known detail key given a value kind, ids resolved to names or 客户号 (by the caller's
 * `resolve`, one look-up per kind for the whole page), internal ids (tickets, request and contact ids)
 * left out. The keys are the ones the handlers write (see their ctx.audit calls).
 */

type Spec =
  | { as: 'code' | 'text' | 'number' | 'money' | 'time' | 'bool' | 'action' | 'count' | 'hide' }
  | { ref: RefKind }
  | { refs: RefKind };

const KEYS: Record<string, Spec> = {
  reason: { as: 'code' },
  adapter: { as: 'code' },
  role: { as: 'code' },
  kind: { as: 'code' },
  format: { as: 'code' },
  state: { as: 'code' },
  outcome: { as: 'code' },
  channel: { as: 'code' },
  interest: { as: 'code' },
  urgency: { as: 'code' },
  source: { as: 'code' },
  origin: { as: 'code' },
  code: { as: 'code' },
  table: { as: 'code' },
  // 成交 and 撤销成交: the product category, the stage gone back to, whose right it was
  product: { as: 'code' },
  stage: { as: 'code' },
  authority: { as: 'code' },
  // 模型实验室: the model's target and product category, the learner, how a top group was pushed
  target: { as: 'code' },
  category: { as: 'code' },
  learner: { as: 'code' },
  pushedAs: { as: 'code' },
  name: { as: 'text' },
  file: { as: 'text' },
  profile: { as: 'text' },
  query: { as: 'text' },
  lockedUntil: { as: 'time' },
  // a 同步冲突 entry (db/sync/domains.ts): how the hub answered and when the user acted
  sync: { as: 'code' },
  madeAt: { as: 'time' },
  amountFen: { as: 'money' },
  disabled: { as: 'bool' },
  pendingApproval: { as: 'bool' },
  enabled: { as: 'bool' },
  method: { as: 'action' },
  filter: { as: 'count' },
  columns: { as: 'count' },
  params: { as: 'count' },
  customerId: { ref: 'customer' },
  customerIds: { refs: 'customer' },
  toStaffId: { ref: 'staff' },
  fromStaffId: { ref: 'staff' },
  productId: { ref: 'product' },
  requestedBy: { ref: 'user' },
  // internal ids and shapes that mean nothing to a reader of the trail
  sort: { as: 'hide' },
  config: { as: 'hide' },
  fields: { as: 'hide' },
  ticket: { as: 'hide' },
  contactId: { as: 'hide' },
  reminderId: { as: 'hide' },
  requestId: { as: 'hide' },
  jobId: { as: 'hide' },
};

/** Keys that mean something else for one action. */
const BY_ACTION: Record<string, Record<string, Spec>> = {
  'opportunities.assign': { from: { ref: 'staff' }, to: { ref: 'staff' } },
  // the reason a user typed to reveal identifiers, not a code
  'customers.reveal': { reason: { as: 'text' } },
  // why a win was undone, as typed
  'opportunities.undoWon': { reason: { as: 'text' } },
};

/** Target types whose id names a row of the store, and those whose id is itself a code or a number. */
const TARGET_REFS: Record<string, RefKind> = {
  customer: 'customer',
  user: 'user',
  referral: 'referral',
  opportunity: 'opportunity',
  campaign: 'campaign',
  import_job: 'importJob',
  import_profile: 'importProfile',
};
const TARGET_CODES = new Set(['report', 'opportunity_rule', 'setting']);
const TARGET_NUMBERS = new Set(['tier_model']);

/** At most this many customer numbers are listed; more are counted. */
const LIST_MAX = 5;

export type Resolve = (kind: RefKind, ids: number[]) => Map<number, string>;

const asId = (v: unknown): number | null => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
};

function specOf(action: string, key: string): Spec | undefined {
  return BY_ACTION[action]?.[key] ?? KEYS[key];
}

function parse(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function plain(v: unknown): AuditValue | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return { kind: 'number', n: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'string') return { kind: 'text', text: v };
  if (Array.isArray(v)) return { kind: 'count', n: v.length };
  if (typeof v === 'object') return { kind: 'count', n: Object.keys(v).length };
  return null;
}

function detailValue(
  spec: Spec | undefined,
  v: unknown,
  labels: (k: RefKind, id: number) => string | undefined,
): AuditValue | null {
  if (v === null || v === undefined) return null;
  if (!spec) return plain(v);
  if ('ref' in spec) {
    const id = asId(v);
    if (id === null) return plain(v);
    const label = labels(spec.ref, id);
    return label === undefined ? { kind: 'missing' } : { kind: 'text', text: label };
  }
  if ('refs' in spec) {
    const ids = Array.isArray(v) ? v.map(asId).filter((x): x is number => x !== null) : [];
    if (ids.length === 0) return null;
    if (ids.length > LIST_MAX) return { kind: 'count', n: ids.length };
    return { kind: 'text', text: ids.map((id) => labels(spec.refs, id) ?? '—').join(', ') };
  }
  switch (spec.as) {
    case 'hide':
      return null;
    case 'code':
    case 'action':
      if (typeof v !== 'string') return plain(v);
      return spec.as === 'code' ? { kind: 'code', code: v } : { kind: 'action', action: v };
    case 'text':
      return { kind: 'text', text: String(v) };
    case 'time':
      return typeof v === 'string' ? { kind: 'time', at: v } : plain(v);
    case 'money':
      return typeof v === 'number' && Number.isSafeInteger(v) ? { kind: 'money', yuan: fenToYuan(v) } : plain(v);
    case 'bool':
      return { kind: 'bool', value: Boolean(v) };
    case 'count':
      if (typeof v === 'object') {
        // a filter counts the conditions it sets, not its empty defaults
        const n = Array.isArray(v)
          ? v.length
          : Object.values(v).filter((x) => x !== undefined && x !== null && x !== false).length;
        return { kind: 'count', n };
      }
      return plain(v);
    default:
      return plain(v);
  }
}

/** The page's entries made readable: one `resolve` per kind of id for all of them. */
export function describeAudit(rows: readonly AuditRow[], resolve: Resolve): AuditEntry[] {
  const parsed = rows.map((r) => ({ row: r, details: parse(r.details) }));
  // Collect every id by kind first, so each kind is looked up once for the page.
  const wanted = new Map<RefKind, number[]>();
  const want = (k: RefKind, id: number | null) => {
    if (id === null) return;
    let list = wanted.get(k);
    if (!list) {
      list = [];
      wanted.set(k, list);
    }
    list.push(id);
  };
  for (const { row, details } of parsed) {
    const t = row.target_type ? TARGET_REFS[row.target_type] : undefined;
    if (t) want(t, asId(row.target_id));
    for (const [key, v] of Object.entries(details)) {
      const spec = specOf(row.action, key);
      if (spec && 'ref' in spec) want(spec.ref, asId(v));
      if (spec && 'refs' in spec && Array.isArray(v) && v.length <= LIST_MAX)
        for (const x of v) want(spec.refs, asId(x));
    }
  }
  const found = new Map<RefKind, Map<number, string>>();
  for (const [k, ids] of wanted) found.set(k, resolve(k, ids));
  const labels = (k: RefKind, id: number) => found.get(k)?.get(id);

  return parsed.map(({ row, details }) => {
    const out: AuditDetail[] = [];
    for (const [key, v] of Object.entries(details)) {
      const value = detailValue(specOf(row.action, key), v, labels);
      if (value) out.push({ key, value });
    }
    return {
      id: row.id,
      at: row.at,
      username: row.username,
      role: row.role,
      action: row.action,
      outcome: row.outcome,
      target: row.target_type ? { type: row.target_type, label: targetLabel(row, labels) } : null,
      details: out,
    };
  });
}

function targetLabel(row: AuditRow, labels: (k: RefKind, id: number) => string | undefined): AuditValue | null {
  const type = row.target_type ?? '';
  const raw = row.target_id;
  if (raw === null) return null;
  const ref = TARGET_REFS[type];
  if (ref) {
    const id = asId(raw);
    const label = id === null ? undefined : labels(ref, id);
    return label === undefined ? { kind: 'missing' } : { kind: 'text', text: label };
  }
  if (TARGET_CODES.has(type)) return { kind: 'code', code: raw };
  if (TARGET_NUMBERS.has(type) && /^\d+$/.test(raw)) return { kind: 'number', n: Number(raw) };
  // anything else (a ticket, a widget's id) is an internal id: the type alone says enough
  return null;
}
