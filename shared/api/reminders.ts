import { z } from 'zod';
import { method } from './define';

/** Reminder kinds (消息提醒), from the seeds' list. */
export const REMINDER_KINDS = [
  'holiday', // 节假日
  'birthday', // 客户生日
  'anniversary', // 开户周年
  'large_deposit', // 大额入账
  'large_withdrawal', // 大额出账
  'loan_disbursement', // 贷款发放
  'loan_repayment', // 贷款还款到期
  'term_maturity', // 定期存款到期
  'wealth_maturity', // 理财产品到期
  'product_launch', // 新产品上线
  'tier_change', // 客户等级变动
  'account_closure', // 销户
  'work_item', // 工作事项 (contact next steps)
  'referral_sla', // 转介首次联系到期
  'risk_signal', // 风险预警信号 (db/analytics/risk.ts)
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** Kinds about something that already happened: the "lead" is how far back to look. */
export const PAST_KINDS: readonly ReminderKind[] = [
  'large_deposit',
  'large_withdrawal',
  'loan_disbursement',
  'tier_change',
  'account_closure',
  'risk_signal',
];
/** Kinds with an amount threshold. */
export const THRESHOLD_KINDS: readonly ReminderKind[] = ['large_deposit', 'large_withdrawal'];
/** Kinds created by other features (contact log, referrals), not by generation. */
export const FEATURE_KINDS: readonly ReminderKind[] = ['work_item', 'referral_sla'];
/** Lowest threshold a user can set (the index on large transactions starts there): 10,000 yuan. */
export const MIN_THRESHOLD_FEN = 1_000_000;

export interface ReminderPref {
  kind: ReminderKind;
  enabled: boolean;
  /** Days ahead (future events) or back (past events). */
  leadDays: number;
  /** Count leadDays as working days (mainland China calendar). */
  workingDays: boolean;
  thresholdFen: number | null;
}

export const DEFAULT_PREFS: Record<ReminderKind, Omit<ReminderPref, 'kind'>> = {
  holiday: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
  birthday: { enabled: true, leadDays: 3, workingDays: false, thresholdFen: null },
  anniversary: { enabled: true, leadDays: 3, workingDays: false, thresholdFen: null },
  large_deposit: { enabled: true, leadDays: 3, workingDays: false, thresholdFen: 50_000_000 }, // 500,000 yuan
  large_withdrawal: { enabled: true, leadDays: 3, workingDays: false, thresholdFen: 50_000_000 },
  loan_disbursement: { enabled: true, leadDays: 3, workingDays: false, thresholdFen: null },
  loan_repayment: { enabled: true, leadDays: 5, workingDays: false, thresholdFen: null },
  term_maturity: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
  wealth_maturity: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
  product_launch: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
  tier_change: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
  account_closure: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
  work_item: { enabled: true, leadDays: 0, workingDays: false, thresholdFen: null },
  referral_sla: { enabled: true, leadDays: 1, workingDays: true, thresholdFen: null },
  risk_signal: { enabled: true, leadDays: 7, workingDays: false, thresholdFen: null },
};

export interface ReminderAudience {
  /** Customers whose manager of record I am. */
  mine: boolean;
  /** Members of customer lists I own. */
  lists: boolean;
  /** The whole branch (president only). */
  branch: boolean;
}

export interface Reminder {
  id: number;
  kind: ReminderKind;
  dueOn: string;
  /**
   * Last working day on or before dueOn when dueOn is a rest day, and only while that day is today or
   * later: an act-by date already gone is no instruction (the due date itself stands).
   */
  actBy: string | null;
  params: Record<string, string | number | null>;
  status: 'open' | 'done' | 'dismissed';
  snoozedUntil: string | null;
  /** Snoozed and not back yet. */
  snoozed: boolean;
  /** The customer's tier today (null: not scored yet). */
  customer: { id: number; customerNo: string; name: string; tier: string | null } | null;
  /** The amount the reminder is about (a maturity, an instalment, a large movement), in fen; null: none. */
  amountFen: number | null;
  sourceType: string | null;
  sourceId: string | null;
  createdAt: string;
}

export const REMINDER_VIEWS = ['open', 'snoozed', 'done', 'dismissed', 'all'] as const;
export type ReminderView = (typeof REMINDER_VIEWS)[number];
/**
 * Inbox order over every page: by due date (default), by amount (largest first; reminders without an
 * amount last), or by the customer's tier (best first, then the largest amount).
 */
export const REMINDER_SORTS = ['due', 'amount', 'tier'] as const;
export type ReminderSort = (typeof REMINDER_SORTS)[number];

const kind = z.enum(REMINDER_KINDS);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const id = z.number().int().positive();

export const remindersApi = {
  /** The caller's inbox: open reminders shown now (default), snoozed, done, dismissed or all. */
  'reminders.list': method<{ rows: Reminder[]; total: number }>()(
    'session',
    z
      .object({
        view: z.enum(REMINDER_VIEWS).default('open'),
        kinds: z.array(kind).max(REMINDER_KINDS.length).optional(),
        customerId: id.optional(),
        dueFrom: isoDate.optional(),
        dueTo: isoDate.optional(),
        sort: z.enum(REMINDER_SORTS).default('due'),
        limit: z.number().int().min(1).max(500).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
  ),
  /** The desktop widget: open count and the next few open reminders. */
  'reminders.widget': method<{ open: number; top: Reminder[] }>()(
    'session',
    z.object({ limit: z.number().int().min(1).max(20).default(5) }).strict(),
  ),
  /** Open reminders shown now (the header badge), counted up to 1,000. */
  'reminders.count': method<{ open: number }>()('session', z.object({}).strict()),
  'reminders.done': method<{ updated: number }>()('session', z.object({ ids: z.array(id).min(1).max(500) }).strict()),
  'reminders.dismiss': method<{ updated: number }>()(
    'session',
    z.object({ ids: z.array(id).min(1).max(500) }).strict(),
  ),
  /** Hide until an ISO timestamp (with zone), then it returns to the inbox. */
  'reminders.snooze': method<{ updated: number }>()(
    'session',
    z.object({ ids: z.array(id).min(1).max(500), until: z.string().datetime({ offset: true }) }).strict(),
  ),
  /** Back to open (undo done/dismiss/snooze). */
  'reminders.reopen': method<{ updated: number }>()('session', z.object({ ids: z.array(id).min(1).max(500) }).strict()),
  'reminders.prefs': method<{ prefs: ReminderPref[]; audience: ReminderAudience; canBranch: boolean }>()(
    'session',
    z.object({}).strict(),
  ),
  'reminders.savePrefs': method<{ prefs: ReminderPref[]; audience: ReminderAudience; canBranch: boolean }>()(
    'session',
    z
      .object({
        prefs: z
          .array(
            z
              .object({
                kind,
                enabled: z.boolean(),
                leadDays: z.number().int().min(0).max(90),
                workingDays: z.boolean(),
                thresholdFen: z.number().int().min(MIN_THRESHOLD_FEN).max(1e15).nullable(),
              })
              .strict(),
          )
          .max(REMINDER_KINDS.length),
        audience: z.object({ mine: z.boolean(), lists: z.boolean(), branch: z.boolean() }).strict(),
      })
      .strict(),
  ),
  /** Generate now for the caller (the same step that runs after imports and at start-up does everyone). */
  'reminders.generate': method<{ created: number }>()('session', z.object({}).strict()),
} as const;
