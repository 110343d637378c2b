import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../db/password';
import { REFERRAL_STATUSES, type Referral, type ReferralStatus } from '../../../shared/api';
import { TRANSITIONS, type ReferralAction } from '../../../db/relationship/referral-steps';
import { errorMessage } from '../../../renderer/src/i18n/messages';
import { en, zhCN, type Tree } from '../../../shared/i18n/resources';
import { call, makeWorld, ok, signIn, TEST_PASSWORD, type World } from '../support/store';

/**
 * Teller referrals (转介) through the registry on a hand-built branch: SLA in working days across the
 * National Day holiday, the state machine, who sees what (in SQL), and the president's figures against
 * a reference computed here from the raw rows.
 */
let w: World;
const s: Record<string, string> = {};
let product: number;
let teller2Staff: number;

const USERS = ['teller', 'teller2', 'manager1', 'manager2', 'president', 'admin'];
/** 10:00 in Shanghai on a business date; everyone signs in again (sessions expire across clock jumps). */
async function morning(d: string): Promise<void> {
  w.clock.set(new Date(`${d}T02:00:00Z`));
  for (const u of USERS) s[u] = await signIn(w, u);
}
async function later(ms: number): Promise<void> {
  w.clock.advance(ms);
  for (const u of USERS) s[u] = await signIn(w, u);
}

beforeAll(async () => {
  w = await makeWorld();
  const ins = (sql: string, ...p: unknown[]) => Number(w.db.prepare(sql).run(...p).lastInsertRowid);
  teller2Staff = ins(
    "INSERT INTO staff (employee_no, name, branch_id, position) VALUES ('E202', '吴柜员', ?, 'teller')",
    w.ids.branch,
  );
  ins(
    "INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash) VALUES ('teller2', 'teller2', 'teller', ?, ?, ?)",
    teller2Staff,
    w.ids.branch,
    await hashPassword(TEST_PASSWORD, { N: 1 << 10, r: 8, p: 1 }),
  );
  product = ins("INSERT INTO products (code, name, category) VALUES ('WM001', '稳盈理财90天', 'wealth')");
  for (const u of USERS) s[u] = await signIn(w, u);
});
afterAll(() => w.close());

const flag = (who: string, customerId: number, interest: Referral['interest'] = 'wealth') =>
  ok(w, 'referrals.create', { customerId, interest, urgency: 'normal', note: '客户询问理财' }, s[who]);
const code = async (p: Promise<{ ok: boolean; error?: { code: string } }>) => {
  const r = await p;
  return r.ok ? 'ok' : r.error!.code;
};

describe('SLA in working days', () => {
  it('a referral flagged on 2026-09-30 is due after the National Day holiday, counting the adjusted Saturday', async () => {
    await morning('2026-09-30');
    const r = await flag('teller', w.ids.customers.m1a);
    expect(r).toMatchObject({
      status: 'new',
      slaDays: 2,
      createdOn: '2026-09-30',
      dueOn: '2026-10-09',
      ownerStaffId: w.ids.staff.manager1,
      overdue: false,
    });
    // The SLA is configurable: 3 working days lands on Saturday 10 October (调休上班).
    expect(await ok(w, 'referrals.saveSettings', { slaDays: 3 }, s.president)).toEqual({ slaDays: 3 });
    const r3 = await flag('teller', w.ids.customers.m1b);
    expect(r3.dueOn).toBe('2026-10-10');
    expect((await ok(w, 'referrals.settings', {}, s.teller)).slaDays).toBe(3);
    expect(await code(call(w, 'referrals.saveSettings', { slaDays: 0 }, s.president))).toBe('VALIDATION');
    await ok(w, 'referrals.saveSettings', { slaDays: 2 }, s.admin);
    // Overdue only once the due day has passed, and only while not contacted.
    await morning('2026-10-09');
    expect((await ok(w, 'referrals.get', { id: r.id }, s.manager1)).overdue).toBe(false);
    await morning('2026-10-12');
    expect((await ok(w, 'referrals.get', { id: r.id }, s.manager1)).overdue).toBe(true);
    const overdue = await ok(w, 'referrals.queue', { view: 'overdue' }, s.manager1);
    expect(overdue.rows.map((x) => x.id).sort()).toEqual([r.id, r3.id].sort());
    // The owner got an SLA reminder due on the deadline (reminders engine).
    const rem = w.db
      .prepare(`SELECT kind, due_on, user_id FROM reminders WHERE source_type = 'referral' AND source_id = ?`)
      .all(String(r.id));
    const m1user = (w.db.prepare('SELECT id FROM users WHERE username = ?').get('manager1') as { id: number }).id;
    expect(rem).toEqual([{ kind: 'referral_sla', due_on: '2026-10-09', user_id: m1user }]);
  });
});

