/**
 * The catalogue of customer fields the customer grid shows and the grid export writes: one row per
 * field, and everything else is derived from it (the grid's row type and mapping, sort and export
 * column lists, the advanced query's plain-column fields, the export's headers and cell types, the
 * grid's column definitions and layout ids, the field and value labels of both languages). The store
 * side is db/customer-field-sql.ts: one SQL expression per field, checked against this list by tsc.
 *
 * A new displayed field is one row here (with its two labels), one SQL expression there, and the
 * store column (a migration) if it is new. Wire names and formats are the API's: money travels as
 * decimal yuan strings (shared/money.ts), dates as 'YYYY-MM-DD', codes as their store values.
 */
import GLOSSARY from './i18n/domains/glossary.json';
import { TIERS } from './tiers';

/** A string in both UI languages. */
export interface Text {
  readonly 'zh-CN': string;
  readonly en: string;
}
const text = (zh: string, en: string): Text => ({ 'zh-CN': zh, en });
/** A term of the glossary (shared/i18n/domains/glossary.json) in both languages. */
const term = (group: 'tier', code: keyof (typeof GLOSSARY)['en']['glossary']['tier']): Text =>
  text(GLOSSARY['zh-CN'].glossary[group][code], GLOSSARY.en.glossary[group][code]);

