/**
 * The audit page's words for an entry: action names, detail keys and values, the target. The main
 * process has already resolved ids to names and 客户号 (main/audit-details.ts); here codes become the
 * words of the current language. Pure: the translate function is passed in.
 */
import type { AuditDetail, AuditEntry, AuditValue } from '../../../shared/api';
import { count, dateTime, yuan, type DisplayLocale } from '../format';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Where a code of each detail key has its label, first match wins; then `auditLog.values.<key>`. */
const CODE_LABELS: Record<string, string[]> = {
  role: ['roles'],
  kind: ['auditLog.values.kind', 'imports.kinds', 'desktop.kinds'],
  channel: ['contact.channel'],
  outcome: ['contact.outcome'],
  interest: ['referral.interest'],
  urgency: ['referral.urgency'],
  table: ['reports.tables'],
  product: ['opportunities.product'],
  stage: ['opportunities.stage'],
  target: ['lab.targets'],
  category: ['glossary.category'],
  learner: ['lab.learners'],
};

/** Where a target type whose id is a code finds the code's label. */
const TARGET_CODE_LABELS: Record<string, string> = {
  report: 'reports.names',
  opportunity_rule: 'opportunities.rule',
  setting: 'auditLog.settings',
};

const MISSING = '\u0000';

function firstLabel(t: Translate, prefixes: readonly string[], code: string): string | null {
  for (const p of prefixes) {
    const s = t(`${p}.${code}`, { defaultValue: MISSING });
    if (s !== MISSING) return s;
  }
  return null;
}

/**
 * 登录, 查看客户信息…: the action's name. An API method with no name of its own (a refused call names the
 * method it asked for) is named by its area, "分析报表 · 其他操作", never shown as a code.
 */
export function actionLabel(t: Translate, action: string): string {
  const own = t(`auditActions.${action.replace(/\./g, '_')}`, { defaultValue: MISSING });
  if (own !== MISSING) return own;
  const domain = t(`auditLog.domains.${action.split('.')[0]}`, { defaultValue: MISSING });
  return domain !== MISSING ? t('auditLog.otherAction', { domain }) : t('auditLog.unknownAction');
}

export function valueText(t: Translate, lng: DisplayLocale, key: string, v: AuditValue): string {
  switch (v.kind) {
    case 'text':
      return v.text;
    case 'number':
      return count(v.n, lng);
    case 'money':
      return yuan(v.yuan);
    case 'time':
      return dateTime(v.at);
    case 'bool':
      return t(v.value ? 'auditLog.yes' : 'auditLog.no');
    case 'code':
      return firstLabel(t, [...(CODE_LABELS[key] ?? []), `auditLog.values.${key}`], v.code) ?? v.code;
    case 'action':
      return actionLabel(t, v.action);
    case 'count':
      return t('auditLog.count', { n: count(v.n, lng) });
    case 'missing':
      return t('auditLog.missing');
  }
}

/** "原因：密码错误；访问方式：浏览器" */
export function detailText(t: Translate, lng: DisplayLocale, details: readonly AuditDetail[]): string {
  return details
    .map(
      (d) =>
        `${t(`auditLog.keys.${d.key}`, { defaultValue: d.key })}${t('common.colon')}${valueText(t, lng, d.key, d.value)}`,
    )
    .join(t('auditLog.sep'));
}

/** "客户 8000000001", "转介 · 客户 8000000001", "报表 · 客户分析", "分层模型 · 第 3 版" */
export function targetText(t: Translate, lng: DisplayLocale, target: AuditEntry['target']): string {
  if (!target) return '—';
  const type = t(`auditLog.targetTypes.${target.type}`, { defaultValue: target.type });
  const v = target.label;
  if (!v) return type;
  let label: string;
  if (v.kind === 'code') {
    const prefix = TARGET_CODE_LABELS[target.type];
    label = (prefix && firstLabel(t, [prefix], v.code)) || v.code;
  } else if (v.kind === 'number' && target.type === 'tier_model') {
    label = t('auditLog.version', { n: v.n });
  } else if (v.kind === 'text' && (target.type === 'referral' || target.type === 'opportunity')) {
    label = t('auditLog.targetOf', { no: v.text });
  } else {
    label = valueText(t, lng, '', v);
  }
  return target.type === 'customer' || target.type === 'user' ? `${type} ${label}` : `${type} · ${label}`;
}
