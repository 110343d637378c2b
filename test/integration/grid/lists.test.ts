import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { GridFilter, QueryGroup } from '../../../shared/api';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';

/** Favourites, lists, advanced queries and saved queries: behaviour, scope and refusals. */
const TODAY = '2026-10-31';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const staffOf: Record<string, number> = {};

const { call, ok, signIn } = asUsers(() => registry, s);
const idsOf = async (filter: GridFilter, who: string) =>
  (
    await ok('customers.grid', { filter, sort: [{ col: 'customerNo', dir: 'asc' }], offset: 0, limit: 500 }, who)
  ).rows.map((r) => r.id);
const sql = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).all(...p) as T[];

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1200, seed: 29 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1', 'manager2']) {
    await signIn(u);
    staffOf[u] = (services.db.prepare('SELECT staff_id AS x FROM users WHERE username = ?').get(u) as { x: number }).x;
  }
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

const mine = (who: string) =>
  sql<{ id: number }>('SELECT id FROM customers WHERE manager_staff_id = ? ORDER BY customer_no', staffOf[who]).map(
    (r) => r.id,
  );
/** `owner`'s customers that `who` cannot see (not granted to them either). */
const outOfScope = (who: string, owner: string) =>
  sql<{ id: number }>(
    'SELECT id FROM customers c WHERE manager_staff_id = ? AND NOT EXISTS (SELECT 1 FROM customer_grants g WHERE g.staff_id = ? AND g.customer_id = c.id) ORDER BY customer_no',
    staffOf[owner],
    staffOf[who],
  ).map((r) => r.id);

describe('favourites (收藏夹)', () => {
  it('stars only customers in scope, and the favourites filter shows exactly mine', async () => {
    const [a, b] = mine('manager1');
    const theirs = outOfScope('manager1', 'manager2')[0]!;
    await ok('favorites.set', { customerId: a!, on: true }, 'manager1');
    await ok('favorites.set', { customerId: b!, on: true }, 'manager1');
    const refused = await call('favorites.set', { customerId: theirs, on: true }, 'manager1');
    expect(!refused.ok && refused.error.code).toBe('NOT_FOUND');
    expect((await idsOf({ favorites: true }, 'manager1')).sort()).toEqual([a, b].sort());
    expect(await ok('favorites.which', { customerIds: [a!, b!, theirs] }, 'manager1')).toEqual(
      expect.arrayContaining([a, b]),
    );
    expect(await idsOf({ favorites: true }, 'manager2')).toEqual([]);
    await ok('favorites.set', { customerId: b!, on: false }, 'manager1');
    expect(await idsOf({ favorites: true }, 'manager1')).toEqual([a]);
  });
});