export const CUSTOMER_KINDS = ['individual', 'corporate'] as const;
export const CUSTOMER_STATUSES = ['active', 'dormant', 'closed'] as const;
export const GENDERS = ['M', 'F'] as const;
export const ID_TYPES = ['resident_id', 'passport', 'hk_mo_permit', 'tw_permit', 'uscc', 'other'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
export type Gender = (typeof GENDERS)[number];

/**
 * Coded fields' values and their labels; a value's i18n key is `${key}.${code}` (the keys the screens
 * already use). `extra` labels are not store values ("no tier yet" in tier lists and charts).
 */
export const FIELD_ENUMS = {
  tier: {
    codes: TIERS,
    key: 'tiers',
    // the tier names are the glossary's (shared/i18n/domains/glossary.json), as everywhere
    labels: {
      gold: term('tier', 'gold'),
      quality: term('tier', 'quality'),
      key: term('tier', 'key'),
      ordinary: term('tier', 'ordinary'),
      restricted: term('tier', 'restricted'),
      exit: term('tier', 'exit'),
      none: term('tier', 'none'),
    },
  },
  kind: {
    codes: CUSTOMER_KINDS,
    key: 'customer.kind',
    labels: { individual: text('个人', 'Individual'), corporate: text('对公', 'Corporate') },
  },
  status: {
    codes: CUSTOMER_STATUSES,
    key: 'customer.statusValue',
    labels: { active: text('正常', 'Active'), dormant: text('休眠', 'Dormant'), closed: text('已销户', 'Closed') },
  },
  gender: { codes: GENDERS, key: 'grid.genderValue', labels: { M: text('男', 'Male'), F: text('女', 'Female') } },
  idType: {
    codes: ID_TYPES,
    key: 'grid.idTypeValue',
    labels: {
      resident_id: text('居民身份证', 'Resident ID card'),
      passport: text('护照', 'Passport'),
      hk_mo_permit: text('港澳居民来往内地通行证', 'HK/Macao home-return permit'),
      tw_permit: text('台湾居民来往大陆通行证', 'Taiwan compatriot permit'),
      uscc: text('统一社会信用代码', 'Unified social credit code'),
      other: text('其他证件', 'Other ID'),
    },
  },
} as const;
export type FieldEnum = keyof typeof FIELD_ENUMS;

/**
 * What a field is on the wire: text, money (decimal yuan string), date ('YYYY-MM-DD'), a code, or a
 * whole number (a score, points).
 */
export type WireType = 'text' | 'money' | 'date' | 'enum' | 'number';

export interface FieldSpec {
  wire: WireType;
  /** For wire 'enum': which FIELD_ENUMS entry holds its codes and labels. */
  enum?: FieldEnum;
  /** The store may hold NULL (the wire then carries null). */
  nullable: boolean;
  /** The grid sorts by it (SQL order and the in-memory columns' permutations). */
  sortable?: boolean;
  /** An advanced-query field of the same name compares the column itself (values as the wire type). */
  query?: boolean;
  /** Identifiers leave the main process masked (shared/mask.ts). */
  mask?: 'id' | 'phone';
  /** i18n key of the column title, and the title in both languages. */
  labelKey: string;
  label: Text;
  /** The grid's column: initial width, pinned left, hidden until chosen; null: export only. */
  grid: { width: number; pinned?: boolean; hidden?: boolean } | null;
  /** Column width in an exported sheet, when not the wire type's usual one. */
  exportWidth?: number;
}

/** In display order: the grid's and the export's column order. */
export const CUSTOMER_FIELDS = {
  customerNo: {
    wire: 'text',
    nullable: false,
    sortable: true,
    labelKey: 'customer.customerNo',
    label: text('客户号', 'Customer no.'),
    grid: { width: 116, pinned: true },
  },
  name: {
    wire: 'text',
    nullable: false,
    sortable: true,
    labelKey: 'customer.name',
    label: text('客户名称', 'Name'),
    grid: { width: 176, pinned: true },
  },
  kind: {
    wire: 'enum',
    enum: 'kind',
    nullable: false,
    query: true,
    labelKey: 'customer.kindLabel',
    label: text('客户类型', 'Customer type'),
    grid: null,
  },
  tier: {
    wire: 'enum',
    enum: 'tier',
    nullable: true,
    sortable: true,
    query: true,
    labelKey: 'customer.tier',
    label: text('分层', 'Tier'),
    grid: { width: 68 },
  },
  aum: {
    wire: 'money',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'customer.aumYuan',
    label: text(`${GLOSSARY['zh-CN'].glossary.aum}（元）`, `${GLOSSARY.en.glossary.aum} (yuan)`),
    grid: { width: 136 },
  },
  deposits: {
    wire: 'money',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.deposits',
    label: text('存款（元）', 'Deposits (yuan)'),
    grid: { width: 130 },
  },
  wealth: {
    wire: 'money',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.wealth',
    label: text('理财（元）', 'Wealth (yuan)'),
    grid: { width: 124 },
  },
  loans: {
    wire: 'money',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.loans',
    label: text('贷款（元）', 'Loans (yuan)'),
    grid: { width: 124 },
  },
  // 客户评分 (issue 20.1, db/scores/): kept per customer after each import; hidden until chosen.
  contribution: {
    wire: 'money',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.contribution',
    label: text('贡献度（元/年）', 'Contribution/yr'),
    grid: { width: 140, hidden: true },
  },
  loyalty: {
    wire: 'number',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.loyalty',
    label: text('忠诚度', 'Loyalty'),
    grid: { width: 76, hidden: true },
  },
  clv: {
    wire: 'money',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.clv',
    label: text('终身价值（元）', 'CLV (yuan)'),
    grid: { width: 140, hidden: true },
  },
  points: {
    wire: 'number',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.points',
    label: text('积分', 'Points'),
    grid: { width: 90, hidden: true },
  },
  // 模型实验室 (issue 20.2): the active churn model's group, 1 = the tenth most likely to leave; empty
  // while no churn model is in use or the customer was not scored. Not sortable: the in-memory sorted
  // columns would go stale at each activation; filter it in 高级查询 (e.g. 流失风险组 ≤ 2).
  churnGroup: {
    wire: 'number',
    nullable: true,
    query: true,
    labelKey: 'grid.churnGroup',
    label: text('流失风险组', 'Churn group'),
    grid: { width: 96, hidden: true },
  },
  idNo: {
    wire: 'text',
    nullable: true,
    mask: 'id',
    labelKey: 'customer.idNo',
    label: text('证件号码', 'ID number'),
    grid: { width: 170 },
    exportWidth: 22,
  },
  mobile: {
    wire: 'text',
    nullable: true,
    mask: 'phone',
    labelKey: 'customer.mobile',
    label: text('手机号码', 'Mobile'),
    grid: { width: 118 },
  },
  managerName: {
    wire: 'text',
    nullable: true,
    sortable: true,
    labelKey: 'customer.manager',
    label: text('管户客户经理', 'Manager of record'),
    grid: { width: 90 },
  },
  branchName: {
    wire: 'text',
    nullable: false,
    sortable: true,
    labelKey: 'grid.branch',
    label: text('网点', 'Branch'),
    grid: { width: 120 },
  },
  status: {
    wire: 'enum',
    enum: 'status',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'customer.status',
    label: text('状态', 'Status'),
    grid: { width: 72 },
  },
  openedOn: {
    wire: 'date',
    nullable: false,
    sortable: true,
    query: true,
    labelKey: 'grid.openedOn',
    label: text('开户日期', 'Opened'),
    grid: { width: 110 },
  },
  lastTxnOn: {
    wire: 'date',
    nullable: true,
    sortable: true,
    query: true,
    labelKey: 'grid.lastTxnOn',
    label: text('最近交易', 'Last activity'),
    grid: { width: 110 },
  },
  birthDate: {
    wire: 'date',
    nullable: true,
    sortable: true,
    labelKey: 'grid.birthDate',
    label: text('出生日期', 'Birth date'),
    grid: { width: 110, hidden: true },
  },
  gender: {
    wire: 'enum',
    enum: 'gender',
    nullable: true,
    labelKey: 'grid.gender',
    label: text('性别', 'Gender'),
    grid: { width: 70, hidden: true },
  },
  idType: {
    wire: 'enum',
    enum: 'idType',
    nullable: false,
    labelKey: 'grid.idType',
    label: text('证件类型', 'ID type'),
    grid: { width: 150, hidden: true },
  },
  occupation: {
    wire: 'text',
    nullable: true,
    labelKey: 'grid.occupation',
    label: text('职业/行业', 'Occupation / industry'),
    grid: { width: 130, hidden: true },
  },
  creditRating: {
    wire: 'text',
    nullable: true,
    labelKey: 'grid.creditRating',
    label: text('信用等级', 'Credit rating'),
    grid: { width: 90, hidden: true },
  },
  remark: {
    wire: 'text',
    nullable: true,
    labelKey: 'grid.remark',
    label: text('备注', 'Remark'),
    grid: { width: 200, hidden: true },
  },
} as const satisfies Record<string, FieldSpec>;

export type CustomerField = keyof typeof CUSTOMER_FIELDS;
type Spec<K extends CustomerField> = (typeof CUSTOMER_FIELDS)[K];

/** Every field, in display order. */
export const FIELD_KEYS = Object.keys(CUSTOMER_FIELDS) as CustomerField[];

/** The spec of a field, seen through the common interface (for code that walks all fields). */
export const fieldSpec = (k: CustomerField): FieldSpec => CUSTOMER_FIELDS[k];

type KeysWhere<P extends keyof FieldSpec, V> = {
  [K in CustomerField]: Spec<K> extends Record<P, V> ? K : never;
}[CustomerField];

export type SortableField = KeysWhere<'sortable', true>;
export type QueryColumnField = KeysWhere<'query', true>;
export type GridField = Exclude<CustomerField, KeysWhere<'grid', null>>;

const where = <K extends CustomerField>(test: (s: FieldSpec) => boolean) =>
  FIELD_KEYS.filter((k) => test(CUSTOMER_FIELDS[k])) as K[];
export const SORTABLE_FIELDS = where<SortableField>((s) => s.sortable === true);
export const QUERY_COLUMN_FIELDS = where<QueryColumnField>((s) => s.query === true);
export const GRID_FIELDS = where<GridField>((s) => s.grid !== null);

/** The codes a coded field may hold. */
export const enumCodes = (k: CustomerField): readonly string[] => {
  const e = fieldSpec(k).enum;
  return e ? FIELD_ENUMS[e].codes : [];
};

/** A field's value on the wire, from its spec. */
type WireValue<S> = S extends { wire: 'money' }
  ? string
  : S extends { wire: 'number' }
    ? number
    : S extends { enum: infer E extends FieldEnum }
      ? (typeof FIELD_ENUMS)[E]['codes'][number]
      : string;
type Nullable<S> = S extends { nullable: true } ? null : never;

/** One customer's catalogue fields as the API sends them (the grid's rows). */
export type CustomerFieldValues = { [K in CustomerField]: WireValue<Spec<K>> | Nullable<Spec<K>> };
