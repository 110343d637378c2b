import type { ReminderAudience } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { generateReminders } from '../../db/relationship/reminder-rules';
import {
  actOnReminders,
  countOpen,
  getAudience,
  getPrefs,
  listInbox,
  reminderWidgetData,
  saveAudience,
  savePrefs,
  type InboxAction,
  type InboxClock,
} from '../../db/relationship/reminders';
import { syncActor } from '../../db/sync/actor';
import { shareReminderStates } from '../../db/sync/reminders';
import { shareReminderPrefs } from '../../db/sync/settings';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';

function clockOf(ctx: AuthedCtx): InboxClock {
  return { today: ctx.services.clock.today(), now: ctx.services.clock.now().toISOString() };
}

/** Only the president may take the whole branch as audience. */
function canBranch(ctx: AuthedCtx): boolean {
  return ctx.user.role === 'president';
}

function prefsState(ctx: AuthedCtx) {
  return {
    prefs: getPrefs(ctx.services.db, ctx.user.id),
    audience: getAudience(ctx.services.db, ctx.user.id),
    canBranch: canBranch(ctx),
  };
}

/**
 * The user's act on their reminders; on a PC joined to a hub their new states are queued in the same
 * transaction (db/sync/reminders.ts), so the reminder is done on every PC they sign in on.
 */
function act(ctx: AuthedCtx, ids: readonly number[], action: InboxAction, opts: { now: string; until?: string }) {
  const db = ctx.services.db;
  const n = db.transaction(() => {
    const changed = actOnReminders(db, ctx.user.id, ids, action, opts);
    shareReminderStates(db, ctx.user.id, ids, syncActor(db, ctx.user));
    return changed;
  })();
  kickSync(db);
  return n;
}

export const remindersHandlers = handlers({
  'reminders.list': (input, ctx) => listInbox(ctx.services.db, ctx.user.id, ctx.scope(), input, clockOf(ctx)),
  'reminders.count': (_input, ctx) => ({ open: countOpen(ctx.services.db, ctx.user.id, ctx.scope(), clockOf(ctx)) }),
  'reminders.widget': (input, ctx) =>
    reminderWidgetData(ctx.services.db, ctx.user.id, ctx.scope(), clockOf(ctx), input.limit),
  'reminders.done': (input, ctx) => ({ updated: act(ctx, input.ids, 'done', { now: clockOf(ctx).now }) }),
  'reminders.dismiss': (input, ctx) => ({ updated: act(ctx, input.ids, 'dismiss', { now: clockOf(ctx).now }) }),
  'reminders.reopen': (input, ctx) => ({ updated: act(ctx, input.ids, 'reopen', { now: clockOf(ctx).now }) }),
  'reminders.snooze': (input, ctx) => {
    const now = ctx.services.clock.now();
    const until = new Date(input.until);
    if (!(until.getTime() > now.getTime())) throw new AppError('REMINDER_SNOOZE_PAST', { until: input.until });
    return {
      updated: act(ctx, input.ids, 'snooze', { now: now.toISOString(), until: until.toISOString() }),
    };
  },
  'reminders.prefs': (_input, ctx) => prefsState(ctx),
  'reminders.savePrefs': (input, ctx) => {
    const audience: ReminderAudience = input.audience;
    if (audience.branch && !canBranch(ctx)) throw new AppError('FORBIDDEN', { field: 'audience.branch' });
    const db = ctx.services.db;
    db.transaction(() => {
      savePrefs(db, ctx.user.id, input.prefs);
      saveAudience(db, ctx.user.id, audience);
      shareReminderPrefs(db, ctx.user.id, syncActor(db, ctx.user));
    })();
    kickSync(db);
    return prefsState(ctx);
  },
  'reminders.generate': (_input, ctx) => ({
    created: generateReminders(ctx.services.db, {
      today: ctx.services.clock.today(),
      reason: 'user',
      userId: ctx.user.id,
    }).created,
  }),
});
