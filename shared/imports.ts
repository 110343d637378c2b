import { z } from 'zod';

/**
 * Import profiles: how one kind of nightly extract (CIF, accounts, transactions...) maps onto the
 * store. Shared by the main process (engine, validation) and the renderer (profile editor).
 */
export const IMPORT_KINDS = [
  'branches',
  'staff',
  'products',
  'customers',
  'accounts',
  'daily_balances',
  'transactions',
  'loans',
  'term_deposits',
  'wealth_holdings',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** UTF-16 (Excel's "Unicode text" save) is read when the file starts with its byte order mark. */
export const ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export const FIELD_TYPES = ['text', 'integer', 'amount', 'rate', 'date', 'datetime', 'enum', 'flag'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * Formats a column's text may come in.
 * date: 'YYYYMMDD' | 'YYYY-MM-DD' | 'YYYY/MM/DD' | 'auto' (any of those)
 * datetime: 'YYYYMMDDHHmmss' | 'YYYY-MM-DD HH:mm:ss' | 'auto'
 * amount: 'yuan' (decimal yuan, thousands separators allowed if correctly grouped) | 'fen' (integer fen)
 * rate: 'percent' ("3.45" or "3.45%" = 3.45%) | 'decimal' ("0.0345")
 */
export const columnSchema = z
  .object({
    /** Store field this column fills (a key of IMPORT_FIELDS[kind]). */
    field: z.string().min(1).max(64),
    /** Delimited and xlsx files: header name, or 1-based column number. */
    source: z.union([z.string().min(1).max(128), z.number().int().min(1).max(1000)]).optional(),
    /** Fixed-width files: 1-based start and width, in bytes of the file's encoding. */
    start: z.number().int().min(1).max(100_000).optional(),
    width: z.number().int().min(1).max(10_000).optional(),
    format: z.string().max(32).optional(),
    /** Source value -> store value, for enums and flags (e.g. {"借": "D", "贷": "C"}). */
    values: z.record(z.string(), z.string()).optional(),
    /** A constant for a field the file does not carry. */
    constant: z.string().max(256).optional(),
    /**
     * The file may leave this column out (a header without it): the field is then not imported, and
     * stored rows keep what they hold. Not for key or required fields.
     */
    optional: z.boolean().optional(),
  })
  .strict();
export type ColumnMapping = z.infer<typeof columnSchema>;

export const profileSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    kind: z.enum(IMPORT_KINDS),
    description: z.string().max(500).optional(),
    format: z.enum(['delimited', 'fixed', 'xlsx']),
    encoding: z.enum(['auto', ...ENCODINGS]),
    /** Delimited: one character (',', '\t', '|', ';', '^' ...). */
    delimiter: z.string().length(1).optional(),
    quote: z.string().length(1).optional(),
    header: z.boolean(),
    /** Lines (or rows) before the header or first record, e.g. a report title. */
    skipLines: z.number().int().min(0).max(100).optional(),
    /** Xlsx: sheet name or 1-based index. */
    sheet: z.union([z.string().max(64), z.number().int().min(1)]).optional(),
    columns: z.array(columnSchema).min(1).max(200),
  })
  .strict();
export type ImportProfile = z.infer<typeof profileSchema>;

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
  /** Part of the natural key rows upsert on. */
  key?: boolean;
  /** Resolved against another table's natural key; unknown values reject the row. */
  ref?: 'branch' | 'customer' | 'product' | 'account' | 'staff';
  /** Allowed store values for enum fields. */
  values?: readonly string[];
  maxLength?: number;
  /** Change history is kept for these customer fields (address, phones...). */
  history?: boolean;
}

const t = (type: FieldType, extra: Omit<FieldSpec, 'type'> = {}): FieldSpec => ({ type, ...extra });

