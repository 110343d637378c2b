import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUTS } from '../../../main/desktop/widgets';
import { createOpportunity } from '../../../db/relationship/opportunities';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { WidgetData } from '../../../shared/api';
import { fenToYuan } from '../../../shared/money';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';

/**
 * The desktop's relationship widgets (转介商机, 商机漏斗) over a demo store plus hand-made referrals and
 * opportunities: every figure equals a slow reference over the raw `referrals` / `opportunities` rows
 * (scope decided here from owners and the branch tree), and a manager never sees another's items.
 */
const TODAY = '2026-10-31';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const staffOf: Record<string, number> = {};
const userOf: Record<string, number> = {};
const WHO = ['president', 'manager1', 'manager2'] as const;

const { call, ok, signIn } = asUsers(() => registry, s);
const sql = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).all(...p) as T[];

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 400, seed: 7 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  for (const u of WHO) {
    await signIn(u);
    const row = services.db.prepare('SELECT id, staff_id AS staff FROM users WHERE username = ?').get(u) as {
      id: number;
      staff: number;
    };
    staffOf[u] = row.staff;
    userOf[u] = row.id;
  }
  // Hand-made open referrals and opportunities on top of the demo's: each manager's, the branch
  // queue's (no owner), overdue and not, urgent and not, every open stage with and without amounts.
  const db = services.db;
  const teller = db
    .prepare(`SELECT id, staff_id AS staff FROM users WHERE role = 'teller' AND staff_id IS NOT NULL LIMIT 1`)
    .get() as { id: number; staff: number };
  const book = (who: string) =>
    sql<{ id: number; branch_id: number }>(
      'SELECT id, branch_id FROM customers WHERE manager_staff_id = ? ORDER BY id LIMIT 8',
      staffOf[who],
    );
  const ins = db.prepare(
    `INSERT INTO referrals (customer_id, branch_id, referrer_user_id, referrer_staff_id, interest, urgency, owner_staff_id, status, created_at, created_on, sla_days, due_on, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2, ?, ?)`,
  );
  const statuses = ['new', 'accepted', 'contacted', 'new'] as const;
  const dues = ['2026-10-20', '2026-11-03', '2026-10-29', '2026-10-31'];
  const stages = ['identified', 'contacted', 'proposal', 'negotiating'] as const;
  for (const who of ['manager1', 'manager2', null] as const) {
    const customers = who ? book(who) : book('manager1');
    customers.slice(0, 4).forEach((c, i) => {
      ins.run(
        c.id,
        c.branch_id,
        teller.id,
        teller.staff,
        i % 2 ? 'wealth' : 'deposit',
        i === 1 ? 'high' : 'normal',
        who ? staffOf[who] : null,
        statuses[i],
        `${TODAY}T01:00:00Z`,
        '2026-10-15',
        dues[i],
        `${TODAY}T01:00:00Z`,
      );
    });
    for (const [i, c] of customers.entries())
      createOpportunity(db, {
        customerId: c.id,
        source: 'manual',
        product: 'deposit',
        amountFen: i % 3 === 0 ? null : 1_000_000 * (i + 1) + 37,
        stage: stages[i % 4]!,
        ownerStaffId: who ? staffOf[who]! : null,
        today: '2026-10-20',
      });
  }
  for (const who of WHO) {
    await ok(
      'desktop.save',
      {
        layout: {
          widgets: [
            { id: 'ref', kind: 'referrals', config: { limit: 20 }, x: 0, y: 0, w: 4, h: 9 },
            { id: 'opp', kind: 'opportunities', config: {}, x: 4, y: 0, w: 4, h: 7 },
          ],
        },
      },
      who,
    );
  }
}, 120_000);
afterAll(async () => {
  await services?.close();
  removeTempDirs();
});

// ---------------------------------------------------------------------------------------------
// Slow reference over the raw rows.

