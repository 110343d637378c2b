import type { TFunction } from 'i18next';
import type { SyncConflictView } from '../../../../shared/api/sync';

/** The reason of a 同步出错 line in plain words (the worker's codes are never shown). */
export function syncReasonText(t: TFunction, reason: string | null): string {
  const code = (reason ?? '').split(':')[0]!.trim();
  const known = ['unauthenticated', 'not_started', 'bad_request', 'internal', 'too_large'];
  return t(`sync.reason.${known.includes(code) ? code : 'other'}`);
}

const ACTIONS = new Set([
  'referrals.create',
  'referrals.accept',
  'referrals.reassign',
  'referrals.contact',
  'referrals.win',
  'referrals.lose',
  'contacts.record',
  'opportunities.move',
  'opportunities.assign',
  'opportunities.win',
  'opportunities.create',
  'opportunities.update',
  'opportunities.undoWon',
  'opportunities.derive',
  'campaigns.create',
  'campaigns.close',
  'campaigns.setStatus',
  'reminders.state',
  'lists.state',
  'queries.state',
  'favorites.state',
  'users.create',
  'users.seed',
  'users.setDisabled',
  'users.resetPassword',
  'users.decideReset',
  'auth.changePassword',
  'auth.setLocale',
]);
const WHY = new Set([
  'REFERRAL_BAD_STATE',
  'REFERRAL_NOT_OWNER',
  'REFERRAL_BAD_ASSIGNEE',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'OPPORTUNITY_STAGE',
  'OPPORTUNITY_UNDO',
  'CAMPAIGN_CLOSED',
  // A hub write rule's own reason (details.detail of a refusal), when it has words of its own.
  'campaign_closed',
  'not_owner',
  'unknown_user',
  'permission',
  'transition',
  'conflict',
  'refused',
]);

/** What the user did, in words: 接受转介. */
export function conflictAction(t: TFunction, c: SyncConflictView): string {
  return t(`sync.action.${ACTIONS.has(c.action) ? c.action.replace('.', '_') : 'other'}`);
}

/** Why it did not hold, and who got there first when the domain said (the referral's last step). */
export function conflictWhy(t: TFunction, c: SyncConflictView, when: (at: string) => string): string {
  const detail = (c.details as { detail?: unknown }).detail;
  const code = typeof detail === 'string' && WHY.has(detail) ? detail : c.code;
  const why = t(`sync.why.${WHY.has(code) ? code : 'other'}`);
  const d = c.details as { byName?: unknown; by?: unknown; at?: unknown };
  const name = typeof d.byName === 'string' ? d.byName : typeof d.by === 'string' ? d.by : null;
  if (!name) return why;
  const other =
    typeof d.at === 'string'
      ? t('sync.page.byOther', { name, at: when(d.at) })
      : t('sync.page.byOtherNoTime', { name });
  return t('sync.page.whyWithOther', { why, other });
}
