/**
 * The store expression of every catalogue field (shared/customer-fields.ts) over the grid's aliases:
 * `c` customers, `b` the customer's branch, `m` its manager of record (staff). A catalogue field
 * without an expression here fails tsc (`satisfies Record<CustomerField, string>`), and these are
 * the only SQL texts the grid's select list, sorts and exports take for a field: nothing the
 * renderer sends becomes SQL.
 */
import {
  CUSTOMER_FIELDS,
  FIELD_KEYS,
  SORTABLE_FIELDS,
  type CustomerField,
  type SortableField,
} from '../shared/customer-fields';
import { TIERS } from '../shared/tiers';

export const FIELD_SQL = {
  customerNo: 'c.customer_no',
  name: 'c.name',
  kind: 'c.kind',
  tier: 'c.tier',
  aum: 'c.aum_fen',
  deposits: 'c.deposit_fen',
  wealth: 'c.wealth_fen',
  loans: 'c.loan_fen',
  contribution: 'c.contribution_fen',
  loyalty: 'c.loyalty',
  clv: 'c.clv_fen',
  points: 'c.points',
  // the active churn model's group: lab_active by its key, lab_scores by its primary key (version, customer)
  churnGroup: `(SELECT s.decile FROM lab_active a JOIN lab_scores s ON s.version = a.version AND s.customer_id = c.id
                WHERE a.target_key = 'churn')`,
  idNo: 'c.id_no',
  mobile: 'c.mobile',
  managerName: 'm.name',
  branchName: 'b.name',
  status: 'c.status',
  openedOn: 'c.opened_on',
  lastTxnOn: 'c.last_txn_on',
  birthDate: 'c.birth_date',
  gender: 'c.gender',
  idType: 'c.id_type',
  occupation: 'c.occupation',
  creditRating: 'c.credit_rating',
  remark: 'c.remark',
} as const satisfies Record<CustomerField, string>;

/** Tiers sort best first (the code's alphabetical order means nothing); no tier last. */
const TIER_RANK = `CASE c.tier ${TIERS.map((t, i) => `WHEN '${t}' THEN ${i + 1}`).join(' ')} ELSE ${TIERS.length + 1} END`;

/** Order expression per sortable field: its value, except where the order is not the value's. */
export const SORT_SQL = Object.fromEntries(
  SORTABLE_FIELDS.map((k) => [k, k === 'tier' ? TIER_RANK : FIELD_SQL[k]]),
) as Record<SortableField, string>;

/** Whether an expression reads the joined branch or manager (b., m.) rather than customers alone. */
export const needsJoins = (expr: string): boolean => /\b[bm]\./.test(expr);

/** The grid's select list: the id, then every field under its wire name (rows come out keyed by field). */
export const FIELD_SELECT = ['c.id', ...FIELD_KEYS.map((k) => `${FIELD_SQL[k]} AS ${k}`)].join(', ');

/** Fields whose store value is integer fen (the wire carries yuan). */
export const MONEY_FIELDS = FIELD_KEYS.filter((k) => CUSTOMER_FIELDS[k].wire === 'money');