/** Every field an import may fill, per kind. Keys are the names profiles map columns to. */
export const IMPORT_FIELDS: Record<ImportKind, Record<string, FieldSpec>> = {
  branches: {
    code: t('text', { key: true, required: true, maxLength: 16 }),
    name: t('text', { required: true, maxLength: 64 }),
    parent_code: t('text', { ref: 'branch', maxLength: 16 }),
    address: t('text', { maxLength: 200 }),
    phone: t('text', { maxLength: 32 }),
    opened_on: t('date'),
  },
  staff: {
    employee_no: t('text', { key: true, required: true, maxLength: 16 }),
    name: t('text', { required: true, maxLength: 32 }),
    branch_code: t('text', { required: true, ref: 'branch' }),
    position: t('enum', { required: true, values: ['president', 'manager', 'teller', 'admin', 'other'] }),
    mobile: t('text', { maxLength: 20 }),
    hired_on: t('date'),
    active: t('flag'),
  },
  products: {
    code: t('text', { key: true, required: true, maxLength: 16 }),
    name: t('text', { required: true, maxLength: 64 }),
    category: t('enum', {
      required: true,
      values: ['demand', 'term', 'cd', 'wealth', 'loan', 'card', 'insurance', 'fund'],
    }),
    risk_level: t('integer'),
    rate: t('rate'),
    term_months: t('integer'),
    min_amount: t('amount'),
    launched_on: t('date'),
    withdrawn_on: t('date'),
    status: t('enum', { values: ['on_sale', 'closed', 'withdrawn'] }),
  },
  customers: {
    customer_no: t('text', { key: true, required: true, maxLength: 20 }),
    kind: t('enum', { required: true, values: ['individual', 'corporate'] }),
    name: t('text', { required: true, maxLength: 100 }),
    id_type: t('enum', {
      required: true,
      values: ['resident_id', 'passport', 'hk_mo_permit', 'tw_permit', 'uscc', 'other'],
    }),
    id_no: t('text', { maxLength: 32, history: true }),
    gender: t('enum', { values: ['M', 'F'] }),
    birth_date: t('date'),
    mobile: t('text', { maxLength: 20, history: true }),
    phone: t('text', { maxLength: 32, history: true }),
    email: t('text', { maxLength: 100, history: true }),
    address: t('text', { maxLength: 200, history: true }),
    postcode: t('text', { maxLength: 10, history: true }),
    occupation: t('text', { maxLength: 64 }),
    employer: t('text', { maxLength: 100, history: true }),
    legal_rep: t('text', { maxLength: 32 }),
    registered_capital: t('amount'),
    branch_code: t('text', { required: true, ref: 'branch' }),
    opened_on: t('date', { required: true }),
    status: t('enum', { values: ['active', 'dormant', 'closed'] }),
    credit_rating: t('text', { maxLength: 8 }),
    risk_tolerance: t('integer'),
    manager_employee_no: t('text', { ref: 'staff' }),
    /** 备注: the core system's free-text remark on the customer (store column from migration 0020). */
    remark: t('text', { maxLength: 500 }),
  },
  accounts: {
    account_no: t('text', { key: true, required: true, maxLength: 32 }),
    customer_no: t('text', { required: true, ref: 'customer' }),
    product_code: t('text', { required: true, ref: 'product' }),
    branch_code: t('text', { required: true, ref: 'branch' }),
    kind: t('enum', { required: true, values: ['demand', 'term', 'card', 'loan', 'wealth'] }),
    currency: t('text', { maxLength: 3 }),
    opened_on: t('date', { required: true }),
    closed_on: t('date'),
    status: t('enum', { values: ['active', 'frozen', 'dormant', 'closed'] }),
    frozen: t('amount'),
    balance: t('amount', { required: true }),
    balance_on: t('date'),
  },
  daily_balances: {
    account_no: t('text', { key: true, required: true, ref: 'account' }),
    on_date: t('date', { key: true, required: true }),
    balance: t('amount', { required: true }),
  },
  transactions: {
    serial_no: t('text', { key: true, required: true, maxLength: 40 }),
    account_no: t('text', { required: true, ref: 'account' }),
    txn_at: t('datetime', { required: true }),
    amount: t('amount', { required: true }),
    direction: t('flag', { required: true, values: ['D', 'C'] }),
    channel: t('enum', { required: true, values: ['counter', 'atm', 'pos', 'phone', 'online'] }),
    txn_type: t('text', { required: true, maxLength: 32 }),
    balance_after: t('amount'),
    counterparty_name: t('text', { maxLength: 100 }),
    counterparty_account: t('text', { maxLength: 40 }),
    memo: t('text', { maxLength: 200 }),
    teller_employee_no: t('text', { ref: 'staff' }),
  },
  loans: {
    loan_no: t('text', { key: true, required: true, maxLength: 32 }),
    contract_no: t('text', { required: true, maxLength: 32 }),
    customer_no: t('text', { required: true, ref: 'customer' }),
    product_code: t('text', { required: true, ref: 'product' }),
    branch_code: t('text', { required: true, ref: 'branch' }),
    principal: t('amount', { required: true }),
    balance: t('amount', { required: true }),
    rate: t('rate', { required: true }),
    disbursed_on: t('date', { required: true }),
    maturity_on: t('date', { required: true }),
    repayment_method: t('enum', {
      required: true,
      values: ['equal_installment', 'equal_principal', 'interest_only', 'bullet'],
    }),
    next_due_on: t('date'),
    next_due_amount: t('amount'),
    overdue_days: t('integer'),
    classification: t('enum', { values: ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] }),
    guarantee_type: t('enum', { values: ['mortgage', 'pledge', 'guarantee', 'credit'] }),
    /** 保证人: the customer who guarantees the loan (store column from migration 0032); not the borrower. */
    guarantor_customer_no: t('text', { ref: 'customer', maxLength: 20 }),
    status: t('enum', { values: ['active', 'paid_off', 'written_off'] }),
    paid_off_on: t('date'),
  },
  term_deposits: {
    deposit_no: t('text', { key: true, required: true, maxLength: 32 }),
    account_no: t('text', { required: true, ref: 'account' }),
    customer_no: t('text', { required: true, ref: 'customer' }),
    product_code: t('text', { required: true, ref: 'product' }),
    principal: t('amount', { required: true }),
    rate: t('rate', { required: true }),
    term_months: t('integer', { required: true }),
    start_on: t('date', { required: true }),
    maturity_on: t('date', { required: true }),
    auto_rollover: t('flag'),
    status: t('enum', { values: ['active', 'matured', 'withdrawn'] }),
  },
  wealth_holdings: {
    holding_no: t('text', { key: true, required: true, maxLength: 32 }),
    customer_no: t('text', { required: true, ref: 'customer' }),
    product_code: t('text', { required: true, ref: 'product' }),
    cost: t('amount', { required: true }),
    market_value: t('amount', { required: true }),
    purchased_on: t('date', { required: true }),
    maturity_on: t('date'),
    status: t('enum', { values: ['active', 'redeemed', 'matured'] }),
  },
};

/** Why one row was rejected; translated in the renderer (imports.reasons.<code>). */
export const REJECT_REASONS = [
  'field_count',
  'required',
  'too_long',
  'bad_integer',
  'bad_amount',
  'bad_rate',
  'bad_date',
  'bad_datetime',
  'bad_enum',
  'bad_flag',
  'bad_encoding',
  'duplicate_key',
  'unknown_branch',
  'unknown_customer',
  'unknown_product',
  'unknown_account',
  'unknown_staff',
  'inconsistent',
  /** An identifier that fails its type's rules (check character, date, length, letters). */
  'bad_id_no',
  'bad_mobile',
  'bad_account_no',
  /** A card account whose number fails the Luhn check. */
  'bad_card_no',
  /** An .xlsx number that cannot hold the value exactly (an 18-digit ID typed as a number): format the column as text. */
  'numeric_cell',
  /** A loan whose guarantor is its own borrower. */
  'self_guarantee',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