function branchTreeRaw(who: string): Set<number> {
  const branch = (services.db.prepare('SELECT branch_id AS b FROM users WHERE username = ?').get(who) as { b: number })
    .b;
  const all = sql<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM branches');
  const tree = new Set([branch]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const b of all)
      if (b.parent_id !== null && tree.has(b.parent_id) && !tree.has(b.id)) {
        tree.add(b.id);
        grew = true;
      }
  }
  return tree;
}

interface RawReferral {
  id: number;
  branch_id: number;
  owner: number | null;
  status: string;
  urgency: string;
  due_on: string;
  customer: string;
  interest: string;
}
function referralsOf(who: string): RawReferral[] {
  const all = sql<RawReferral>(
    'SELECT r.id, r.branch_id, r.owner_staff_id AS owner, r.status, r.urgency, r.due_on, c.name AS customer, r.interest FROM referrals r JOIN customers c ON c.id = r.customer_id',
  );
  if (who === 'president') {
    const tree = branchTreeRaw(who);
    return all.filter((r) => tree.has(r.branch_id));
  }
  return all.filter((r) => r.owner === staffOf[who]);
}

interface RawOpp {
  id: number;
  branch_id: number;
  owner: number | null;
  stage: string;
  amount_fen: number | null;
}
function opportunitiesOf(who: string): RawOpp[] {
  const all = sql<RawOpp>('SELECT id, branch_id, owner_staff_id AS owner, stage, amount_fen FROM opportunities');
  if (who === 'president') {
    const tree = branchTreeRaw(who);
    return all.filter((o) => tree.has(o.branch_id));
  }
  return all.filter((o) => o.owner === staffOf[who]);
}

async function widgets(who: string) {
  const view = await ok('desktop.data', {}, who);
  const ref = view.widgets.ref!;
  const opp = view.widgets.opp!;
  if (!ref.ok || ref.data.kind !== 'referrals') throw new Error(`referrals widget: ${JSON.stringify(ref)}`);
  if (!opp.ok || opp.data.kind !== 'opportunities') throw new Error(`opportunities widget: ${JSON.stringify(opp)}`);
  return {
    ref: ref.data as Extract<WidgetData, { kind: 'referrals' }>,
    opp: opp.data as Extract<WidgetData, { kind: 'opportunities' }>,
  };
}

describe('转介商机 widget', () => {
  it.each(WHO)(
    '%s: counts by status, overdue against the SLA and the most urgent items equal the raw referrals',
    async (who) => {
      const { ref } = await widgets(who);
      const open = referralsOf(who).filter((r) => ['new', 'accepted', 'contacted'].includes(r.status));
      expect(open.length).toBeGreaterThan(0);
      const expected = {
        open: open.length,
        new: open.filter((r) => r.status === 'new').length,
        accepted: open.filter((r) => r.status === 'accepted').length,
        contacted: open.filter((r) => r.status === 'contacted').length,
        overdue: open.filter((r) => (r.status === 'new' || r.status === 'accepted') && r.due_on < TODAY).length,
        unassigned: who === 'president' ? open.filter((r) => r.owner === null).length : null,
      };
      expect({
        open: ref.open,
        new: ref.new,
        accepted: ref.accepted,
        contacted: ref.contacted,
        overdue: ref.overdue,
        unassigned: ref.unassigned,
      }).toEqual(expected);
      expect(expected.overdue).toBeGreaterThan(0);
      if (who === 'president') expect(expected.unassigned).toBeGreaterThan(0);
      // The first items as the queue orders them: earliest due, urgent first, then by id.
      const sorted = [...open].sort(
        (a, b) =>
          (a.due_on < b.due_on ? -1 : a.due_on > b.due_on ? 1 : 0) ||
          (b.urgency === 'high' ? 1 : 0) - (a.urgency === 'high' ? 1 : 0) ||
          a.id - b.id,
      );
      expect(ref.top.map((r) => [r.id, r.customerName, r.interest, r.dueOn, r.overdue])).toEqual(
        sorted
          .slice(0, 20)
          .map((r) => [
            r.id,
            r.customer,
            r.interest,
            r.due_on,
            (r.status === 'new' || r.status === 'accepted') && r.due_on < TODAY,
          ]),
      );
    },
  );

  it('a manager never sees another manager’s referrals, nor the branch queue', async () => {
    for (const who of ['manager1', 'manager2']) {
      const { ref } = await widgets(who);
      const owners = sql<{ owner: number | null }>(
        `SELECT owner_staff_id AS owner FROM referrals WHERE id IN (${ref.top.map(() => '?').join(',')})`,
        ...ref.top.map((r) => r.id),
      );
      expect(owners.length).toBe(ref.top.length);
      expect(owners.every((o) => o.owner === staffOf[who])).toBe(true);
      expect(ref.unassigned).toBeNull();
    }
    const other = referralsOf('manager2')
      .filter((r) => ['new', 'accepted', 'contacted'].includes(r.status))
      .map((r) => r.id);
    const { ref } = await widgets('manager1');
    expect(ref.top.some((r) => other.includes(r.id))).toBe(false);
  });
});

