import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpportunity } from '../../../db/relationship/opportunities';
import { undoWonRule } from '../../../shared/opportunities';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/**
 * 成交确认 and 撤销成交: a win carries the confirmed product and amount, is audited, and can be put back
 * the same business day by whoever won it, later only by the president, never when a referral or a
 * marketing list owns the result. The funnel stops counting an undone win.
 */
let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const DAY = 24 * 3600 * 1000;

function auditRows(action: string): { user: string; details: Record<string, unknown> }[] {
  return w.db
    .prepare<[string], { username: string; details: string }>(
      'SELECT username, details FROM audit_log WHERE action = ? ORDER BY id',
    )
    .all(action)
    .map((r) => ({ user: r.username, details: JSON.parse(r.details) as Record<string, unknown> }));
}

async function wonOpportunity(session: string): Promise<number> {
  const o = await ok(
    w,
    'opportunities.create',
    { customerId: w.ids.customers.m1a, product: 'deposit', amount: '100000' },
    session,
  );
  await ok(w, 'opportunities.move', { id: o.id, to: 'contacted' }, session);
  await ok(w, 'opportunities.move', { id: o.id, to: 'negotiating' }, session);
  return o.id;
}

describe('成交确认', () => {
  it('a win stores the confirmed product and amount, and the trail names who closed what at which amount', async () => {
    const m1 = await signIn(w, 'manager1');
    const id = await wonOpportunity(m1);
    const won = await ok(w, 'opportunities.move', { id, to: 'won', product: 'wealth', amount: '123456.78' }, m1);
    expect(won).toMatchObject({ stage: 'won', product: 'wealth', amount: '123456.78', closedOn: w.clock.today() });
    expect(auditRows('opportunities.win')).toEqual([
      {
        user: 'manager1',
        details: { customerId: w.ids.customers.m1a, product: 'wealth', amountFen: 12345678 },
      },
    ]);
    // A product on another move is ignored: only a win confirms one.
    const o2 = await ok(w, 'opportunities.create', { customerId: w.ids.customers.m1b, product: 'card' }, m1);
    const moved = await ok(w, 'opportunities.move', { id: o2.id, to: 'contacted', product: 'loan' }, m1);
    expect(moved.product).toBe('card');
  });
});

