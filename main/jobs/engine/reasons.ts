/**
 * Reject reasons in words, for the rejects file the clerk opens in Excel (the reason column) and the
 * job's messages, in the language of the user who started the job. The same texts as the screens'
 * (imports.reasons.* in the renderer's i18n; a unit test keeps them equal): the main process does not
 * load the renderer's translation files.
 */
import type { ImportProfile, RejectReason } from '../../../shared/imports';
import type { RejectInfo } from './job';

export type ReasonLocale = 'zh-CN' | 'en';

export const REASON_TEXT: Record<ReasonLocale, Record<RejectReason, string>> = {
  'zh-CN': {
    field_count: '字段个数不符',
    required: '必填项为空',
    too_long: '内容过长',
    bad_integer: '不是整数',
    bad_amount: '金额格式错误',
    bad_rate: '利率格式错误',
    bad_date: '日期无效',
    bad_datetime: '时间无效',
    bad_enum: '取值不在允许范围内',
    bad_flag: '标志值无效',
    bad_encoding: '含无法识别的字符',
    duplicate_key: '文件内主键重复',
    unknown_branch: '网点不存在',
    unknown_customer: '客户不存在',
    unknown_product: '产品不存在',
    unknown_account: '账户不存在',
    unknown_staff: '员工不存在',
    inconsistent: '与已有数据不一致',
    bad_id_no: '证件号码不符合该证件类型的规则（校验位、出生日期或位数有误）',
    bad_mobile: '手机号码无效（应为 11 位，以 13–19 开头）',
    bad_account_no: '账号格式无效',
    bad_card_no: '卡号校验位错误（Luhn）',
    numeric_cell: '该单元格是数字，Excel 只保留 15 位有效数字，号码已失真：请把该列设置为文本格式后重新录入',
    self_guarantee: '保证人不能是借款人本人',
  },
  en: {
    field_count: 'Wrong number of fields',
    required: 'Required value missing',
    too_long: 'Too long',
    bad_integer: 'Not a whole number',
    bad_amount: 'Bad amount',
    bad_rate: 'Bad rate',
    bad_date: 'Invalid date',
    bad_datetime: 'Invalid time',
    bad_enum: 'Value not allowed',
    bad_flag: 'Bad flag',
    bad_encoding: 'Unreadable characters',
    duplicate_key: 'Key repeated in the file',
    unknown_branch: 'Unknown branch',
    unknown_customer: 'Unknown customer',
    unknown_product: 'Unknown product',
    unknown_account: 'Unknown account',
    unknown_staff: 'Unknown staff member',
    inconsistent: 'Inconsistent with stored data',
    bad_id_no: 'ID number does not follow the rules of its type (check character, birth date or length)',
    bad_mobile: 'Invalid mobile number (11 digits starting 13-19)',
    bad_account_no: 'Invalid account number',
    bad_card_no: 'Card number fails its check digit (Luhn)',
    numeric_cell:
      'The cell is a number and Excel keeps only 15 significant digits, so the number is already changed: format the column as text and enter it again',
    self_guarantee: 'The guarantor cannot be the borrower',
  },
};

const WORDS = {
  'zh-CN': {
    line: (n: number) => `第 ${n} 行`,
    column: (n: number) => `第 ${n} 列`,
    header: '拒绝原因',
    sep: ' ',
    colon: '：',
    value: (v: string) => `（${v}）`,
  },
  en: {
    line: (n: number) => `line ${n}`,
    column: (n: number) => `column ${n}`,
    header: 'Reason rejected',
    sep: ', ',
    colon: ': ',
    value: (v: string) => ` (${v})`,
  },
} as const;

/** Title of the reason column of the rejects file. */
export function reasonHeader(locale: ReasonLocale): string {
  return WORDS[locale].header;
}

/**
 * '第 12 行 第 5 列 证件号码：证件号码不符合…（110108195008026860）'. A field is named by the file's own
 * column title where the profile maps one by name (what the clerk sees in the file), else by its field.
 */
export function describer(locale: ReasonLocale, profile: ImportProfile): (r: RejectInfo) => string {
  const w = WORDS[locale];
  const title = new Map(
    profile.columns.map((c) => [c.field, typeof c.source === 'string' ? c.source : c.field] as const),
  );
  return (r) => {
    const where = [
      w.line(r.line),
      ...(r.column ? [w.column(r.column)] : []),
      ...(r.field ? [title.get(r.field) ?? r.field] : []),
    ];
    const value = r.value !== null && r.value !== '' ? w.value(r.value) : '';
    return `${where.join(w.sep)}${w.colon}${REASON_TEXT[locale][r.reason]}${value}`;
  };
}
