/**
 * Import profiles shipped with the workstation: one per nightly extract of the demo branch (and a
 * sensible starting point for a real core system's files; the administrator copies and adapts them).
 * The demo extract writer (db/demo/extracts.ts) writes files from these same definitions, so a
 * demo branch exported and imported again round-trips exactly (tested).
 *
 * Formats chosen to look like real core-banking deliveries: CSV in GB18030 with Chinese headers and
 * Chinese code values, compact dates (20240131) in the CIF file, the transaction journal as a
 * fixed-width file, wealth holdings as an .xlsx sheet from the wealth platform.
 */
import { IMPORT_FIELDS, type ColumnMapping, type ImportKind, type ImportProfile } from '../../../shared/imports';

/** Chinese column titles per field, as the extracts carry them (also the rejects file's header). */
export const FIELD_TITLES: Record<string, string> = {
  code: '代码',
  name: '名称',
  parent_code: '上级网点号',
  address: '地址',
  phone: '固定电话',
  opened_on: '开户日期',
  employee_no: '员工号',
  branch_code: '网点号',
  position: '岗位',
  mobile: '手机号',
  hired_on: '入职日期',
  active: '在职',
  category: '产品类别',
  risk_level: '风险等级',
  rate: '利率',
  term_months: '期限月数',
  min_amount: '起点金额',
  launched_on: '发行日期',
  withdrawn_on: '停售日期',
  status: '状态',
  customer_no: '客户号',
  kind: '类型',
  id_type: '证件类型',
  id_no: '证件号码',
  gender: '性别',
  birth_date: '出生日期',
  email: '电子邮箱',
  postcode: '邮编',
  occupation: '职业',
  employer: '工作单位',
  remark: '备注',
  legal_rep: '法定代表人',
  registered_capital: '注册资本',
  credit_rating: '信用等级',
  risk_tolerance: '风险承受能力',
  manager_employee_no: '客户经理',
  account_no: '账号',
  product_code: '产品号',
  currency: '币种',
  closed_on: '销户日期',
  frozen: '冻结金额',
  balance: '余额',
  balance_on: '余额日期',
  on_date: '日期',
  serial_no: '流水号',
  txn_at: '交易时间',
  amount: '交易金额',
  direction: '借贷标志',
  channel: '渠道',
  txn_type: '交易类型',
  balance_after: '交易后余额',
  counterparty_name: '对方户名',
  counterparty_account: '对方账号',
  memo: '摘要',
  teller_employee_no: '柜员号',
  loan_no: '借据号',
  contract_no: '合同号',
  principal: '本金',
  disbursed_on: '放款日期',
  maturity_on: '到期日期',
  repayment_method: '还款方式',
  next_due_on: '下次还款日',
  next_due_amount: '下次还款额',
  overdue_days: '逾期天数',
  classification: '五级分类',
  guarantee_type: '担保方式',
  guarantor_customer_no: '保证人客户号',
  paid_off_on: '结清日期',
  deposit_no: '存单号',
  start_on: '起息日期',
  auto_rollover: '自动转存',
  holding_no: '持仓编号',
  cost: '成本',
  market_value: '市值',
  purchased_on: '购买日期',
};

/** Titles that differ per kind (客户名称 vs 网点名称...). */
const KIND_TITLES: Partial<Record<ImportKind, Record<string, string>>> = {
  branches: { code: '网点号', name: '网点名称', phone: '联系电话' },
  staff: { name: '姓名' },
  products: { code: '产品号', name: '产品名称', status: '销售状态' },
  customers: { name: '客户名称', kind: '客户类型', status: '客户状态' },
  accounts: { kind: '账户类型', status: '账户状态' },
  loans: { status: '贷款状态', balance: '贷款余额' },
  term_deposits: { status: '存单状态' },
  wealth_holdings: { status: '持仓状态' },
};

export function titleOf(kind: ImportKind, field: string): string {
  return KIND_TITLES[kind]?.[field] ?? FIELD_TITLES[field] ?? field;
}

/** Store code -> the Chinese value the core system writes, per field (the profile maps it back). */
const ZH_VALUES: Record<string, Record<string, string>> = {
  'customers.kind': { 个人: 'individual', 对公: 'corporate' },
  'customers.id_type': {
    居民身份证: 'resident_id',
    护照: 'passport',
    港澳通行证: 'hk_mo_permit',
    台胞证: 'tw_permit',
    统一社会信用代码: 'uscc',
    其他: 'other',
  },
  'customers.gender': { 男: 'M', 女: 'F' },
  'customers.status': { 正常: 'active', 睡眠: 'dormant', 销户: 'closed' },
  'staff.position': { 行长: 'president', 客户经理: 'manager', 柜员: 'teller', 系统管理员: 'admin', 其他: 'other' },
  'transactions.direction': { 借: 'D', 贷: 'C' },
  'transactions.channel': { 柜面: 'counter', ATM: 'atm', POS: 'pos', 电话银行: 'phone', 网银: 'online' },
  'accounts.kind': { 活期: 'demand', 定期: 'term', 银行卡: 'card', 贷款: 'loan', 理财: 'wealth' },
  'accounts.status': { 正常: 'active', 冻结: 'frozen', 久悬: 'dormant', 销户: 'closed' },
  'loans.repayment_method': {
    等额本息: 'equal_installment',
    等额本金: 'equal_principal',
    按期付息: 'interest_only',
    到期一次还本: 'bullet',
  },
  'loans.classification': {
    正常: 'normal',
    关注: 'special_mention',
    次级: 'substandard',
    可疑: 'doubtful',
    损失: 'loss',
  },
  'loans.guarantee_type': { 抵押: 'mortgage', 质押: 'pledge', 保证: 'guarantee', 信用: 'credit' },
  'loans.status': { 正常: 'active', 结清: 'paid_off', 核销: 'written_off' },
  'products.category': {
    活期存款: 'demand',
    定期存款: 'term',
    大额存单: 'cd',
    理财: 'wealth',
    贷款: 'loan',
    银行卡: 'card',
    保险: 'insurance',
    基金: 'fund',
  },
  'products.status': { 在售: 'on_sale', 停售: 'closed', 已撤销: 'withdrawn' },
  'term_deposits.status': { 正常: 'active', 到期: 'matured', 已支取: 'withdrawn' },
  'wealth_holdings.status': { 持有: 'active', 已赎回: 'redeemed', 已到期: 'matured' },
};

