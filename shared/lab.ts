/**
 * The model lab's vocabulary, shared by main and the renderer: what can be predicted (targets), the
 * features computed from the book as of a cut-off date, and a factor in words. Pure: no Node, no SQL.
 */

export const LAB_TARGET_KINDS = ['churn', 'loan', 'wealth', 'product'] as const;
export type LabTargetKind = (typeof LAB_TARGET_KINDS)[number];

/** Product categories (products.category) a take-up target may name. */
export const LAB_PRODUCT_CATEGORIES = ['demand', 'term', 'cd', 'wealth', 'loan', 'card', 'insurance', 'fund'] as const;
export type LabProductCategory = (typeof LAB_PRODUCT_CATEGORIES)[number];

/**
 * A target as the user chose it. The outcome window is `outcomeMonths` months after the cut-off.
 *  - churn: customers holding at least `minBalance` yuan (deposits + wealth) at the cut-off whose balance
 *    at some month end in the window falls below `dropShare` of its cut-off level, or whose accounts are
 *    all closed within the window;
 *  - loan: customers with no loan at the cut-off who take one in the window (no loan -> loan);
 *  - wealth: customers with no wealth holding at the cut-off who buy one in the window;
 *  - product: customers without an account or holding of `category` at the cut-off who open one.
 */
export type LabTarget =
  | { kind: 'churn'; dropShare: number; minBalance: number }
  | { kind: 'loan' }
  | { kind: 'wealth' }
  | { kind: 'product'; category: LabProductCategory };

/** One string per target (an active model per key): 'churn', 'loan', 'wealth', 'product:card'... */
export function targetKey(t: LabTarget): string {
  return t.kind === 'product' ? `product:${t.category}` : t.kind;
}

/**
 * The features, as of the cut-off (nothing after it is read). Money in yuan; `_3m` is the three
 * months up to the cut-off, `_prev3m` the three before those; trends are ratios of the two (0 = flat).
 */
export const LAB_FEATURES = [
  'aum',
  'deposit',
  'wealth',
  'loan',
  'aum_change_3m',
  'aum_change_6m',
  'aum_min_ratio_3m',
  'txn_count_3m',
  'txn_count_trend',
  'txn_in_3m',
  'txn_out_3m',
  'txn_out_share_3m',
  'txn_counter_3m',
  'txn_atm_3m',
  'txn_pos_3m',
  'txn_phone_3m',
  'txn_online_3m',
  'txn_salary_3m',
  'txn_transfer_out_3m',
  'txn_loan_repay_3m',
  'days_since_txn',
  'products',
  'has_demand',
  'has_term',
  'has_card',
  'has_loan',
  'has_wealth',
  'term_maturing',
  'tenure_months',
  'age',
  'kind',
  'gender',
  'tier',
  'tier_downgraded',
  'contacts_6m',
  'days_since_contact',
] as const;
export type LabFeature = (typeof LAB_FEATURES)[number];

/**
 * A reason a score is high: the feature, the customer's value (numbers; a category's level as text;
 * null when missing) and how much it raised the score (log-odds, > 0).
 */
export interface LabFactor {
  feature: LabFeature;
  value: number | string | null;
  effect: number;
}

type Lang = 'zh-CN' | 'en';

