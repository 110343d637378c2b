/**
 * Turns a wire error into a friendly sentence. Only the code and a few known, safe detail fields
 * are used; raw error text is never shown. Pure: the translate function is passed in.
 */
import type { ErrorCode, ErrorDetails } from '../../../shared/errors';
import { importMessage } from '../../../shared/i18n/import-message';
import { PASSWORD_POLICY } from '../../../shared/password-policy';
import { dateTime } from '../format';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

interface Issue {
  path?: unknown;
  code?: unknown;
  /** zod's bound and what it bounds (a string's length, a number), when the input carries them. */
  minimum?: unknown;
  maximum?: unknown;
  origin?: unknown;
}

const bound = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * What is wrong with one field, in words, from a validation issue's code and bound: "至少 2 个字符",
 * "只能用字母、数字和 . _ -" (a field's own format rule), "必填". '' when there is nothing better to say
 * than the field's name.
 */
export function issueReason(t: Translate, field: string | undefined, issue: Issue): string {
  const min = bound(issue.minimum);
  const max = bound(issue.maximum);
  const text = issue.origin === 'string' || issue.origin === undefined;
  switch (issue.code) {
    case 'too_small':
      if (min === null) return '';
      if (text && min <= 1) return t('fieldReasons.required');
      return text ? t('fieldReasons.minChars', { n: min }) : t('fieldReasons.minNumber', { n: min });
    case 'too_big':
      if (max === null) return '';
      return text ? t('fieldReasons.maxChars', { n: max }) : t('fieldReasons.maxNumber', { n: max });
    case 'invalid_format':
    case 'invalid_string':
      return field
        ? t(`fieldReasons.format_${field}`, { defaultValue: t('fieldReasons.format') })
        : t('fieldReasons.format');
    case 'invalid_type':
      return t('fieldReasons.required');
    case 'invalid_value':
    case 'invalid_enum_value':
      return t('fieldReasons.choose');
    default:
      return '';
  }
}

/** The parts of a condition a path can end in, with their words (the rest is the value itself). */
const CONDITION_PARTS = new Set(['value', 'op', 'field', 'days', 'minCount']);

/**
 * An advanced-query path (`filter.advanced.items.1.value.0`) as the condition it names: "第 2 个条件的取值",
 * or "第 1 组第 2 个条件…" inside a nested group; null when the path is not an advanced query's.
 */
export function conditionLabel(t: Translate, segments: readonly (string | number)[]): string | null {
  const at = segments.indexOf('advanced');
  if (at < 0) return null;
  const rest = segments.slice(at + 1);
  const items: number[] = [];
  let i = 0;
  while (rest[i] === 'items' && rest[i + 1] !== undefined && /^\d+$/.test(String(rest[i + 1]))) {
    items.push(Number(rest[i + 1]) + 1);
    i += 2;
  }
  if (items.length === 0) return t('qb.advanced');
  const n = items[items.length - 1]!;
  const where = items.length === 1 ? t('qb.condition', { n }) : t('qb.conditionIn', { g: items[items.length - 2]!, n });
  const part = rest.slice(i).find((s): s is string => typeof s === 'string' && CONDITION_PARTS.has(s));
  return `${where}${t(`qb.part.${part ?? 'value'}`)}`;
}

/**
 * Field paths named by a VALIDATION error's `details.issues[].path`, labelled where we can. A path is
 * never shown as it is: an advanced-query path names its condition, another names its last field's
 * label, and one with no label is left out (the message then asks to check the input in general).
 */
export function validationFields(t: Translate, details: ErrorDetails | undefined): string[] {
  const issues = Array.isArray(details?.issues) ? (details.issues as Issue[]) : [];
  const out: string[] = [];
  for (const issue of issues) {
    const segments = Array.isArray(issue?.path)
      ? issue.path.filter((s): s is string | number => typeof s === 'string' || typeof s === 'number')
      : [];
    if (segments.length === 0) continue;
    const last = [...segments].reverse().find((s): s is string => typeof s === 'string');
    const condition = conditionLabel(t, segments);
    // the advanced query's own checks say what is wrong (customer-query.ts codes): "（最小值大于最大值）"
    const reason =
      condition && typeof issue.code === 'string' && /^[a-z_]{1,32}$/.test(issue.code)
        ? t(`qb.reasons.${issue.code}`, { defaultValue: '' })
        : '';
    const name = last ? t(`fields.${last}`, { defaultValue: '' }) : '';
    // a plain field says what is wrong with it too: "用户名（至少 2 个字符）"
    const why = condition === null && name ? issueReason(t, last, issue) : '';
    const label =
      condition !== null
        ? reason
          ? t('qb.withReason', { what: condition, why: reason })
          : condition
        : why
          ? t('qb.withReason', { what: name, why })
          : name;
    if (label && !out.includes(label)) out.push(label);
  }
  return out;
}

/** The message for one error code and its details, in the current language. */
export function errorMessage(t: Translate, code: ErrorCode, details?: ErrorDetails): string {
  switch (code) {
    case 'VALIDATION': {
      const fields = validationFields(t, details);
      return fields.length
        ? t('errors.VALIDATION', { fields: fields.join(t('common.listSeparator')) })
        : t('errorVariants.VALIDATION_noFields');
    }
    case 'ACCOUNT_LOCKED': {
      const until = typeof details?.lockedUntil === 'string' ? dateTime(details.lockedUntil) : '—';
      return until !== '—' ? t('errors.ACCOUNT_LOCKED', { until }) : t('errorVariants.ACCOUNT_LOCKED_noTime');
    }
    case 'PASSWORD_POLICY': {
      // The main process names every rule the password broke (shared/password-policy.ts).
      const rules = Array.isArray(details?.rules)
        ? details.rules.filter((r): r is string => typeof r === 'string' && /^[a-z_]{1,32}$/.test(r))
        : [];
      return rules.length ? passwordRefusal(t, rules) : t('errors.PASSWORD_POLICY');
    }
    case 'CONFLICT': {
      const field = typeof details?.field === 'string' ? details.field : null;
      return field
        ? t('errorVariants.CONFLICT_field', { field: t(`fields.${field}`, { defaultValue: field }) })
        : t('errors.CONFLICT');
    }
    case 'DESKTOP_LAYOUT_INVALID': {
      // reason names the problem (unknown widget kind, bad JSON...); kind and widget fill its message
      const reason = typeof details?.reason === 'string' ? details.reason : '';
      const vars = {
        kind: String(details?.kind ?? '—'),
        widget: String(details?.widget ?? '—'),
        path: String(details?.path ?? '—'),
      };
      return reason
        ? t(`desktop.layoutProblem.${reason}`, { ...vars, defaultValue: t('errors.DESKTOP_LAYOUT_INVALID') })
        : t('errors.DESKTOP_LAYOUT_INVALID');
    }
    case 'GRID_LAYOUT_INVALID': {
      // reason: an unknown or repeated column id (named), or a stored layout of the wrong form
      const reason = typeof details?.reason === 'string' ? details.reason : '';
      const colId = typeof details?.colId === 'string' ? details.colId : '—';
      return reason
        ? t(`grid.layoutProblem.${reason}`, { colId, defaultValue: t('errors.GRID_LAYOUT_INVALID') })
        : t('errors.GRID_LAYOUT_INVALID');
    }
    case 'TIER_CLOCK_BEHIND':
      return t('errors.TIER_CLOCK_BEHIND', { last: typeof details?.last === 'string' ? dateTime(details.last) : '—' });
    case 'REFERRAL_BAD_STATE': {
      // status and action are codes: show them as the words on screen (待受理 / 成交)
      const status =
        typeof details?.status === 'string'
          ? t(`referral.status.${details.status}`, { defaultValue: details.status })
          : '—';
      const action =
        typeof details?.action === 'string'
          ? t(`referral.action.${details.action}`, { defaultValue: details.action })
          : '—';
      return t('errors.REFERRAL_BAD_STATE', { status, action });
    }
    case 'OPPORTUNITY_STAGE': {
      const stage = (v: unknown) => (typeof v === 'string' ? t(`opportunities.stage.${v}`, { defaultValue: v }) : '—');
      return t('errors.OPPORTUNITY_STAGE', { from: stage(details?.from), to: stage(details?.to) });
    }
    case 'OPPORTUNITY_UNDO': {
      // reason: why the win cannot be put back (not won, owned by a referral or campaign, the day has passed)
      const why = typeof details?.reason === 'string' ? details.reason : '';
      return t('errors.OPPORTUNITY_UNDO', {
        why: t(`opportunities.undoWhy.${why}`, { defaultValue: t('opportunities.undoWhy.notWon') }),
      });
    }
    case 'RULE_PARAM': {
      const field =
        typeof details?.field === 'string' ? t(`rules.param.${details.field}`, { defaultValue: details.field }) : '—';
      return t('errors.RULE_PARAM', { field, min: String(details?.min ?? '—'), max: String(details?.max ?? '—') });
    }
    case 'STORE_DAMAGED': {
      // The store refused a page (or was quarantined): name the file and offer the newest backup.
      const file = typeof details?.file === 'string' ? details.file : null;
      const backup = typeof details?.backup === 'string' ? details.backup : null;
      if (!file) return t('errors.STORE_DAMAGED');
      return backup ? t('storeProtection.damaged', { file, backup }) : t('storeProtection.damagedNoBackup', { file });
    }
    case 'CAMPAIGN_IMPORT_INVALID': {
      const errs = Array.isArray(details?.errors) ? details.errors : [];
      return t('errors.CAMPAIGN_IMPORT_INVALID', {
        file: typeof details?.file === 'string' ? details.file : '—',
        count: typeof details?.count === 'number' ? details.count : errs.length,
      });
    }
    default:
      if (code.startsWith('IMPORT_')) return importMessage(t, code, details ?? {}, dateTime);
      return t(`errors.${code}`, { defaultValue: t('errors.INTERNAL') });
  }
}

/** "The new password does not meet the password rules: …" naming each broken rule (client or server). */
export function passwordRefusal(t: Translate, rules: readonly string[]): string {
  const names = rules.map((r) => t(`passwordRules.${r}`, { ...PASSWORD_POLICY, defaultValue: r }));
  return t('passwordRules.refused', { rules: names.join(t('common.listSeparator')) });
}