describe('撤销成交', () => {
  it('the winner undoes the same day: back to the stage it was won from, open, out of the won count, audited', async () => {
    const m1 = await signIn(w, 'manager1');
    const id = await wonOpportunity(m1);
    await ok(w, 'opportunities.move', { id, to: 'won', amount: '90000' }, m1);
    const funnelWon = async () => (await ok(w, 'opportunities.funnel', {}, m1)).stages.find((s) => s.stage === 'won');
    expect((await funnelWon())?.reached).toBe(1);
    const got = await ok(w, 'opportunities.get', { id }, m1);
    expect(got.undo).toEqual({ allowed: true, as: 'own' });

    // the reason is required
    expect(await call(w, 'opportunities.undoWon', { id, reason: '  ' }, m1)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    const back = await ok(w, 'opportunities.undoWon', { id, reason: '金额录错' }, m1);
    expect(back).toMatchObject({ stage: 'negotiating', closedOn: null, amount: '90000.00' });
    expect((await funnelWon())?.reached).toBe(0);
    const negotiating = (await ok(w, 'opportunities.funnel', {}, m1)).stages.find((s) => s.stage === 'negotiating');
    expect(negotiating?.reached).toBe(1);
    const { history, undo } = await ok(w, 'opportunities.get', { id }, m1);
    expect(undo).toEqual({ allowed: false, reason: 'notWon' });
    expect(history.slice(-2).map((h) => [h.fromStage, h.toStage, h.note])).toEqual([
      ['negotiating', 'won', null],
      ['won', 'negotiating', '金额录错'],
    ]);
    expect(auditRows('opportunities.undoWon')).toEqual([
      {
        user: 'manager1',
        details: {
          customerId: w.ids.customers.m1a,
          product: 'deposit',
          amountFen: 9000000,
          stage: 'negotiating',
          authority: 'own',
          reason: '金额录错',
        },
      },
    ]);
    // open again, it can be won again with the corrected amount
    const again = await ok(w, 'opportunities.move', { id, to: 'won', amount: '9000' }, m1);
    expect(again).toMatchObject({ stage: 'won', amount: '9000.00' });
  });

  it('the next business day only the president may undo; a second undo is refused', async () => {
    let m1 = await signIn(w, 'manager1');
    const id = await wonOpportunity(m1);
    await ok(w, 'opportunities.move', { id, to: 'won' }, m1);
    w.clock.advance(DAY);
    // sessions end overnight: sign in again on the next business day
    m1 = await signIn(w, 'manager1');
    const pres = await signIn(w, 'president');
    expect(await call(w, 'opportunities.undoWon', { id, reason: '客户撤单' }, m1)).toEqual({
      ok: false,
      error: { code: 'OPPORTUNITY_UNDO', details: { reason: 'window' } },
    });
    expect((await ok(w, 'opportunities.get', { id }, m1)).undo).toEqual({ allowed: false, reason: 'window' });
    expect((await ok(w, 'opportunities.get', { id }, pres)).undo).toEqual({ allowed: true, as: 'supervisor' });
    expect((await ok(w, 'opportunities.undoWon', { id, reason: '客户撤单' }, pres)).stage).toBe('negotiating');
    expect(auditRows('opportunities.undoWon').map((r) => [r.user, r.details.authority])).toEqual([
      ['president', 'supervisor'],
    ]);
    expect(await call(w, 'opportunities.undoWon', { id, reason: '再撤' }, pres)).toEqual({
      ok: false,
      error: { code: 'OPPORTUNITY_UNDO', details: { reason: 'notWon' } },
    });
  });

  it('another manager cannot reach it; a win that mirrors a referral is refused as linked', async () => {
    const m1 = await signIn(w, 'manager1');
    const m2 = await signIn(w, 'manager2');
    const pres = await signIn(w, 'president');
    const id = await wonOpportunity(m1);
    await ok(w, 'opportunities.move', { id, to: 'won' }, m1);
    expect(await call(w, 'opportunities.undoWon', { id, reason: 'x' }, m2)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const linked = createOpportunity(w.db, {
      customerId: w.ids.customers.m1a,
      source: 'referral',
      sourceRef: 99,
      product: 'wealth',
      amountFen: 100,
      stage: 'won',
      today: w.clock.today(),
    }).id;
    expect(await call(w, 'opportunities.undoWon', { id: linked, reason: 'x' }, pres)).toEqual({
      ok: false,
      error: { code: 'OPPORTUNITY_UNDO', details: { reason: 'linked' } },
    });
    expect(auditRows('opportunities.undoWon')).toEqual([]);
  });

  it('the rule: not won, linked sources, the same-day window, the supervisor', () => {
    const base = {
      stage: 'won' as const,
      source: 'manual' as const,
      wonBy: 7,
      wonOn: '2026-11-02',
      fromStage: 'proposal' as const,
      userId: 7,
      role: 'manager' as const,
      today: '2026-11-02',
    };
    expect(undoWonRule(base)).toEqual({ allowed: true, as: 'own' });
    expect(undoWonRule({ ...base, stage: 'lost' })).toEqual({ allowed: false, reason: 'notWon' });
    expect(undoWonRule({ ...base, source: 'campaign' })).toEqual({ allowed: false, reason: 'linked' });
    expect(undoWonRule({ ...base, fromStage: null })).toEqual({ allowed: false, reason: 'linked' });
    expect(undoWonRule({ ...base, today: '2026-11-03' })).toEqual({ allowed: false, reason: 'window' });
    expect(undoWonRule({ ...base, userId: 8 })).toEqual({ allowed: false, reason: 'window' });
    expect(undoWonRule({ ...base, userId: 8, role: 'president', today: '2027-01-01' })).toEqual({
      allowed: true,
      as: 'supervisor',
    });
  });
});
