import { z } from 'zod';
import type { Page } from './common';
import { method } from './define';

/**
 * The actions the audit trail records, grouped as the audit page's action filter lists them (each has
 * a label in both languages: renderer i18n `auditActions.<action with _>`; a unit test scans the main
 * process for the actions it writes and checks each is here).
 */
export const AUDIT_ACTION_GROUPS = {
  session: ['auth.signIn', 'auth.signOut', 'auth.locked', 'auth.changePassword', 'permission.denied'],
  customers: [
    'customers.get',
    'customers.view',
    'customers.transactions',
    'customers.reveal',
    'customers.identifierSearch',
    'contacts.record',
  ],
  work: [
    'referrals.create',
    'referrals.accept',
    'referrals.reassign',
    'referrals.contact',
    'referrals.win',
    'referrals.lose',
    'opportunities.assign',
    'opportunities.win',
    'opportunities.undoWon',
    'campaigns.create',
    'campaigns.importResults',
    'risk.followUp',
    'lab.push',
  ],
  data: [
    'exports.start',
    'exports.finish',
    'files.save',
    'reports.export',
    'reports.chartSaved',
    'desktop.export',
    'campaigns.export',
    'imports.run',
    'imports.preview',
    'imports.revert',
    'imports.cancel',
    'imports.rejectsDownload',
  ],
  admin: [
    'users.bootstrap',
    'users.create',
    'users.setDisabled',
    'users.unlock',
    'users.resetPassword',
    'users.decideReset',
    'users.approveReset',
    'users.rejectReset',
    'imports.profileSave',
    'imports.profileDelete',
    'tiers.apply',
    'rules.save',
    'rules.run',
    'referrals.saveSettings',
    'analytics.saveNextProduct',
    'analytics.saveRisk',
    'scores.saveSettings',
    'lab.train',
    'lab.cancel',
    'lab.activate',
    'desktop.template.publish',
    'sync.join',
    'sync.leave',
  ],
} as const;
export type AuditActionGroup = keyof typeof AUDIT_ACTION_GROUPS;
export const AUDIT_ACTIONS: readonly string[] = Object.values(AUDIT_ACTION_GROUPS).flat();

/**
 * One detail of an entry, made readable in the main process: ids are resolved there (a staff id to the
 * person's name, a customer id to the 客户号, a user id to the user name, a product id to its name),
 * so the page only translates the key and, for codes, the value.
 */
export type AuditValue =
  /** Text as it was written or resolved (a reason typed by the user, a file name, a name, a 客户号). */
  | { kind: 'text'; text: string }
  | { kind: 'number'; n: number }
  | { kind: 'money'; yuan: string }
  | { kind: 'time'; at: string }
  | { kind: 'bool'; value: boolean }
  /** A code the page translates under the detail's key (reason: bad_password → 密码错误). */
  | { kind: 'code'; code: string }
  /** An API method or audit action, shown by its action name. */
  | { kind: 'action'; action: string }
  /** A set of things (conditions, columns, customers), shown by how many. */
  | { kind: 'count'; n: number }
  /** A reference that no longer resolves (a deleted user, a customer no longer in the store). */
  | { kind: 'missing' };

export interface AuditDetail {
  key: string;
  value: AuditValue;
}

export interface AuditEntry {
  id: number;
  at: string;
  username: string | null;
  role: string | null;
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  /** What the act was about: its type (customer, user, referral…) and a readable label, when there is one. */
  target: { type: string; label: AuditValue | null } | null;
  details: AuditDetail[];
}

export interface AuditOptions {
  /** Everyone who can appear in the trail as a signed-in user. */
  users: { id: number; username: string; displayName: string; role: string }[];
}

export const auditApi = {
  /**
   * A page of the trail, newest first, filtered by time, user, action and outcome. The page sends its
   * local days as instants (`fromAt` inclusive, `untilAt` exclusive): the days are the screen's, whose
   * times it shows in its own time zone.
   */
  'audit.list': method<Page<AuditEntry>>()(
    'audit.read',
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
        action: z.string().trim().max(64).optional(),
        outcome: z.enum(['ok', 'denied', 'failed']).optional(),
        userId: z.number().int().positive().optional(),
        fromAt: z.iso.datetime({ offset: true }).optional(),
        untilAt: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
  ),
  /** What the audit page's user filter offers. */
  'audit.options': method<AuditOptions>()('audit.read', z.object({}).strict()),
} as const;