describe('state machine', () => {
  it('walks new → accepted → contacted → won, refusing illegal steps with a translated error', async () => {
    await morning('2026-11-02');
    const r = await flag('teller', w.ids.customers.m1a, 'loan');
    const contact = { id: r.id, channel: 'call', outcome: 'interested', summary: '有购房贷款需求' } as const;
    expect(await code(call(w, 'referrals.contact', contact, s.manager1))).toBe('REFERRAL_BAD_STATE');
    expect(await code(call(w, 'referrals.win', { id: r.id, productId: product, amount: '100000' }, s.manager1))).toBe(
      'REFERRAL_BAD_STATE',
    );
    expect(await code(call(w, 'referrals.lose', { id: r.id, reason: 'unreachable' }, s.manager1))).toBe(
      'REFERRAL_BAD_STATE',
    );
    expect((await ok(w, 'referrals.accept', { id: r.id }, s.manager1)).status).toBe('accepted');
    expect(await code(call(w, 'referrals.accept', { id: r.id }, s.manager1))).toBe('REFERRAL_BAD_STATE');
    expect(await code(call(w, 'referrals.win', { id: r.id, productId: product, amount: '100000' }, s.manager1))).toBe(
      'REFERRAL_BAD_STATE',
    );
    await later(3 * 3600_000);
    const c = await ok(w, 'referrals.contact', contact, s.manager1);
    expect(c.status).toBe('contacted');
    expect(c.firstContactAt).toBe('2026-11-02T05:00:00.000Z');
    // the contact is in the customer's log, linked to the referral; the SLA reminder is done
    const log = await ok(w, 'contacts.forCustomer', { customerId: w.ids.customers.m1a }, s.manager1);
    expect(log.rows[0]).toMatchObject({ referralId: r.id, channel: 'call', outcome: 'interested' });
    expect(
      w.db.prepare(`SELECT status FROM reminders WHERE source_type = 'referral' AND source_id = ?`).all(String(r.id)),
    ).toEqual([{ status: 'done' }]);
    // a bad amount is refused, nothing written
    expect(await code(call(w, 'referrals.win', { id: r.id, productId: product, amount: '0' }, s.manager1))).toBe(
      'VALIDATION',
    );
    expect(await code(call(w, 'referrals.win', { id: r.id, productId: product, amount: '12.345' }, s.manager1))).toBe(
      'VALIDATION',
    );
    expect(await code(call(w, 'referrals.win', { id: r.id, productId: 999_999, amount: '10' }, s.manager1))).toBe(
      'NOT_FOUND',
    );
    const won = await ok(w, 'referrals.win', { id: r.id, productId: product, amount: '350000.50' }, s.manager1);
    expect(won).toMatchObject({
      status: 'won',
      wonProductId: product,
      wonProductName: '稳盈理财90天',
      wonAmount: '350000.50',
    });
    expect(w.db.prepare('SELECT won_amount_fen AS f FROM referrals WHERE id = ?').get(r.id)).toEqual({ f: 35_000_050 });
    // the won referral is an opportunity of source 'referral' (funnel lead sources), once
    const opp = () =>
      w.db
        .prepare(
          `SELECT stage, product, product_id AS productId, amount_fen AS fen, owner_staff_id AS owner FROM opportunities WHERE source = 'referral' AND source_ref = ?`,
        )
        .all(String(r.id));
    expect(opp()).toEqual([
      { stage: 'won', product: 'wealth', productId: product, fen: 35_000_050, owner: w.ids.staff.manager1 },
    ]);
    expect(await code(call(w, 'referrals.lose', { id: r.id, reason: 'other' }, s.manager1))).toBe('REFERRAL_BAD_STATE');
    expect(await code(call(w, 'referrals.contact', contact, s.manager1))).toBe('REFERRAL_BAD_STATE');
    expect(await code(call(w, 'referrals.reassign', { id: r.id, toStaffId: w.ids.staff.manager2 }, s.president))).toBe(
      'REFERRAL_BAD_STATE',
    );

    // The teller sees what became of the flag, with its history.
    const mine = await ok(w, 'referrals.get', { id: r.id }, s.teller);
    expect(mine.status).toBe('won');
    expect(mine.events.map((e) => e.action)).toEqual(['created', 'accepted', 'contacted', 'won']);
    // Every change is audited.
    const audited = w.db
      .prepare(`SELECT action FROM audit_log WHERE target_type = 'referral' AND target_id = ? ORDER BY id`)
      .all(String(r.id));
    expect(audited).toEqual([
      { action: 'referrals.create' },
      { action: 'referrals.accept' },
      { action: 'referrals.contact' },
      { action: 'referrals.win' },
    ]);

    // The refusal reads as a sentence in both languages, not a code.
    // a minimal i18next stand-in: key lookup plus {{name}} interpolation
    const tr =
      (tree: Tree) =>
      (key: string, opts: Record<string, unknown> = {}) => {
        const raw = key
          .split('.')
          .reduce<Tree | string | undefined>((t, k) => (typeof t === 'object' ? t[k] : undefined), tree);
        return (typeof raw === 'string' ? raw : String(opts.defaultValue ?? key)).replace(
          /\{\{(\w+)\}\}/g,
          (_m, n: string) => String(opts[n]),
        );
      };
    for (const tree of [zhCN, en]) {
      const text = errorMessage(tr(tree), 'REFERRAL_BAD_STATE', { action: 'win', status: 'new' });
      expect(text).toBeTruthy();
      expect(text).not.toContain('REFERRAL_BAD_STATE');
    }
    expect(errorMessage(tr(zhCN), 'REFERRAL_BAD_STATE', { action: 'win', status: 'new' })).toBe(
      '该转介当前状态为“待受理”，不能执行“成交”。',
    );
  });

  it('closes as lost with a reason; only the owner works a referral', async () => {
    const r = await flag('teller', w.ids.customers.m1b, 'card');
    expect(await code(call(w, 'referrals.accept', { id: r.id }, s.president))).toBe('FORBIDDEN');
    await ok(w, 'referrals.accept', { id: r.id }, s.manager1);
    const lost = await ok(w, 'referrals.lose', { id: r.id, reason: 'competitor', note: '已在他行办卡' }, s.manager1);
    expect(lost).toMatchObject({
      status: 'lost',
      lostReason: 'competitor',
      closeNote: '已在他行办卡',
      wonAmount: null,
    });
    expect(
      w.db
        .prepare(
          `SELECT stage, product, lost_reason AS reason FROM opportunities WHERE source = 'referral' AND source_ref = ?`,
        )
        .all(String(r.id)),
    ).toEqual([{ stage: 'lost', product: 'card', reason: '已选择他行：已在他行办卡' }]);
  });
});

