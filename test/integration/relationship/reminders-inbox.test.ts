import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateReminders } from '../../../db/relationship/reminder-rules';
import { ok, makeWorld, signIn, type World } from '../support/store';

/**
 * Issue 17 item 8: an act-by date is never in the past; the inbox sorts by amount and by tier over
 * every page (not just the page on screen); many reminders are done or dismissed at once.
 */

let w: World;
const uid = (username: string) =>
  (w.db.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id;

function reminder(user: string, customerId: number | null, dueOn: string, amountFen: number | null, key: string) {
  return Number(
    w.db
      .prepare(
        `INSERT INTO reminders (user_id, kind, customer_id, due_on, params, source_type, source_id, dedupe_key)
         VALUES (?, 'term_maturity', ?, ?, ?, 'term_deposit', ?, ?)`,
      )
      .run(
        uid(user),
        customerId,
        dueOn,
        JSON.stringify(amountFen == null ? { product: '整存整取' } : { amountFen, product: '整存整取' }),
        key,
        key,
      ).lastInsertRowid,
  );
}

beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

describe('act-by dates', () => {
  it('a birthday on Sunday 2026-12-06 seen that Sunday has no act-by (Friday is gone); seen on Thursday it says Friday', async () => {
    w.db.prepare(`UPDATE customers SET birth_date = '1990-12-06' WHERE id = ?`).run(w.ids.customers.m1a);
    w.db.prepare(`DELETE FROM reminder_prefs WHERE user_id = ?`).run(uid('manager1'));
    generateReminders(w.db, { today: '2026-12-03', reason: 'test' });
    let s = '';
    // the clock moves by days: a fresh session each time (an idle one expires)
    const at = async (iso: string) => {
      w.clock.set(new Date(iso));
      s = await signIn(w, 'manager1');
    };
    const birthday = async () =>
      (await ok(w, 'reminders.list', { kinds: ['birthday'] }, s)).rows.find(
        (r) => r.customer?.id === w.ids.customers.m1a,
      )!;
    // stored: the last working day before the Sunday
    expect(
      w.db.prepare(`SELECT act_by FROM reminders WHERE kind = 'birthday' AND user_id = ?`).get(uid('manager1')),
    ).toEqual({ act_by: '2026-12-04' });
    await at('2026-12-03T10:00:00+08:00'); // Thursday
    expect(await birthday()).toMatchObject({ dueOn: '2026-12-06', actBy: '2026-12-04' });
    await at('2026-12-04T18:00:00+08:00'); // Friday: still today
    expect((await birthday()).actBy).toBe('2026-12-04');
    await at('2026-12-06T09:00:00+08:00'); // the Sunday itself
    expect((await birthday()).actBy).toBeNull();
    // the desktop widget reads the same inbox
    const widget = await ok(w, 'reminders.widget', { limit: 20 }, s);
    expect(widget.top.every((r) => r.actBy === null || r.actBy >= '2026-12-06')).toBe(true);
  });
});

describe('inbox order and bulk actions', () => {
  it('sorts by amount (largest first, none last) and by tier (best first) across pages; done and dismiss many at once', async () => {
    w.clock.set(new Date('2026-11-02T10:00:00+08:00'));
    const c = w.ids.customers;
    w.db.prepare(`UPDATE customers SET tier = 'gold' WHERE id = ?`).run(c.m1b);
    w.db.prepare(`UPDATE customers SET tier = 'key' WHERE id = ?`).run(c.grantedToM1);
    const small = reminder('manager1', c.m1a, '2026-11-03', 100_000, 'a'); // 1,000 yuan, ordinary
    const big = reminder('manager1', c.m1a, '2026-11-09', 230_781_800, 'b'); // 2,307,818 yuan, ordinary
    const gold = reminder('manager1', c.m1b, '2026-11-08', 5_000_000, 'c'); // 50,000 yuan, gold
    const key = reminder('manager1', c.grantedToM1, '2026-11-05', 200_000, 'd'); // 2,000 yuan, key
    const none = reminder('manager1', null, '2026-11-04', null, 'e');
    const s = await signIn(w, 'manager1');
    const ids = async (input: Record<string, unknown>) =>
      (await ok(w, 'reminders.list', input, s)).rows.map((r) => r.id);
    expect(await ids({})).toEqual([small, none, key, gold, big]);
    expect(await ids({ sort: 'amount' })).toEqual([big, gold, key, small, none]);
    expect(await ids({ sort: 'tier' })).toEqual([gold, key, big, small, none]);
    // across pages: page 2 of the amount order continues it
    expect(await ids({ sort: 'amount', limit: 2, offset: 2 })).toEqual([key, small]);
    const row = (await ok(w, 'reminders.list', { sort: 'amount', limit: 1 }, s)).rows[0]!;
    expect(row).toMatchObject({ amountFen: 230_781_800, customer: { id: c.m1a, tier: 'ordinary' } });
    // bulk: done for three, dismiss for two, in one call each
    expect((await ok(w, 'reminders.done', { ids: [small, big, gold] }, s)).updated).toBe(3);
    expect((await ok(w, 'reminders.dismiss', { ids: [key, none] }, s)).updated).toBe(2);
    expect((await ok(w, 'reminders.list', {}, s)).total).toBe(0);
    expect((await ok(w, 'reminders.list', { view: 'done', sort: 'amount' }, s)).rows.map((r) => r.id)).toEqual([
      big,
      gold,
      small,
    ]);
  });
});
