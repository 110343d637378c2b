/**
 * How each import kind lands in the store: target table, natural key, and which store column each
 * profile field fills. Column names here are the only ones the engine ever puts into SQL text (the
 * SQL is built once per job from this whitelist; every value is a bound parameter).
 */
import { IMPORT_FIELDS, type FieldSpec, type ImportKind, type RejectReason } from '../../../shared/imports';

export type RefKind = NonNullable<FieldSpec['ref']>;

export interface StoreColumn {
  /** Profile field (a key of IMPORT_FIELDS[kind]). */
  field: string;
  /** Store column it fills. */
  column: string;
}

export interface KindSpec {
  kind: ImportKind;
  table: string;
  /** Store columns of the natural key, in order. */
  keyColumns: string[];
  columns: StoreColumn[];
  /** The table has id, created_job_id, last_job_id (every kind but daily balances). */
  tracked: boolean;
  hasUpdatedAt: boolean;
  /** Store column holding the owning customer, when rows feed the customer's maintained figures. */
  figuresOf?: 'customer_id';
}

/** field -> store column where the names differ (amounts in fen, rates in ppm, references by id). */
const REF_COLUMN: Record<string, string> = {
  branch_code: 'branch_id',
  parent_code: 'parent_id',
  customer_no: 'customer_id',
  product_code: 'product_id',
  account_no: 'account_id',
  manager_employee_no: 'manager_staff_id',
  teller_employee_no: 'teller_staff_id',
  guarantor_customer_no: 'guarantor_customer_id',
};
const RENAME: Record<string, string> = { rate: 'rate_ppm', next_due_amount: 'next_due_fen' };

function columnOf(field: string, spec: FieldSpec): string {
  // customer_no is customers' own key column, but a reference (-> customer_id) everywhere else.
  if (spec.ref) {
    const c = REF_COLUMN[field];
    if (!c) throw new Error(`no store column for reference field ${field}`);
    return c;
  }
  if (RENAME[field]) return RENAME[field];
  if (spec.type === 'amount') return `${field}_fen`;
  return field;
}

function spec(kind: ImportKind, table: string, key: string[], extra: Partial<KindSpec> = {}): KindSpec {
  const fields = IMPORT_FIELDS[kind];
  return {
    kind,
    table,
    keyColumns: key,
    columns: Object.entries(fields).map(([field, s]) => ({ field, column: columnOf(field, s) })),
    tracked: true,
    hasUpdatedAt: false,
    ...extra,
  };
}

export const KINDS: Record<ImportKind, KindSpec> = {
  branches: spec('branches', 'branches', ['code'], { hasUpdatedAt: true }),
  staff: spec('staff', 'staff', ['employee_no'], { hasUpdatedAt: true }),
  products: spec('products', 'products', ['code'], { hasUpdatedAt: true }),
  customers: spec('customers', 'customers', ['customer_no'], { hasUpdatedAt: true }),
  accounts: spec('accounts', 'accounts', ['account_no'], { hasUpdatedAt: true, figuresOf: 'customer_id' }),
  daily_balances: spec('daily_balances', 'daily_balances', ['account_id', 'on_date'], { tracked: false }),
  transactions: spec('transactions', 'transactions', ['serial_no'], { figuresOf: 'customer_id' }),
  loans: spec('loans', 'loans', ['loan_no'], { figuresOf: 'customer_id' }),
  term_deposits: spec('term_deposits', 'term_deposits', ['deposit_no']),
  wealth_holdings: spec('wealth_holdings', 'wealth_holdings', ['holding_no'], { figuresOf: 'customer_id' }),
};

export const REF_REASON: Record<RefKind, RejectReason> = {
  branch: 'unknown_branch',
  customer: 'unknown_customer',
  product: 'unknown_product',
  account: 'unknown_account',
  staff: 'unknown_staff',
};

/** Customer fields whose changes are kept as history (customer_changes). */
export const CUSTOMER_HISTORY_COLUMNS: ReadonlySet<string> = new Set(
  Object.entries(IMPORT_FIELDS.customers)
    .filter(([, s]) => s.history)
    .map(([f, s]) => columnOf(f, s)),
);

/** The kinds in the order a full nightly set should load (references before the rows using them). */
export const LOAD_ORDER: readonly ImportKind[] = [
  'branches',
  'staff',
  'products',
  'customers',
  'accounts',
  'daily_balances',
  'term_deposits',
  'wealth_holdings',
  'loans',
  'transactions',
];