describe('state machine, exhaustively', () => {
  it('every step is allowed from exactly the states TRANSITIONS names, else refused with REFERRAL_BAD_STATE and nothing changes', async () => {
    await morning('2026-11-16');
    const walk: Record<string, (id: number) => Promise<unknown>> = {
      accept: (id) => ok(w, 'referrals.accept', { id }, s.manager1),
      contact: (id) => ok(w, 'referrals.contact', { id, channel: 'call', outcome: 'reached' }, s.manager1),
      win: (id) => ok(w, 'referrals.win', { id, productId: product, amount: '1000' }, s.manager1),
      lose: (id) => ok(w, 'referrals.lose', { id, reason: 'other' }, s.manager1),
    };
    const path: Record<ReferralStatus, string[]> = {
      new: [],
      accepted: ['accept'],
      contacted: ['accept', 'contact'],
      won: ['accept', 'contact', 'win'],
      lost: ['accept', 'lose'],
    };
    const attempt: Record<ReferralAction, (id: number) => ReturnType<typeof call>> = {
      accept: (id) => call(w, 'referrals.accept', { id }, s.manager1),
      reassign: (id) => call(w, 'referrals.reassign', { id, toStaffId: w.ids.staff.manager2 }, s.manager1),
      contact: (id) => call(w, 'referrals.contact', { id, channel: 'sms', outcome: 'reached' }, s.manager1),
      win: (id) => call(w, 'referrals.win', { id, productId: product, amount: '1' }, s.manager1),
      lose: (id) => call(w, 'referrals.lose', { id, reason: 'unreachable' }, s.manager1),
    };
    for (const status of REFERRAL_STATUSES) {
      for (const action of Object.keys(attempt) as ReferralAction[]) {
        const r = await flag('teller', w.ids.customers.m1b, 'other');
        for (const step of path[status]) await walk[step]!(r.id);
        const before = w.db.prepare('SELECT * FROM referrals WHERE id = ?').get(r.id);
        const res = await attempt[action](r.id);
        const allowed = TRANSITIONS[action].includes(status);
        expect(res.ok ? 'ok' : res.error.code, `${action} from ${status}`).toBe(allowed ? 'ok' : 'REFERRAL_BAD_STATE');
        if (!allowed) {
          expect(!res.ok && res.error.details).toEqual({ action, status });
          expect(w.db.prepare('SELECT * FROM referrals WHERE id = ?').get(r.id)).toEqual(before);
        }
      }
    }
  });
});