describe('lists (加入列表)', () => {
  it('adds picked customers and whole filtered sets, never anyone out of scope', async () => {
    const list = await ok('lists.save', { name: '理财到期回访', shared: false }, 'manager1');
    const picked = mine('manager1').slice(0, 3);
    const theirs = outOfScope('manager1', 'manager2').slice(0, 2);
    expect(await ok('lists.add', { listId: list.id, customerIds: [...picked, ...theirs] }, 'manager1')).toEqual({
      added: 3,
    });
    const gold = await ok('customers.gridCount', { filter: { tiers: ['gold'] } }, 'manager1');
    const r = await ok('lists.add', { listId: list.id, filter: { tiers: ['gold'] } }, 'manager1');
    const goldIds = await idsOf({ tiers: ['gold'] }, 'manager1');
    expect(r.added).toBe(goldIds.filter((id) => !picked.includes(id)).length);
    expect(gold.filtered).toBe(goldIds.length);
    const members = await idsOf({ listId: list.id }, 'manager1');
    expect(members.sort()).toEqual([...new Set([...picked, ...goldIds])].sort());
    expect((await ok('lists.list', {}, 'manager1')).find((l) => l.id === list.id)?.members).toBe(members.length);
  });

  it("a shared list is visible to colleagues, but only the members in each one's own scope", async () => {
    const list = await ok('lists.save', { name: '营销活动A', shared: true }, 'manager1');
    await ok('lists.add', { listId: list.id, customerIds: mine('manager1').slice(0, 4) }, 'manager1');
    const seen = (await ok('lists.list', {}, 'manager2')).find((l) => l.id === list.id);
    expect(seen).toMatchObject({ mine: false, shared: true });
    const visibleTo2 = new Set(await idsOf({}, 'manager2'));
    expect(visibleTo2.size).toBeLessThan(500);
    const first4 = mine('manager1').slice(0, 4);
    expect((await idsOf({ listId: list.id }, 'manager2')).sort()).toEqual(
      first4.filter((id) => visibleTo2.has(id)).sort(),
    );
    expect(await idsOf({ listId: list.id }, 'president')).toHaveLength(4);
    // Only the owner changes it.
    const add = await call('lists.add', { listId: list.id, customerIds: mine('manager2').slice(0, 1) }, 'manager2');
    expect(!add.ok && add.error.code).toBe('FORBIDDEN');
    const del = await call('lists.delete', { id: list.id }, 'manager2');
    expect(!del.ok && del.error.code).toBe('FORBIDDEN');
    // A private list is invisible to others, even by id.
    const priv = await ok('lists.save', { name: '私人', shared: false }, 'manager1');
    await ok('lists.add', { listId: priv.id, customerIds: mine('manager1').slice(0, 2) }, 'manager1');
    expect(await idsOf({ listId: priv.id }, 'president')).toEqual([]);
    const dup = await call('lists.save', { name: '私人', shared: false }, 'manager1');
    expect(!dup.ok && dup.error.code).toBe('CONFLICT');
  });
});

