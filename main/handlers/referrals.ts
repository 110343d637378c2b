import type { Referral } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { yuanToFen } from '../../shared/money';
import { insertContact } from '../../db/relationship/contacts';
import {
  activePresidents,
  addEvent,
  grantOutsideBook,
  insertReferral,
  lockReferral,
  markAccepted,
  markContacted,
  markLost,
  markWon,
  mustAllow,
  queueFor,
  reassignReferral,
  reminderFacts,
} from '../../db/relationship/referral-steps';
import {
  assignableManagers,
  getReferral,
  listMine,
  listReferrals,
  opportunityFromReferral,
  readChangedReferral,
  referralEvents,
  referralReport,
  referralsForCustomer,
  setSlaDays,
  slaDays,
  type ReferralClosing,
  type Viewer,
} from '../../db/relationship/referrals';
import { productsOnSale } from '../../db/repos/catalog';
import { customerInScope } from '../../db/scope';
import { addReminder, resolveReminders } from '../../db/relationship/reminders';
import { addWorkdays } from '../../db/relationship/workdays';
import { syncActor } from '../../db/sync/actor';
import { shareContact } from '../../db/sync/contacts';
import { shareReferral } from '../../db/sync/referrals';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';

/**
 * Teller referrals (转介). Every change runs in one transaction: read the referral as the caller may
 * see it, check the step against the state machine (db/relationship/referrals.ts TRANSITIONS), write
 * the row and its event, then audit. The SLA reminder goes to whoever owns the referral.
 */

const viewer = (ctx: AuthedCtx): Viewer => ({
  role: ctx.user.role,
  userId: ctx.user.id,
  staffId: ctx.user.staff_id,
  branchId: ctx.user.branch_id,
});

/** Manager steps (accept, contact, close) belong to the owner of the referral. */
function mustOwn(ctx: AuthedCtx, owner: number | null): void {
  if (owner == null || owner !== ctx.user.staff_id) throw new AppError('FORBIDDEN', { entity: 'referral' });
}

/**
 * The SLA-due reminder (kind referral_sla), once per referral and recipient: to the owning manager, or
 * for the branch queue to the presidents who see the customer (addReminder checks their scope).
 */
function slaReminder(
  ctx: AuthedCtx,
  r: { id: number; customerId: number; owner: number | null; dueOn: string; interest: string; customerName: string },
): void {
  const db = ctx.services.db;
  const base = {
    kind: 'referral_sla' as const,
    customerId: r.customerId,
    dueOn: r.dueOn,
    params: { interest: r.interest, customer: r.customerName },
    sourceType: 'referral',
    sourceId: r.id,
  };
  const today = ctx.services.clock.today();
  if (r.owner != null) {
    addReminder(db, { ...base, staffId: r.owner, dedupeKey: `referral_sla:${r.id}:${r.owner}` }, today);
    return;
  }
  for (const userId of activePresidents(db))
    addReminder(db, { ...base, userId, dedupeKey: `referral_sla:${r.id}:queue` }, today);
}

/** The signed-in user as the sync layer names them (the hub resolves the role from its own records). */
const actor = (ctx: AuthedCtx) => syncActor(ctx.services.db, ctx.user);

/**
 * On a PC joined to a hub, queue the referral's new row in the step's transaction (db/sync/referrals.ts);
 * standalone this does nothing.
 */
function share(
  ctx: AuthedCtx,
  action: Parameters<typeof shareReferral>[1],
  id: number,
  args: { at: string; today: string; note?: string | null; reason?: string },
): void {
  shareReferral(ctx.services.db, action, id, actor(ctx), args);
}

function toOpportunity(ctx: AuthedCtx, id: number, closing: ReferralClosing): void {
  opportunityFromReferral(ctx.services.db, id, closing, ctx.user.id, ctx.services.clock.today());
}

function change(
  ctx: AuthedCtx,
  id: number,
  action: string,
  details: Record<string, unknown>,
  work: () => void,
): Referral {
  const db = ctx.services.db;
  db.transaction(work)();
  kickSync(db);
  ctx.audit({ action: `referrals.${action}`, outcome: 'ok', targetType: 'referral', targetId: id, details });
  return readChangedReferral(db, id, ctx.services.clock.today());
}