describe('queues and scope', () => {
  it('a customer without a manager lands in the branch queue; the president dispatches it and the manager can open the customer', async () => {
    const r = await flag('teller', w.ids.customers.unassigned, 'deposit');
    expect(r.ownerStaffId).toBeNull();
    // the branch queue's SLA reminder goes to the president; dispatching hands it to the manager
    const slaOf = () =>
      w.db
        .prepare(
          `SELECT u.username, m.status FROM reminders m JOIN users u ON u.id = m.user_id WHERE m.source_type = 'referral' AND m.source_id = ? ORDER BY m.id`,
        )
        .all(String(r.id));
    expect(slaOf()).toEqual([{ username: 'president', status: 'open' }]);
    expect(
      (await ok(w, 'referrals.queue', { view: 'all', limit: 200 }, s.manager1)).rows.some((x) => x.id === r.id),
    ).toBe(false);
    expect((await ok(w, 'referrals.queue', { view: 'unassigned' }, s.president)).rows.map((x) => x.id)).toContain(r.id);
    expect(await code(call(w, 'customers.get', { id: w.ids.customers.unassigned }, s.manager1))).toBe('NOT_FOUND');
    // a manager cannot dispatch the branch queue; the president cannot give it to a teller or someone outside the branch
    expect(await code(call(w, 'referrals.reassign', { id: r.id, toStaffId: w.ids.staff.manager1 }, s.manager1))).toBe(
      'NOT_FOUND',
    );
    expect(await code(call(w, 'referrals.reassign', { id: r.id, toStaffId: w.ids.staff.teller }, s.president))).toBe(
      'REFERRAL_BAD_ASSIGNEE',
    );
    const moved = await ok(
      w,
      'referrals.reassign',
      { id: r.id, toStaffId: w.ids.staff.manager1, note: '请跟进' },
      s.president,
    );
    expect(moved).toMatchObject({ ownerStaffId: w.ids.staff.manager1, status: 'new' });
    expect(slaOf()).toEqual([
      { username: 'president', status: 'done' },
      { username: 'manager1', status: 'open' },
    ]);
    expect((await ok(w, 'referrals.queue', { view: 'open', limit: 200 }, s.manager1)).rows.map((x) => x.id)).toContain(
      r.id,
    );
    expect((await ok(w, 'customers.get', { id: w.ids.customers.unassigned }, s.manager1)).id).toBe(
      w.ids.customers.unassigned,
    );
    expect(
      w.db
        .prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'referrals.reassign' AND target_id = ?`)
        .get(String(r.id)),
    ).toEqual({ n: 1 });
  });

  it('a manager of record who cannot sign in (no account, or disabled) does not get a queue nobody reads: the branch queue does', async () => {
    const ins = (sql: string, ...p: unknown[]) => Number(w.db.prepare(sql).run(...p).lastInsertRowid);
    const noAccount = ins(
      "INSERT INTO staff (employee_no, name, branch_id, position) VALUES ('E150', '钱经理', ?, 'manager')",
      w.ids.branch,
    );
    const cust = ins(
      `INSERT INTO customers (customer_no, kind, name, id_type, branch_id, opened_on, manager_staff_id) VALUES ('8000000099', 'individual', '钱多多', 'resident_id', ?, '2020-01-01', ?)`,
      w.ids.branch,
      noAccount,
    );
    expect((await flag('teller', cust)).ownerStaffId).toBeNull();
    w.db.prepare(`UPDATE users SET disabled = 1 WHERE username = 'manager2'`).run();
    try {
      expect((await flag('teller', w.ids.customers.m2a)).ownerStaffId).toBeNull();
    } finally {
      w.db.prepare(`UPDATE users SET disabled = 0 WHERE username = 'manager2'`).run();
    }
    expect((await flag('teller', w.ids.customers.m2a)).ownerStaffId).toBe(w.ids.staff.manager2);
  });

  it('manager A never sees manager B’s referrals; a teller sees only their own flags', async () => {
    const a = await flag('teller', w.ids.customers.m1a, 'insurance');
    const b = await flag('teller2', w.ids.customers.m2a, 'wealth');
    expect(b.ownerStaffId).toBe(w.ids.staff.manager2);
    const ids = async (who: string) =>
      (await ok(w, 'referrals.queue', { view: 'all', limit: 200 }, s[who])).rows.map((x) => x.id);
    expect(await ids('manager1')).toContain(a.id);
    expect(await ids('manager1')).not.toContain(b.id);
    expect(await ids('manager2')).toContain(b.id);
    expect(await ids('president')).toEqual(expect.arrayContaining([a.id, b.id]));
    for (const m of ['referrals.get', 'referrals.accept'] as const)
      expect(await code(call(w, m, { id: b.id }, s.manager1))).toBe('NOT_FOUND');
    expect(await code(call(w, 'referrals.reassign', { id: b.id, toStaffId: w.ids.staff.manager1 }, s.manager1))).toBe(
      'NOT_FOUND',
    );
    const m2aOwned = (
      w.db
        .prepare('SELECT id FROM referrals WHERE customer_id = ? AND owner_staff_id = ? ORDER BY id DESC')
        .all(w.ids.customers.m2a, w.ids.staff.manager2) as { id: number }[]
    ).map((x) => x.id);
    expect(m2aOwned).toContain(b.id);
    expect(
      (await ok(w, 'referrals.forCustomer', { customerId: w.ids.customers.m2a }, s.manager2)).map((x) => x.id),
    ).toEqual(m2aOwned);
    expect(await code(call(w, 'referrals.forCustomer', { customerId: w.ids.customers.m2a }, s.manager1))).toBe(
      'NOT_FOUND',
    );

    // the SQL rule, checked over every row: each manager's "all" view is exactly the rows they own
    for (const who of ['manager1', 'manager2'] as const) {
      const expected = (
        w.db.prepare('SELECT id FROM referrals WHERE owner_staff_id = ? ORDER BY id').all(w.ids.staff[who]) as {
          id: number;
        }[]
      ).map((x) => x.id);
      expect((await ids(who)).sort((x, y) => x - y)).toEqual(expected);
    }
    const t2 = await ok(w, 'referrals.mine', {}, s.teller2);
    expect(t2.rows.map((x) => x.id)).toEqual([b.id]);
    const t1 = await ok(w, 'referrals.mine', { limit: 200 }, s.teller);
    expect(t1.rows.map((x) => x.id)).not.toContain(b.id);
    expect(t1.total).toBe(
      (
        w.db.prepare('SELECT COUNT(*) AS n FROM referrals WHERE referrer_staff_id = ?').get(w.ids.staff.teller) as {
          n: number;
        }
      ).n,
    );
    // by status, with how many of each: the counts are the teller's own rows, every status's page is its rows
    const own = w.db
      .prepare('SELECT id, status FROM referrals WHERE referrer_staff_id = ? ORDER BY created_at DESC, id DESC')
      .all(w.ids.staff.teller) as { id: number; status: string }[];
    for (const st of ['new', 'accepted', 'contacted', 'won', 'lost'] as const) {
      const mine = own.filter((x) => x.status === st);
      expect(t1.counts[st], st).toBe(mine.length);
      const page = await ok(w, 'referrals.mine', { status: st, limit: 200 }, s.teller);
      expect(page.total).toBe(mine.length);
      expect(page.rows.map((x) => x.id)).toEqual(mine.map((x) => x.id));
    }
    expect(await code(call(w, 'referrals.mine', { status: 'closed' } as never, s.teller))).toBe('VALIDATION');
    expect(await code(call(w, 'referrals.get', { id: b.id }, s.teller))).toBe('NOT_FOUND');
    expect(await code(call(w, 'referrals.get', { id: b.id }, s.admin))).toBe('NOT_FOUND');
    // a customer of another branch cannot be flagged; a manager cannot flag at all
    expect(
      await code(
        call(w, 'referrals.create', { customerId: w.ids.customers.otherBranchCust, interest: 'loan' }, s.teller),
      ),
    ).toBe('NOT_FOUND');
    expect(
      await code(call(w, 'referrals.create', { customerId: w.ids.customers.m1a, interest: 'loan' }, s.manager1)),
    ).toBe('FORBIDDEN');
    // once passed on, the old owner no longer sees it
    await ok(w, 'referrals.reassign', { id: a.id, toStaffId: w.ids.staff.manager2 }, s.manager1);
    expect(await ids('manager1')).not.toContain(a.id);
    expect(await ids('manager2')).toContain(a.id);
  });
});

describe('the president’s report', () => {
  it('count, conversion, time to first contact, overdue and late equal a reference over the raw rows', async () => {
    // A spread of outcomes across tellers and managers, contacts at known times, some past due.
    await morning('2026-11-03');
    const made: number[] = [];
    for (const [who, cust] of [
      ['teller', w.ids.customers.m1a],
      ['teller', w.ids.customers.m1b],
      ['teller2', w.ids.customers.m2a],
      ['teller2', w.ids.customers.grantedToM1],
      ['teller2', w.ids.customers.m1a],
    ] as const)
      made.push((await flag(who, cust)).id);
    const owner = (id: number) =>
      (w.db.prepare('SELECT owner_staff_id AS o FROM referrals WHERE id = ?').get(id) as { o: number }).o;
    const sessionOf = (id: number) => (owner(id) === w.ids.staff.manager1 ? s.manager1 : s.manager2);
    for (const id of made.slice(0, 4)) await ok(w, 'referrals.accept', { id }, sessionOf(id));
    await later(5 * 3600_000);
    await ok(w, 'referrals.contact', { id: made[0]!, channel: 'visit', outcome: 'appointment' }, sessionOf(made[0]!));
    await morning('2026-11-09'); // past the due date (2 working days after 3 Nov = 5 Nov)
    await ok(w, 'referrals.contact', { id: made[2]!, channel: 'wechat', outcome: 'interested' }, sessionOf(made[2]!));
    await ok(w, 'referrals.win', { id: made[0]!, productId: product, amount: '80000' }, sessionOf(made[0]!));
    await ok(w, 'referrals.win', { id: made[2]!, productId: product, amount: '1200.25' }, sessionOf(made[2]!));
    await ok(w, 'referrals.lose', { id: made[1]!, reason: 'not_interested' }, sessionOf(made[1]!));
    await morning('2026-11-10');

    const report = await ok(w, 'referrals.report', { from: '2026-09-01', to: '2026-11-30' }, s.president);
    const today = '2026-11-10';
    const raw = w.db.prepare('SELECT * FROM referrals').all() as {
      referrer_staff_id: number;
      owner_staff_id: number | null;
      status: string;
      created_at: string;
      due_on: string;
      first_contact_at: string | null;
      first_contact_on: string | null;
      won_amount_fen: number | null;
    }[];
    type RawRow = (typeof raw)[number];
    const ref = (rows: RawRow[]) => {
      const contacted = rows.filter((r) => r.first_contact_at);
      const won = rows.filter((r) => r.status === 'won');
      const hours = contacted.map((r) => (Date.parse(r.first_contact_at!) - Date.parse(r.created_at)) / 3600_000);
      return {
        count: rows.length,
        won: won.length,
        lost: rows.filter((r) => r.status === 'lost').length,
        open: rows.filter((r) => ['new', 'accepted', 'contacted'].includes(r.status)).length,
        conversion: rows.length ? won.length / rows.length : null,
        wonFen: won.reduce((a, r) => a + r.won_amount_fen!, 0),
        contacted: contacted.length,
        avgHours: hours.length ? hours.reduce((a, b) => a + b, 0) / hours.length : null,
        overdue: rows.filter((r) => ['new', 'accepted'].includes(r.status) && r.due_on < today).length,
        late: rows.filter((r) => r.first_contact_on && r.first_contact_on > r.due_on).length,
      };
    };
    const same = (got: (typeof report.byTeller)[number], exp: ReturnType<typeof ref>) => {
      expect(got).toMatchObject({
        count: exp.count,
        won: exp.won,
        lost: exp.lost,
        open: exp.open,
        contacted: exp.contacted,
        overdue: exp.overdue,
        late: exp.late,
      });
      expect(got.conversion).toBeCloseTo(exp.conversion!, 12);
      expect(Math.round(Number(got.wonAmount) * 100)).toBe(exp.wonFen);
      if (exp.avgHours === null) expect(got.avgHoursToContact).toBeNull();
      else expect(got.avgHoursToContact).toBeCloseTo(exp.avgHours, 6);
    };
    same(report.total, ref(raw));
    expect(report.total.count).toBe(raw.length);
    for (const staff of [w.ids.staff.teller, teller2Staff]) {
      same(report.byTeller.find((r) => r.staffId === staff)!, ref(raw.filter((r) => r.referrer_staff_id === staff)));
    }
    expect(report.byTeller.reduce((a, r) => a + r.count, 0)).toBe(raw.length);
    for (const staff of [w.ids.staff.manager1, w.ids.staff.manager2]) {
      same(report.byManager.find((r) => r.staffId === staff)!, ref(raw.filter((r) => r.owner_staff_id === staff)));
    }
    expect(report.byManager.reduce((a, r) => a + r.count, 0)).toBe(raw.length);
    // Known points of the data above: the first one took 5 hours, the one contacted on 9 Nov was late.
    expect(report.total.late).toBeGreaterThanOrEqual(1);
    expect(report.total.overdue).toBeGreaterThanOrEqual(1);
    // Leaderboard: most won first.
    const wonBy = (staff: number) => raw.filter((r) => r.referrer_staff_id === staff && r.status === 'won').length;
    const top = wonBy(w.ids.staff.teller) >= wonBy(teller2Staff) ? w.ids.staff.teller : teller2Staff;
    expect(report.leaderboard[0]!.staffId).toBe(top);
    expect(report.leaderboard.map((l) => l.rank)).toEqual([1, 2]);
    // Period filter: nothing flagged in August.
    expect((await ok(w, 'referrals.report', { from: '2026-08-01', to: '2026-08-31' }, s.president)).total.count).toBe(
      0,
    );
    expect(await code(call(w, 'referrals.report', { from: '2026-12-01', to: '2026-11-01' }, s.president))).toBe(
      'VALIDATION',
    );
  });
});