/** Feature names in both languages (also the labels of the coefficient table). */
export const LAB_FEATURE_LABELS: Record<LabFeature, Record<Lang, string>> = {
  aum: { 'zh-CN': '存款与理财余额', en: 'Deposits and wealth' },
  deposit: { 'zh-CN': '存款余额', en: 'Deposits' },
  wealth: { 'zh-CN': '理财余额', en: 'Wealth holdings' },
  loan: { 'zh-CN': '贷款余额', en: 'Loan balance' },
  aum_change_3m: { 'zh-CN': '近3个月余额变化', en: 'Balance change, last 3 months' },
  aum_change_6m: { 'zh-CN': '近6个月余额变化', en: 'Balance change, last 6 months' },
  aum_min_ratio_3m: { 'zh-CN': '近3个月最低余额占比', en: 'Lowest balance in 3 months vs now' },
  txn_count_3m: { 'zh-CN': '近3个月交易笔数', en: 'Transactions, last 3 months' },
  txn_count_trend: { 'zh-CN': '交易笔数变化（近3个月比前3个月）', en: 'Transaction count trend' },
  txn_in_3m: { 'zh-CN': '近3个月转入金额', en: 'Money in, last 3 months' },
  txn_out_3m: { 'zh-CN': '近3个月转出金额', en: 'Money out, last 3 months' },
  txn_out_share_3m: { 'zh-CN': '近3个月转出占流水比例', en: 'Share of flows going out' },
  txn_counter_3m: { 'zh-CN': '近3个月柜面交易', en: 'Counter transactions' },
  txn_atm_3m: { 'zh-CN': '近3个月ATM交易', en: 'ATM transactions' },
  txn_pos_3m: { 'zh-CN': '近3个月POS消费', en: 'Card payments (POS)' },
  txn_phone_3m: { 'zh-CN': '近3个月手机银行交易', en: 'Mobile banking transactions' },
  txn_online_3m: { 'zh-CN': '近3个月网银交易', en: 'Online banking transactions' },
  txn_salary_3m: { 'zh-CN': '近3个月代发工资笔数', en: 'Salary credits' },
  txn_transfer_out_3m: { 'zh-CN': '近3个月转出笔数', en: 'Transfers out' },
  txn_loan_repay_3m: { 'zh-CN': '近3个月还款笔数', en: 'Loan repayments' },
  days_since_txn: { 'zh-CN': '距上次交易天数', en: 'Days since last transaction' },
  products: { 'zh-CN': '持有产品类数', en: 'Product types held' },
  has_demand: { 'zh-CN': '持有活期', en: 'Holds a current account' },
  has_term: { 'zh-CN': '持有定期', en: 'Holds a term deposit' },
  has_card: { 'zh-CN': '持有银行卡', en: 'Holds a card' },
  has_loan: { 'zh-CN': '持有贷款', en: 'Holds a loan' },
  has_wealth: { 'zh-CN': '持有理财', en: 'Holds wealth products' },
  term_maturing: { 'zh-CN': '定期即将到期金额', en: 'Term deposits maturing soon' },
  tenure_months: { 'zh-CN': '开户月数', en: 'Months as a customer' },
  age: { 'zh-CN': '年龄', en: 'Age' },
  kind: { 'zh-CN': '客户类型', en: 'Customer type' },
  gender: { 'zh-CN': '性别', en: 'Gender' },
  tier: { 'zh-CN': '客户等级', en: 'Tier' },
  tier_downgraded: { 'zh-CN': '近一年等级下调', en: 'Tier lowered in the past year' },
  contacts_6m: { 'zh-CN': '近6个月联系次数', en: 'Contacts, last 6 months' },
  days_since_contact: { 'zh-CN': '距上次联系天数', en: 'Days since last contact' },
};

const LEVEL_WORDS: Record<string, Record<Lang, string>> = {
  individual: { 'zh-CN': '个人', en: 'individual' },
  corporate: { 'zh-CN': '对公', en: 'corporate' },
  M: { 'zh-CN': '男', en: 'male' },
  F: { 'zh-CN': '女', en: 'female' },
  gold: { 'zh-CN': '金卡', en: 'gold' },
  quality: { 'zh-CN': '优质', en: 'quality' },
  key: { 'zh-CN': '重点', en: 'key' },
  ordinary: { 'zh-CN': '普通', en: 'ordinary' },
  restricted: { 'zh-CN': '限制', en: 'restricted' },
  exit: { 'zh-CN': '退出', en: 'exit' },
};

const RATIO: ReadonlySet<LabFeature> = new Set([
  'aum_change_3m',
  'aum_change_6m',
  'txn_count_trend',
  'txn_out_share_3m',
  'aum_min_ratio_3m',
]);
const MONEY: ReadonlySet<LabFeature> = new Set([
  'aum',
  'deposit',
  'wealth',
  'loan',
  'txn_in_3m',
  'txn_out_3m',
  'term_maturing',
]);
const FLAG: ReadonlySet<LabFeature> = new Set([
  'has_demand',
  'has_term',
  'has_card',
  'has_loan',
  'has_wealth',
  'tier_downgraded',
]);

function valueWords(feature: LabFeature, value: number | string | null, lang: Lang): string {
  const zh = lang === 'zh-CN';
  if (value === null) return zh ? '无记录' : 'none recorded';
  if (typeof value === 'string') return LEVEL_WORDS[value]?.[lang] ?? (value === '' ? (zh ? '其他' : 'other') : value);
  if (FLAG.has(feature)) return value >= 0.5 ? (zh ? '是' : 'yes') : zh ? '否' : 'no';
  if (RATIO.has(feature)) {
    const pct = Math.round(value * 100);
    if (feature === 'txn_out_share_3m' || feature === 'aum_min_ratio_3m') return `${pct}%`;
    return `${pct > 0 ? '+' : ''}${pct}%`;
  }
  if (MONEY.has(feature)) {
    if (zh) return Math.abs(value) >= 10000 ? `${(value / 10000).toFixed(1)} 万元` : `${Math.round(value)} 元`;
    return `${Math.round(value).toLocaleString('en')} yuan`;
  }
  return String(Math.round(value * 10) / 10);
}

/** "近3个月余额变化 −42%" / "Balance change, last 3 months: −42%": a factor as one short phrase. */
export function factorText(f: LabFactor, lang: Lang): string {
  const label = LAB_FEATURE_LABELS[f.feature]?.[lang] ?? f.feature;
  const v = valueWords(f.feature, f.value, lang);
  return lang === 'zh-CN' ? `${label}：${v}` : `${label}: ${v}`;
}
