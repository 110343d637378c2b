import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../shared/dates';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/** The contact log (交往记录): record, next step → reminder, timeline, scope, customers not contacted for N days. */
let w: World;
const s: Record<string, string> = {};
const USERS = ['manager1', 'manager2', 'president', 'teller'];
async function on(d: string, hourUtc = 2): Promise<void> {
  w.clock.set(new Date(`${d}T${String(hourUtc).padStart(2, '0')}:00:00Z`));
  for (const u of USERS) s[u] = await signIn(w, u);
}
const userId = (u: string) => (w.db.prepare('SELECT id FROM users WHERE username = ?').get(u) as { id: number }).id;

beforeAll(async () => {
  w = await makeWorld();
  await on('2026-11-02');
});
afterAll(() => w.close());

describe('contact log', () => {
  it('records a contact; a next step becomes a work-item reminder for its author; the timeline is newest first', async () => {
    const c1 = await ok(
      w,
      'contacts.record',
      { customerId: w.ids.customers.m1a, channel: 'call', outcome: 'no_answer' },
      s.manager1,
    );
    expect(c1).toMatchObject({
      channel: 'call',
      outcome: 'no_answer',
      nextStep: null,
      reminderId: null,
      contactedOn: '2026-11-02',
      staffName: '李经理',
    });
    await on('2026-11-02', 5);
    const c2 = await ok(
      w,
      'contacts.record',
      {
        customerId: w.ids.customers.m1a,
        channel: 'visit',
        outcome: 'interested',
        summary: '到期定存续作意向',
        nextStep: '带理财方案面谈',
        nextStepOn: '2026-11-05',
      },
      s.manager1,
    );
    expect(c2.reminderId).not.toBeNull();
    const rem = w.db
      .prepare(
        'SELECT user_id AS u, kind, customer_id AS c, due_on AS d, source_type AS t, params FROM reminders WHERE id = ?',
      )
      .get(c2.reminderId);
    expect(rem).toMatchObject({
      u: userId('manager1'),
      kind: 'work_item',
      c: w.ids.customers.m1a,
      d: '2026-11-05',
      t: 'contact',
    });
    expect(JSON.parse((rem as { params: string }).params)).toEqual({ text: '带理财方案面谈' });
    // a next step without a date is due the next working day (Friday 6 Nov → Monday 9 Nov)
    await on('2026-11-06');
    const c3 = await ok(
      w,
      'contacts.record',
      { customerId: w.ids.customers.m1b, channel: 'wechat', outcome: 'reached', nextStep: '发送产品说明' },
      s.manager1,
    );
    expect(c3.nextStepOn).toBe('2026-11-09');
    const timeline = await ok(w, 'contacts.forCustomer', { customerId: w.ids.customers.m1a }, s.manager1);
    expect(timeline.total).toBe(2);
    expect(timeline.rows.map((r) => r.id)).toEqual([c2.id, c1.id]);
    // audited
    const audit = w.db
      .prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'contacts.record' AND outcome = 'ok'`)
      .get() as { n: number };
    expect(audit.n).toBe(3);
  });

  it('refuses bad input with nothing written', async () => {
    const count = () => (w.db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n;
    const before = count();
    for (const bad of [
      { customerId: w.ids.customers.m1a, channel: 'fax', outcome: 'reached' },
      { customerId: w.ids.customers.m1a, channel: 'call', outcome: 'reached', nextStepOn: '2026-11-20' },
      {
        customerId: w.ids.customers.m1a,
        channel: 'call',
        outcome: 'reached',
        nextStep: '回访',
        nextStepOn: '2026-01-01',
      },
      // an empty contact: nothing said and nothing next (only an unanswered call needs neither)
      { customerId: w.ids.customers.m1a, channel: 'call', outcome: 'reached' },
      { customerId: w.ids.customers.m1a, channel: 'visit', outcome: 'completed', summary: '   ' },
    ]) {
      const r = await call(w, 'contacts.record', bad as never, s.manager1);
      expect(!r.ok && r.error.code).toBe('VALIDATION');
    }
    expect(count()).toBe(before);
    // the refusal names the field to fill (交往内容), not a schema path
    const empty = await call(
      w,
      'contacts.record',
      { customerId: w.ids.customers.m1a, channel: 'call', outcome: 'reached' },
      s.manager1,
    );
    expect(!empty.ok && empty.error.details).toEqual({ issues: [{ path: ['summary'], code: 'required' }] });
  });

  it('manager A never reads or writes contacts of manager B’s customers; tellers cannot at all', async () => {
    await ok(
      w,
      'contacts.record',
      { customerId: w.ids.customers.m2a, channel: 'meeting', outcome: 'completed', summary: '办理大额存单' },
      s.manager2,
    );
    const r1 = await call(w, 'contacts.forCustomer', { customerId: w.ids.customers.m2a }, s.manager1);
    expect(!r1.ok && r1.error.code).toBe('NOT_FOUND');
    const r2 = await call(
      w,
      'contacts.record',
      { customerId: w.ids.customers.m2a, channel: 'call', outcome: 'reached' },
      s.manager1,
    );
    expect(!r2.ok && r2.error.code).toBe('NOT_FOUND');
    const r3 = await call(w, 'contacts.forCustomer', { customerId: w.ids.customers.m1a }, s.manager2);
    expect(!r3.ok && r3.error.code).toBe('NOT_FOUND');
    const r4 = await call(w, 'contacts.forCustomer', { customerId: w.ids.customers.m1a }, s.teller);
    expect(!r4.ok && r4.error.code).toBe('FORBIDDEN');
    // the president sees the branch's timelines
    expect((await ok(w, 'contacts.forCustomer', { customerId: w.ids.customers.m2a }, s.president)).total).toBe(1);
    // the stale list never names another manager's customer
    const stale = await ok(w, 'contacts.stale', { days: 1, limit: 200 }, s.manager1);
    const m2Book = (
      w.db.prepare('SELECT id FROM customers WHERE manager_staff_id = ?').all(w.ids.staff.manager2) as { id: number }[]
    ).map((x) => x.id);
    expect(stale.rows.some((r) => m2Book.includes(r.id) && r.id !== w.ids.customers.grantedToM1)).toBe(false);
  });

  it('lists customers not contacted for N days exactly as a reference over the raw log', async () => {
    await on('2026-12-20');
    for (const who of ['manager1', 'president'] as const) {
      for (const days of [1, 30, 44, 45, 46, 400]) {
        const got = await ok(w, 'contacts.stale', { days, limit: 200 }, s[who]);
        const cutoff = addDays('2026-12-20', -days);
        expect(got.cutoff).toBe(cutoff);
        // reference: customers in the caller's scope (its own SQL rule, spelled out) whose latest contact is on or before the cutoff, or none
        const scopeIds =
          who === 'manager1'
            ? (w.db
                .prepare(
                  `SELECT id FROM customers WHERE manager_staff_id = ? OR id IN (SELECT customer_id FROM customer_grants WHERE staff_id = ?)`,
                )
                .all(w.ids.staff.manager1, w.ids.staff.manager1) as { id: number }[])
            : (w.db.prepare(`SELECT id FROM customers WHERE branch_id IN (?, ?)`).all(w.ids.branch, w.ids.outlet) as {
                id: number;
              }[]);
        const last = new Map(
          (
            w.db
              .prepare('SELECT customer_id AS c, MAX(contacted_on) AS d FROM contacts GROUP BY customer_id')
              .all() as { c: number; d: string }[]
          ).map((r) => [r.c, r.d]),
        );
        const aum = new Map(
          (w.db.prepare('SELECT id, aum_fen AS a FROM customers').all() as { id: number; a: number }[]).map((r) => [
            r.id,
            r.a,
          ]),
        );
        const expected = scopeIds
          .map((r) => r.id)
          .filter((id) => !last.has(id) || last.get(id)! <= cutoff)
          .sort((a, b) => aum.get(b)! - aum.get(a)! || b - a);
        expect(got.total, `${who} ${days}`).toBe(expected.length);
        expect(got.rows.map((r) => r.id)).toEqual(expected);
        for (const r of got.rows) {
          expect(r.lastContactOn).toBe(last.get(r.id) ?? null);
          if (r.lastContactOn)
            expect(r.daysSince).toBe(Math.round((Date.parse('2026-12-20') - Date.parse(r.lastContactOn)) / 86_400_000));
        }
      }
    }
  });
});