describe('商机漏斗 widget', () => {
  it.each(WHO)(
    '%s: open opportunities by stage (count, amount) equal the raw opportunities; each stage drills to itself',
    async (who) => {
      const { opp } = await widgets(who);
      const mine = opportunitiesOf(who).filter((o) => o.stage !== 'won' && o.stage !== 'lost');
      const stages = ['identified', 'contacted', 'proposal', 'negotiating'].map((stage) => {
        const xs = mine.filter((o) => o.stage === stage);
        return {
          stage,
          count: xs.length,
          amount: fenToYuan(xs.reduce((a, o) => a + BigInt(o.amount_fen ?? 0), 0n)),
          drill: { stage },
        };
      });
      expect(opp.stages).toEqual(stages);
      expect(opp.open).toBe(mine.length);
      expect(opp.amount).toBe(fenToYuan(mine.reduce((a, o) => a + BigInt(o.amount_fen ?? 0), 0n)));
      expect(stages.every((x) => x.count > 0)).toBe(true);
      // The drill filter gives exactly the counted opportunities in the list.
      for (const st of opp.stages) {
        const list = await ok('opportunities.list', { filter: st.drill, offset: 0, limit: 500 }, who);
        expect(list.total).toBe(st.count);
      }
    },
  );

  it('a manager’s funnel counts only their own opportunities', async () => {
    const one = (await widgets('manager1')).opp;
    const two = (await widgets('manager2')).opp;
    const pres = (await widgets('president')).opp;
    const m1 = opportunitiesOf('manager1').filter((o) => o.stage !== 'won' && o.stage !== 'lost');
    expect(one.open).toBe(m1.length);
    expect(m1.every((o) => o.owner === staffOf.manager1)).toBe(true);
    // The branch holds both managers' and the unowned ones (the branch queue's) besides.
    const unowned = opportunitiesOf('president').filter(
      (o) => o.owner === null && o.stage !== 'won' && o.stage !== 'lost',
    ).length;
    expect(unowned).toBeGreaterThan(0);
    expect(pres.open).toBeGreaterThanOrEqual(one.open + two.open + unowned);
    expect(one.open).toBeLessThan(pres.open);
  });
});

describe('layouts', () => {
  it('both kinds are placeable by president and manager, and in neither default desktop', async () => {
    expect(DEFAULT_LAYOUTS.president.widgets.some((w) => w.kind === 'referrals' || w.kind === 'opportunities')).toBe(
      false,
    );
    expect(DEFAULT_LAYOUTS.manager.widgets.some((w) => w.kind === 'referrals' || w.kind === 'opportunities')).toBe(
      false,
    );
    const bad = await call(
      'desktop.save',
      { layout: { widgets: [{ id: 'ref', kind: 'referrals', config: { limit: 0 }, x: 0, y: 0, w: 4, h: 9 }] } },
      'manager1',
    );
    expect(bad.ok ? null : [bad.error.code, bad.error.details?.reason]).toEqual([
      'DESKTOP_LAYOUT_INVALID',
      'bad_config',
    ]);
  });
});