export const referralsHandlers = handlers({
  'referrals.create': ({ customerId, interest, urgency, note }, ctx) => {
    const db = ctx.services.db;
    const scope = ctx.scope();
    const today = ctx.services.clock.today();
    const at = ctx.services.clock.now().toISOString();
    const id = db.transaction(() => {
      // Only a customer the teller may look up (same scope as customers.search).
      const seen = customerInScope(db, scope, customerId);
      const referrerStaffId = ctx.user.staff_id;
      if (referrerStaffId == null) throw new AppError('FORBIDDEN', { entity: 'referral' });
      const q = queueFor(db, customerId);
      const sla = slaDays(db);
      const dueOn = addWorkdays(today, sla);
      const newId = insertReferral(db, {
        customerId,
        branchId: q.branchId,
        referrerUserId: ctx.user.id,
        referrerStaffId,
        interest,
        urgency,
        note: note || null,
        ownerStaffId: q.ownerStaffId,
        at,
        today,
        slaDays: sla,
        dueOn,
      });
      addEvent(db, {
        referralId: newId,
        at,
        userId: ctx.user.id,
        action: 'created',
        from: null,
        to: 'new',
        toOwner: q.ownerStaffId,
        note: note || null,
      });
      slaReminder(ctx, { id: newId, customerId, owner: q.ownerStaffId, dueOn, interest, customerName: seen.name });
      share(ctx, 'create', newId, { at, today });
      return newId;
    })();
    kickSync(db);
    ctx.audit({
      action: 'referrals.create',
      outcome: 'ok',
      targetType: 'referral',
      targetId: id,
      details: { customerId, interest, urgency },
    });
    return getReferral(db, viewer(ctx), id, today);
  },

  'referrals.mine': ({ status, offset, limit }, ctx) =>
    listMine(ctx.services.db, viewer(ctx), ctx.services.clock.today(), status ?? null, offset, limit),

  'referrals.queue': ({ view, offset, limit }, ctx) =>
    listReferrals(ctx.services.db, viewer(ctx), view, ctx.services.clock.today(), offset, limit),

  'referrals.get': ({ id }, ctx) => {
    const r = getReferral(ctx.services.db, viewer(ctx), id, ctx.services.clock.today());
    return { ...r, events: referralEvents(ctx.services.db, id) };
  },

  'referrals.forCustomer': ({ customerId }, ctx) => {
    const db = ctx.services.db;
    customerInScope(db, ctx.scope(), customerId);
    return referralsForCustomer(db, viewer(ctx), customerId, ctx.services.clock.today());
  },

  'referrals.accept': ({ id }, ctx) => {
    const db = ctx.services.db;
    const at = ctx.services.clock.now().toISOString();
    return change(ctx, id, 'accept', {}, () => {
      const r = lockReferral(db, viewer(ctx), id);
      mustOwn(ctx, r.owner_staff_id);
      mustAllow('accept', r.status);
      markAccepted(db, id, at);
      addEvent(db, { referralId: id, at, userId: ctx.user.id, action: 'accepted', from: r.status, to: 'accepted' });
      share(ctx, 'accept', id, { at, today: ctx.services.clock.today() });
    });
  },

  'referrals.reassign': ({ id, toStaffId, note }, ctx) => {
    const db = ctx.services.db;
    const at = ctx.services.clock.now().toISOString();
    const today = ctx.services.clock.today();
    const details: Record<string, unknown> = { toStaffId };
    return change(ctx, id, 'reassign', details, () => {
      const r = lockReferral(db, viewer(ctx), id);
      // A manager passes on only their own; the president dispatches any of the branch (incl. the branch queue).
      if (ctx.user.role !== 'president') mustOwn(ctx, r.owner_staff_id);
      mustAllow('reassign', r.status);
      if (
        toStaffId === r.owner_staff_id ||
        !assignableManagers(db, ctx.user.branch_id).some((m) => m.staffId === toStaffId)
      ) {
        throw new AppError('REFERRAL_BAD_ASSIGNEE', { toStaffId });
      }
      const to = r.status === 'contacted' ? 'contacted' : 'new';
      reassignReferral(db, id, toStaffId, to, at);
      addEvent(db, {
        referralId: id,
        at,
        userId: ctx.user.id,
        action: 'reassigned',
        from: r.status,
        to,
        fromOwner: r.owner_staff_id,
        toOwner: toStaffId,
        note: note || null,
      });
      // The new owner must be able to open the customer: grant it when outside their book (90 days,
      // renewable by the branch like any grant); recorded in the audit entry.
      const granted = grantOutsideBook(db, toStaffId, r.customer_id, ctx.user.id, today);
      if (granted !== null) details.granted = granted;
      resolveReminders(db, 'referral', id, 'referral_sla');
      if (to === 'new') {
        const full = reminderFacts(db, id);
        slaReminder(ctx, {
          id,
          customerId: r.customer_id,
          owner: toStaffId,
          dueOn: full.dueOn,
          interest: full.interest,
          customerName: full.name,
        });
      }
      details.fromStaffId = r.owner_staff_id;
      share(ctx, 'reassign', id, { at, today, note: note || null });
    });
  },

  'referrals.contact': ({ id, channel, outcome, summary, nextStep, nextStepOn }, ctx) => {
    const db = ctx.services.db;
    const now = ctx.services.clock.now();
    const at = now.toISOString();
    const today = ctx.services.clock.today();
    const details: Record<string, unknown> = { channel, outcome };
    return change(ctx, id, 'contact', details, () => {
      const r = lockReferral(db, viewer(ctx), id);
      mustOwn(ctx, r.owner_staff_id);
      mustAllow('contact', r.status);
      const c = insertContact(
        db,
        { userId: ctx.user.id, staffId: ctx.user.staff_id },
        { customerId: r.customer_id, channel, outcome, summary, nextStep, nextStepOn, referralId: id },
        now,
        today,
      );
      details.contactId = c.id;
      shareContact(db, c.id, actor(ctx));
      markContacted(db, id, at, today);
      addEvent(db, {
        referralId: id,
        at,
        userId: ctx.user.id,
        action: 'contacted',
        from: r.status,
        to: 'contacted',
        note: summary || null,
      });
      resolveReminders(db, 'referral', id, 'referral_sla');
      share(ctx, 'contact', id, { at, today, note: summary || null });
    });
  },

  'referrals.win': ({ id, productId, amount, note }, ctx) => {
    const db = ctx.services.db;
    const at = ctx.services.clock.now().toISOString();
    const today = ctx.services.clock.today();
    const fen = yuanToFen(amount);
    if (fen <= 0n || fen > BigInt(Number.MAX_SAFE_INTEGER))
      throw new AppError('VALIDATION', { issues: [{ path: ['amount'], code: 'too_small' }] });
    return change(ctx, id, 'win', { productId, amountFen: Number(fen) }, () => {
      const r = lockReferral(db, viewer(ctx), id);
      mustOwn(ctx, r.owner_staff_id);
      mustAllow('win', r.status);
      markWon(db, id, { productId, fen: Number(fen), note: note || null }, at, today);
      addEvent(db, {
        referralId: id,
        at,
        userId: ctx.user.id,
        action: 'won',
        from: r.status,
        to: 'won',
        note: note || null,
      });
      toOpportunity(ctx, id, { won: { productId, fen: Number(fen) } });
      share(ctx, 'win', id, { at, today, note: note || null });
    });
  },

  'referrals.lose': ({ id, reason, note }, ctx) => {
    const db = ctx.services.db;
    const at = ctx.services.clock.now().toISOString();
    const today = ctx.services.clock.today();
    return change(ctx, id, 'lose', { reason }, () => {
      const r = lockReferral(db, viewer(ctx), id);
      mustOwn(ctx, r.owner_staff_id);
      mustAllow('lose', r.status);
      markLost(db, id, reason, note || null, at, today);
      addEvent(db, {
        referralId: id,
        at,
        userId: ctx.user.id,
        action: 'lost',
        from: r.status,
        to: 'lost',
        note: note || null,
      });
      toOpportunity(ctx, id, { lost: { reason, note: note || null } });
      resolveReminders(db, 'referral', id, 'referral_sla');
      share(ctx, 'lose', id, { at, today, note: note || null, reason });
    });
  },

  'referrals.managers': (_input, ctx) => assignableManagers(ctx.services.db, ctx.user.branch_id),

  'referrals.products': (_input, ctx) => productsOnSale(ctx.services.db),

  'referrals.report': ({ from, to }, ctx) => {
    if (from > to) throw new AppError('VALIDATION', { issues: [{ path: ['from'], code: 'too_big' }] });
    return referralReport(ctx.services.db, viewer(ctx), from, to, ctx.services.clock.today());
  },

  'referrals.settings': (_input, ctx) => ({ slaDays: slaDays(ctx.services.db) }),

  'referrals.saveSettings': ({ slaDays: n }, ctx) => {
    const before = slaDays(ctx.services.db);
    setSlaDays(ctx.services.db, n);
    ctx.audit({
      action: 'referrals.saveSettings',
      outcome: 'ok',
      targetType: 'setting',
      targetId: 'referral_sla_days',
      details: { from: before, to: n },
    });
    return { slaDays: n };
  },
});
