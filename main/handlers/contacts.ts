import { contactsForCustomer, getContact, insertContact, staleCustomers } from '../../db/relationship/contacts';
import { customerInScope } from '../../db/scope';
import { AppError } from '../../shared/errors';
import { syncActor } from '../../db/sync/actor';
import { shareContact } from '../../db/sync/contacts';
import { kickSync } from '../sync/worker';
import { handlers } from './types';

/** The contact log (交往记录): record, timeline, customers not contacted for N days. Scope: the customer's. */
export const contactsHandlers = handlers({
  'contacts.record': ({ customerId, channel, outcome, summary, nextStep, nextStepOn }, ctx) => {
    const db = ctx.services.db;
    const scope = ctx.scope();
    const today = ctx.services.clock.today();
    const made = db.transaction(() => {
      customerInScope(db, scope, customerId);
      // A contact says what happened: what was discussed or what comes next. Only an unanswered call
      // is complete without either; an empty form is refused, not logged as 已记录.
      if (outcome !== 'no_answer' && !summary && !nextStep)
        throw new AppError('VALIDATION', { issues: [{ path: ['summary'], code: 'required' }] });
      const c = insertContact(
        db,
        { userId: ctx.user.id, staffId: ctx.user.staff_id },
        { customerId, channel, outcome, summary, nextStep, nextStepOn },
        ctx.services.clock.now(),
        today,
      );
      // On a PC joined to a hub: queued in the same transaction (db/sync/contacts.ts).
      shareContact(db, c.id, syncActor(db, ctx.user));
      return c;
    })();
    kickSync(db);
    ctx.audit({
      action: 'contacts.record',
      outcome: 'ok',
      targetType: 'customer',
      targetId: customerId,
      details: { contactId: made.id, channel, outcome, reminderId: made.reminderId },
    });
    return getContact(db, made.id);
  },

  'contacts.forCustomer': ({ customerId, offset, limit }, ctx) =>
    contactsForCustomer(ctx.services.db, ctx.scope(), customerId, offset, limit),

  'contacts.stale': ({ days, offset, limit }, ctx) =>
    staleCustomers(ctx.services.db, ctx.scope(), days, ctx.services.clock.today(), offset, limit),
});
