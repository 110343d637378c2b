/**
 * The store expression of every catalogue field (shared/customer-fields.ts) over the grid's aliases:
 * `c` customers, `b` the customer's branch, `m` its manager of record (staff), `cs` the active churn
 * model's score of the customer (JOINS below; fromFor() adds those an expression reads). A catalogue field
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
import { CHURN_TARGET_KEY } from './lab/groups';

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
  // the active churn model's group: the joined score (JOINS.cs), null when unscored or none is active
  churnGroup: 'cs.decile',
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

/**
 * The active churn model's version (lab_active by its key, migration 0027): not correlated with the
 * row, so SQLite evaluates it once per statement and the score join below is one primary-key look-up
 * of lab_scores (version, customer) per customer, not a subquery per row.
 */
const ACTIVE_CHURN_VERSION = `(SELECT a.version FROM lab_active a WHERE a.target_key = '${CHURN_TARGET_KEY}')`;

/**
 * The joins of the aliases beyond `customers c`, in the order they are added. CROSS JOIN keeps
 * customers the outer loop: joined the ordinary way, SQLite may start from the branch table and walk
 * every customer of a branch through the branch index to test a predicate that has an index of its
 * own (a quick search took seconds on a million customers). Every customer has its branch (foreign
 * key), so the inner join drops none; the other two are left joins.
 */
const JOINS = {
  b: 'CROSS JOIN branches b ON b.id = c.branch_id',
  m: 'LEFT JOIN staff m ON m.id = c.manager_staff_id',
  cs: `LEFT JOIN lab_scores cs ON cs.version = ${ACTIVE_CHURN_VERSION} AND cs.customer_id = c.id`,
} as const;

/** `FROM customers c` with the joins (only those) that the given expressions read. */
export function fromFor(exprs: readonly string[]): string {
  const joins = (Object.keys(JOINS) as (keyof typeof JOINS)[]).filter((a) =>
    exprs.some((e) => new RegExp(`\\b${a}\\.`).test(e)),
  );
  return ['FROM customers c', ...joins.map((a) => JOINS[a])].join(' ');
}

/**
 * Fields read through a join, as a condition over `customers c` alone (the advanced query's WHERE,
 * which the counts, the id lists and the in-memory columns' SQL part all run without joins): the ids
 * whose value passes `cmp`. A customer without a value is in no such set, as a NULL compares false.
 */
export const FIELD_ID_CONDITIONS: Partial<Record<CustomerField, (cmp: (expr: string) => string) => string>> = {
  // lab_score_rows_group (version, decile) holds the customer too (the table's key): one index range
  churnGroup: (cmp) =>
    `c.id IN (SELECT s.customer_id FROM lab_scores s WHERE s.version = ${ACTIVE_CHURN_VERSION} AND ${cmp('s.decile')})`,
};

/** The grid's select list: the id, then every field under its wire name (rows come out keyed by field). */
export const FIELD_SELECT = ['c.id', ...FIELD_KEYS.map((k) => `${FIELD_SQL[k]} AS ${k}`)].join(', ');
/** The FROM clause the grid's select list reads. */
export const FIELD_FROM = fromFor(Object.values(FIELD_SQL));

/** Fields whose store value is integer fen (the wire carries yuan). */
export const MONEY_FIELDS = FIELD_KEYS.filter((k) => CUSTOMER_FIELDS[k].wire === 'money');