interface Built {
  /** Short name for the command line (`crm import --profile cif`). */
  alias: string;
  file: string;
  profile: ImportProfile;
}

function delimited(
  kind: ImportKind,
  name: string,
  description: string,
  opts: { delimiter?: string; dateFormat?: string } = {},
): ImportProfile {
  return {
    name,
    kind,
    description,
    format: 'delimited',
    encoding: 'auto',
    delimiter: opts.delimiter ?? ',',
    header: true,
    columns: Object.entries(IMPORT_FIELDS[kind]).map(([field, spec]): ColumnMapping => {
      const c: ColumnMapping = { field, source: titleOf(kind, field) };
      // A file may leave out what the store does not need (a branches file with only 网点号,网点名称).
      if (!spec.key && !spec.required) c.optional = true;
      const values = ZH_VALUES[`${kind}.${field}`];
      if (values) c.values = values;
      if (spec.type === 'date') c.format = opts.dateFormat ?? 'YYYY-MM-DD';
      if (spec.type === 'datetime') c.format = 'YYYY-MM-DD HH:mm:ss';
      if (spec.type === 'amount') c.format = 'yuan';
      if (spec.type === 'rate') c.format = 'percent';
      return c;
    }),
  };
}

/** The transaction journal as fixed-width GB18030 records (byte positions, as core systems write them). */
const JOURNAL_LAYOUT: [field: string, width: number, format?: string][] = [
  ['serial_no', 24],
  ['account_no', 22],
  ['txn_at', 14, 'YYYYMMDDHHmmss'],
  ['amount', 16, 'fen'],
  ['direction', 1],
  ['channel', 8],
  ['txn_type', 16],
  ['balance_after', 16, 'fen'],
  ['counterparty_name', 40],
  ['counterparty_account', 24],
  ['memo', 40],
  ['teller_employee_no', 12],
];

function journal(): ImportProfile {
  let start = 1;
  return {
    name: '核心交易流水(定长)',
    kind: 'transactions',
    description: '核心系统每日交易流水，定长格式，GB18030，金额单位为分',
    format: 'fixed',
    encoding: 'gb18030',
    header: false,
    columns: JOURNAL_LAYOUT.map(([field, width, format]) => {
      const c: ColumnMapping = { field, start, width };
      start += width;
      if (format) c.format = format;
      if (field === 'direction') c.values = { D: 'D', C: 'C' };
      if (field === 'channel') c.values = { CTR: 'counter', ATM: 'atm', POS: 'pos', TEL: 'phone', NET: 'online' };
      return c;
    }),
  };
}

function wealthXlsx(): ImportProfile {
  const p = delimited('wealth_holdings', '理财持仓(Excel)', '理财销售平台导出的持仓明细，.xlsx');
  return { ...p, format: 'xlsx', encoding: 'auto', delimiter: undefined, sheet: 1 };
}

/** Every built-in profile with the demo extract file name it reads. */
export const BUILTIN: readonly Built[] = [
  { alias: 'branches', file: 'branches.csv', profile: delimited('branches', '网点(CSV)', '机构网点清单') },
  { alias: 'staff', file: 'staff.csv', profile: delimited('staff', '员工(CSV)', '人力资源系统员工清单') },
  { alias: 'products', file: 'products.csv', profile: delimited('products', '产品(CSV)', '产品目录') },
  {
    alias: 'cif',
    file: 'customers.csv',
    profile: delimited('customers', '客户信息(CIF)', '核心系统客户信息文件，GB18030，日期为YYYYMMDD', {
      dateFormat: 'YYYYMMDD',
    }),
  },
  { alias: 'accounts', file: 'accounts.csv', profile: delimited('accounts', '账户(CSV)', '存款账户及余额') },
  {
    alias: 'balances',
    file: 'daily_balances.csv',
    profile: delimited('daily_balances', '日终余额(CSV)', '账户日终余额'),
  },
  {
    alias: 'term-deposits',
    file: 'term_deposits.csv',
    profile: delimited('term_deposits', '定期存单(CSV)', '定期存单明细'),
  },
  { alias: 'wealth', file: 'wealth_holdings.xlsx', profile: wealthXlsx() },
  {
    alias: 'loans',
    file: 'loans.csv',
    profile: delimited('loans', '贷款借据(CSV)', '信贷系统借据明细', { delimiter: '|' }),
  },
  { alias: 'journal', file: 'transactions.dat', profile: journal() },
];

/** A built-in profile by name or command-line alias. */
export function builtinProfile(nameOrAlias: string): ImportProfile | undefined {
  return BUILTIN.find((b) => b.profile.name === nameOrAlias || b.alias === nameOrAlias)?.profile;
}
