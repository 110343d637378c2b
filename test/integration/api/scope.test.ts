import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

let w: World;
let s: Record<'president' | 'manager1' | 'manager2' | 'teller' | 'admin', string>;

beforeAll(async () => {
  w = await makeWorld();
  s = {
    president: await signIn(w, 'president'),
    manager1: await signIn(w, 'manager1'),
    manager2: await signIn(w, 'manager2'),
    teller: await signIn(w, 'teller'),
    admin: await signIn(w, 'admin'),
  };
});
afterAll(() => w.close());

const ids = () => w.ids.customers;

describe('data scope: manager', () => {
  it('reads own and granted customers by id, and not another manager’s', async () => {
    expect((await ok(w, 'customers.get', { id: ids().m1a }, s.manager1)).name).toBe('张伟');
    expect((await ok(w, 'customers.get', { id: ids().grantedToM1 }, s.manager1)).name).toBe('孙丽');
    for (const id of [ids().m2a, ids().unassigned, ids().outletCust, ids().otherBranchCust]) {
      const r = await call(w, 'customers.get', { id }, s.manager1);
      expect(r).toEqual({ ok: false, error: { code: 'NOT_FOUND', details: { entity: 'customer', id } } });
    }
  });

  it('counts and lists only its own book', async () => {
    expect(await ok(w, 'customers.count', {}, s.manager1)).toEqual({ total: 3 });
    expect(await ok(w, 'customers.count', {}, s.manager2)).toEqual({ total: 2 });
    const page = await ok(w, 'customers.list', { limit: 50 }, s.manager1);
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.id).sort()).toEqual([ids().m1a, ids().m1b, ids().grantedToM1].sort());
  });

  it('does not find other managers’ customers by search, however asked', async () => {
    // 张 matches 张伟, 张伟强 (manager1), 张敏 (manager2), 张三 (other branch)
    const byName = await ok(w, 'customers.search', { query: '张' }, s.manager1);
    expect(byName.map((r) => r.name).sort()).toEqual(['张伟', '张伟强']);
    expect(await ok(w, 'customers.search', { query: '13900000003' }, s.manager1)).toEqual([]);
    expect(await ok(w, 'customers.search', { query: '110101197703031236' }, s.manager1)).toEqual([]);
    expect(await ok(w, 'customers.search', { query: '1236' }, s.manager1)).toEqual([]);
    expect((await ok(w, 'customers.search', { query: '1236' }, s.manager2)).map((r) => r.name)).toEqual(['张敏']);
  });

  it('counts a search’s matches in scope, and never counts by identifier digits', async () => {
    // the same people the search finds, counted: 张伟 and 张伟强 for manager1; the teller's branch look-up
    const names = async (q: string, who: string) => (await ok(w, 'customers.search', { query: q }, who)).length;
    expect(await ok(w, 'customers.searchTotal', { query: '张' }, s.manager1)).toEqual({ total: 2 });
    expect((await ok(w, 'customers.searchTotal', { query: '张' }, s.teller)).total).toBe(await names('张', s.teller));
    expect(await ok(w, 'customers.searchTotal', { query: '张伟强' }, s.manager1)).toEqual({ total: 1 });
    // an ID number's or mobile's digits go through customers.search alone (rate-limited, audited)
    for (const q of ['1236', '13900000003', '110101197703031236'])
      expect(await ok(w, 'customers.searchTotal', { query: q }, s.manager2)).toEqual({ total: null });
  });

  it('cannot reveal another manager’s customer, and the attempt is audited', async () => {
    const r = await call(w, 'customers.reveal', { id: ids().m2a, reason: '核实身份' }, s.manager1);
    expect(r.ok).toBe(false);
    const a = w.db
      .prepare("SELECT outcome, target_id FROM audit_log WHERE action = 'customers.reveal' ORDER BY id DESC LIMIT 1")
      .get();
    expect(a).toEqual({ outcome: 'denied', target_id: String(ids().m2a) });
  });

  it('loses a grant once it has expired', async () => {
    w.db.prepare("UPDATE customer_grants SET expires_on = '2026-11-01'").run();
    try {
      expect((await call(w, 'customers.get', { id: ids().grantedToM1 }, s.manager1)).ok).toBe(false);
      expect(await ok(w, 'customers.count', {}, s.manager1)).toEqual({ total: 2 });
    } finally {
      w.db.prepare('UPDATE customer_grants SET expires_on = NULL').run();
    }
  });
});