describe('advanced query (高级查询)', () => {
  const ref = (where: string, ...p: unknown[]) =>
    sql<{ id: number }>(`SELECT c.id FROM customers c WHERE ${where} ORDER BY c.customer_no`, ...p).map((r) => r.id);
  const addDays = (d: string, n: number) => {
    const x = new Date(`${d}T00:00:00Z`);
    x.setUTCDate(x.getUTCDate() + n);
    return x.toISOString().slice(0, 10);
  };

  it('AND / OR groups over fields and related facts match a hand-written reference query', async () => {
    const q: QueryGroup = {
      op: 'and',
      items: [
        {
          op: 'or',
          items: [
            { field: 'tier', op: 'in', value: ['gold', 'quality'] },
            { field: 'aum', op: 'gte', value: '300000' },
          ],
        },
        { field: 'holdsCategory', op: 'eq', value: 'term' },
        { field: 'openedOn', op: 'between', value: ['2000-01-01', '2024-12-31'] },
      ],
    };
    const got = await idsOf({ advanced: q }, 'president');
    const want = ref(
      `(c.tier IN ('gold','quality') OR c.aum_fen >= 30000000)
       AND (EXISTS (SELECT 1 FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.customer_id = c.id AND a.status <> 'closed' AND p.category = 'term')
         OR EXISTS (SELECT 1 FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = c.id AND h.status = 'active' AND p.category = 'term')
         OR EXISTS (SELECT 1 FROM loans l JOIN products p ON p.id = l.product_id WHERE l.customer_id = c.id AND l.status = 'active' AND p.category = 'term'))
       AND c.opened_on BETWEEN '2000-01-01' AND '2024-12-31'`,
    );
    expect(got.length).toBeGreaterThan(0);
    expect(got.sort()).toEqual(want.sort());
  });

  it('channel use in the last N days, loans maturing, age', async () => {
    const got = await idsOf(
      { advanced: { op: 'and', items: [{ field: 'channelUse', op: 'eq', value: 'online', days: 60, minCount: 3 }] } },
      'president',
    );
    const since = `${addDays(TODAY, -60)} 00:00:00`;
    expect(got.sort()).toEqual(
      ref(
        `(SELECT COUNT(*) FROM transactions t WHERE t.customer_id = c.id AND t.channel = 'online' AND t.txn_at >= ?) >= 3`,
        since,
      ).sort(),
    );
    const loans = await idsOf(
      { advanced: { op: 'and', items: [{ field: 'loanMaturingDays', op: 'lte', value: 365 }] } },
      'president',
    );
    expect(loans.sort()).toEqual(
      ref(
        `EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status = 'active' AND l.maturity_on BETWEEN ? AND ?)`,
        TODAY,
        addDays(TODAY, 365),
      ).sort(),
    );
    const over60 = await idsOf(
      { advanced: { op: 'and', items: [{ field: 'age', op: 'gte', value: 60 }] } },
      'president',
    );
    const born = sql<{ id: number; b: string }>(
      `SELECT id, birth_date AS b FROM customers WHERE kind = 'individual' AND birth_date IS NOT NULL`,
    );
    const age = (b: string) =>
      Number(TODAY.slice(0, 4)) - Number(b.slice(0, 4)) - (TODAY.slice(5) < b.slice(5) ? 1 : 0);
    expect(over60.sort()).toEqual(
      born
        .filter((r) => age(r.b) >= 60)
        .map((r) => r.id)
        .sort(),
    );
  });

  it('an impossible or invalid query is refused with a clear validation code, never a SQL error', async () => {
    const cases: [QueryGroup, string][] = [
      [{ op: 'and', items: [{ field: 'aum', op: 'between', value: ['500', '100'] }] }, 'impossible_range'],
      [{ op: 'and', items: [{ field: 'tier', op: 'eq', value: 'platinum' }] }, 'not_allowed'],
      [{ op: 'and', items: [{ field: 'tier', op: 'gt', value: 'gold' }] }, 'op_not_supported'],
      [{ op: 'and', items: [{ field: 'openedOn', op: 'eq', value: "2024-01-01' OR 1=1 --" }] }, 'not_date'],
      [{ op: 'and', items: [{ field: 'aum', op: 'in', value: '5' }] }, 'expects_list'],
      [
        {
          op: 'and',
          items: [
            {
              op: 'or',
              items: [
                {
                  op: 'and',
                  items: [
                    {
                      op: 'or',
                      items: [
                        { op: 'and', items: [{ op: 'or', items: [{ field: 'kind', op: 'eq', value: 'corporate' }] }] },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
        'too_deep',
      ],
    ];
    for (const [advanced, code] of cases) {
      const r = await call('customers.gridCount', { filter: { advanced } }, 'president');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('VALIDATION');
        expect(JSON.stringify(r.error.details)).toContain(code);
      }
    }
    const bad = await call(
      'customers.gridCount',
      { filter: { advanced: { op: 'and', items: [{ field: 'name; DROP' as 'tier', op: 'eq', value: 'x' }] } } },
      'president',
    );
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
  });

  it('saved queries: named, private or shared with the branch, re-runnable; an invalid one is refused at save', async () => {
    const filter: GridFilter = {
      advanced: { op: 'and', items: [{ field: 'loans', op: 'gt', value: '0' }] },
      tiers: ['ordinary'],
    };
    const saved = await ok('queries.save', { name: '有贷款的普通客户', shared: true, filter }, 'manager1');
    const listed = (await ok('queries.list', {}, 'manager2')).find((x) => x.id === saved.id)!;
    expect(listed).toMatchObject({ mine: false, shared: true, name: '有贷款的普通客户' });
    expect(await idsOf(listed.filter, 'manager2')).toEqual(await idsOf(filter, 'manager2'));
    const invalid = await call(
      'queries.save',
      {
        name: 'x',
        shared: false,
        filter: { advanced: { op: 'and', items: [{ field: 'aum', op: 'between', value: ['9', '1'] }] } },
      },
      'manager1',
    );
    expect(!invalid.ok && invalid.error.code).toBe('VALIDATION');
    const notMine = await call('queries.delete', { id: saved.id }, 'manager2');
    expect(!notMine.ok && notMine.error.code).toBe('FORBIDDEN');
    expect(await ok('queries.delete', { id: saved.id }, 'manager1')).toEqual({ deleted: true });
  });
});