describe('data scope: president', () => {
  it('sees the branch and its outlets, not another branch', async () => {
    expect(await ok(w, 'customers.count', {}, s.president)).toEqual({ total: 6 });
    expect((await call(w, 'customers.get', { id: ids().otherBranchCust }, s.president)).ok).toBe(false);
    const names = (await ok(w, 'customers.search', { query: '张' }, s.president)).map((x) => x.name).sort();
    expect(names).toEqual(['张伟', '张伟强', '张敏']);
  });

  it("the grid, its counts, stats, deep pages and export never include another branch's customers", async () => {
    const grid = await ok(w, 'customers.grid', { filter: {}, sort: [], offset: 0, limit: 100 }, s.president);
    expect(grid.rows.map((r) => r.id)).not.toContain(ids().otherBranchCust);
    expect(grid.rows).toHaveLength(6);
    expect(await ok(w, 'customers.gridCount', { filter: {} }, s.president)).toEqual({ total: 6, filtered: 6 });
    expect(
      (await ok(w, 'customers.gridCount', { filter: { statuses: ['active', 'dormant', 'closed'] } }, s.president))
        .filtered,
    ).toBe(6);
    expect(
      (await ok(w, 'customers.quickStats', { filter: { kinds: ['individual', 'corporate'] } }, s.president)).count,
    ).toBe(6);
    const search = await ok(w, 'customers.grid', { filter: { q: '张' }, sort: [], offset: 0, limit: 100 }, s.president);
    expect(search.rows.map((r) => r.name).sort()).toEqual(['张伟', '张伟强', '张敏']);
  });

  it('branch overview sums exactly the scoped customers', async () => {
    const o = await ok(w, 'overview.branch', {}, s.president);
    expect(o.customers).toBe(6);
    // 500000 + 20000 + 80000 + 1000 + 3000 + 70000
    expect(o.aum).toBe('674000.00');
    expect(o.branchName).toBe('示范支行');
    expect(o.managers.map((m) => [m.name, m.customers, m.aum])).toEqual([
      ['李经理', 2, '520000.00'],
      ['赵经理', 2, '150000.00'],
    ]);
  });
});

describe('overview by scope', () => {
  it('a manager’s portfolio counts their own book plus live grants', async () => {
    const o = await ok(w, 'overview.portfolio', {}, s.manager1);
    expect(o.customers).toBe(3);
    expect(o.aum).toBe('590000.00');
    expect(o.byTier).toEqual([{ tier: 'ordinary', customers: 3, aum: '590000.00' }]);
    const o2 = await ok(w, 'overview.portfolio', {}, s.manager2);
    expect([o2.customers, o2.aum]).toEqual([2, '150000.00']);
  });
});

describe('masking', () => {
  it('tellers find branch customers with ID numbers and mobiles masked', async () => {
    const r = await ok(w, 'customers.search', { query: '13800000001' }, s.teller);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ name: '张伟', idNo: '110101********1234', mobile: '138****0001', masked: true });
    const json = JSON.stringify(await ok(w, 'customers.search', { query: '张' }, s.teller));
    expect(json).not.toContain('110101199001011234');
    expect(json).not.toContain('13800000001');
  });

  it('tellers cannot open, list, count or reveal', async () => {
    for (const [m, input] of [
      ['customers.get', { id: ids().m1a }],
      ['customers.list', {}],
      ['customers.count', {}],
      ['customers.reveal', { id: ids().m1a, reason: 'x y' }],
    ] as const) {
      expect(await call(w, m, input as never, s.teller), m).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('managers see masked lists and reveal with a reason, audited', async () => {
    const page = await ok(w, 'customers.list', {}, s.manager1);
    expect(page.rows.every((r) => r.idNo?.includes('*') && r.mobile?.includes('*'))).toBe(true);
    const detail = await ok(w, 'customers.get', { id: ids().m1a }, s.manager1);
    expect(detail.idNo).toBe('110101********1234');
    const rev = await ok(w, 'customers.reveal', { id: ids().m1a, reason: '客户来电核实' }, s.manager1);
    expect(rev).toEqual({ id: ids().m1a, idNo: '110101199001011234', mobile: '13800000001', phone: null });
    const a = w.db
      .prepare(
        "SELECT username, outcome, target_id, details FROM audit_log WHERE action = 'customers.reveal' ORDER BY id DESC LIMIT 1",
      )
      .get() as { username: string; outcome: string; target_id: string; details: string };
    expect(a).toMatchObject({ username: 'manager1', outcome: 'ok', target_id: String(ids().m1a) });
    expect(JSON.parse(a.details).reason).toBe('客户来电核实');
  });
});

describe('data scope: administrator', () => {
  it('has no customer access at all', async () => {
    const cases = [
      ['customers.search', { query: '张' }],
      ['customers.get', { id: 1 }],
      ['customers.count', {}],
      ['overview.portfolio', {}],
    ] as const;
    for (const [m, input] of cases) {
      expect(await call(w, m, input as never, s.admin), m).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });
});

describe('search input is data, never SQL', () => {
  it.each(["' OR 1=1 --", '张%', '_', '"; DROP TABLE customers; --', "1234' UNION SELECT id_no FROM customers --"])(
    '%s finds nothing beyond scope and breaks nothing',
    async (q) => {
      const r = await call(w, 'customers.search', { query: q }, s.manager1);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value.every((c) => [ids().m1a, ids().m1b, ids().grantedToM1].includes(c.id))).toBe(true);
      expect((w.db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n).toBe(7);
    },
  );
});
