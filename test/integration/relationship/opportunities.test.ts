import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canMove, createOpportunity } from '../../../db/relationship/opportunities';
import { FUNNEL_STAGES, OPPORTUNITY_SOURCES, OPPORTUNITY_STAGES, type OpportunityStage } from '../../../shared/api';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/** Opportunities: creation, validated stage moves with history, scope in SQL, and the funnel against a reference. */
let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.close();
});

const TODAY = '2026-11-02';

describe('stage moves', () => {
  it('allows forward moves, one step back, won from a proposal or negotiation, lost from any open stage; nothing after won or lost', () => {
    expect(canMove('identified', 'contacted')).toBe(true);
    expect(canMove('identified', 'proposal')).toBe(true);
    expect(canMove('proposal', 'contacted')).toBe(true);
    expect(canMove('negotiating', 'contacted')).toBe(false);
    expect(canMove('identified', 'won')).toBe(false);
    expect(canMove('contacted', 'won')).toBe(false);
    expect(canMove('proposal', 'won')).toBe(true);
    expect(canMove('negotiating', 'won')).toBe(true);
    expect(canMove('identified', 'lost')).toBe(true);
    for (const to of OPPORTUNITY_STAGES) {
      expect(canMove('won', to)).toBe(false);
      expect(canMove('lost', to)).toBe(false);
    }
  });

  it('moves through the API with history; an illegal move is refused with its stages and writes nothing', async () => {
    const m1 = await signIn(w, 'manager1');
    const o = await ok(
      w,
      'opportunities.create',
      {
        customerId: w.ids.customers.m1a,
        product: 'wealth',
        amount: '200000.00',
        dueOn: '2026-11-30',
        title: '理财到期续作',
      },
      m1,
    );
    expect(o).toMatchObject({
      stage: 'identified',
      source: 'manual',
      ownerStaffId: w.ids.staff.manager1,
      amount: '200000.00',
    });
    const bad = await call(w, 'opportunities.move', { id: o.id, to: 'won' }, m1);
    expect(bad).toEqual({
      ok: false,
      error: { code: 'OPPORTUNITY_STAGE', details: { from: 'identified', to: 'won' } },
    });
    await ok(w, 'opportunities.move', { id: o.id, to: 'contacted', note: '电话沟通' }, m1);
    await ok(w, 'opportunities.move', { id: o.id, to: 'proposal' }, m1);
    const won = await ok(w, 'opportunities.move', { id: o.id, to: 'won', amount: '250000' }, m1);
    expect(won).toMatchObject({ stage: 'won', amount: '250000.00', closedOn: TODAY });
    expect(await call(w, 'opportunities.move', { id: o.id, to: 'lost', lostReason: 'x' }, m1)).toMatchObject({
      ok: false,
      error: { code: 'OPPORTUNITY_STAGE' },
    });
    const { history } = await ok(w, 'opportunities.get', { id: o.id }, m1);
    expect(history.map((h) => [h.fromStage, h.toStage])).toEqual([
      [null, 'identified'],
      ['identified', 'contacted'],
      ['contacted', 'proposal'],
      ['proposal', 'won'],
    ]);
    expect(history[1]!.note).toBe('电话沟通');
    // Details change in scope only; a cleared amount is null.
    const upd = await ok(
      w,
      'opportunities.update',
      { id: o.id, dueOn: '2026-12-15', note: '客户倾向稳健型', amount: null },
      m1,
    );
    expect(upd).toMatchObject({ dueOn: '2026-12-15', note: '客户倾向稳健型', amount: null });
    const m2 = await signIn(w, 'manager2');
    expect(await call(w, 'opportunities.update', { id: o.id, note: 'x' }, m2)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    // Lost needs a reason.
    const o2 = await ok(w, 'opportunities.create', { customerId: w.ids.customers.m1b, product: 'card' }, m1);
    expect(await call(w, 'opportunities.move', { id: o2.id, to: 'lost' }, m1)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(
      (await ok(w, 'opportunities.move', { id: o2.id, to: 'lost', lostReason: '客户已在他行办理' }, m1)).lostReason,
    ).toBe('客户已在他行办理');
  });
});

describe('scope', () => {
  it('a manager sees and works only their own opportunities; the president the branch; customers out of scope are refused', async () => {
    const [m1, m2, pres] = [await signIn(w, 'manager1'), await signIn(w, 'manager2'), await signIn(w, 'president')];
    const c = w.ids.customers;
    const mk = (customerId: number) =>
      createOpportunity(w.db, { customerId, source: 'rule', product: 'deposit', today: TODAY }).id;
    const a = mk(c.m1a);
    const b = mk(c.m2a);
    const q = mk(c.unassigned); // branch queue
    const other = mk(c.otherBranchCust);
    const g = mk(c.grantedToM1); // granted to manager1, but manager2 is the manager of record: manager2 owns it
    const ids = async (s: string) =>
      (await ok(w, 'opportunities.list', {}, s)).rows.map((r) => r.id).sort((x, y) => x - y);
    expect(await ids(m1)).toEqual([a]);
    expect(await ids(m2)).toEqual([b, g].sort((x, y) => x - y));
    expect(await ids(pres)).toEqual([a, b, q, g].sort((x, y) => x - y));
    expect(await ids(pres)).not.toContain(other);
    expect(await call(w, 'opportunities.get', { id: b }, m1)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await call(w, 'opportunities.move', { id: b, to: 'contacted' }, m1)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await call(w, 'opportunities.create', { customerId: c.m2a, product: 'loan' }, m1)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    // The president gives the queued one to manager1, who then sees it; a teller or a manager may not assign.
    expect((await ok(w, 'opportunities.assign', { id: q, ownerStaffId: w.ids.staff.manager1 }, pres)).ownerName).toBe(
      '李经理',
    );
    expect(await ids(m1)).toEqual([a, q]);
    expect(await call(w, 'opportunities.assign', { id: q, ownerStaffId: w.ids.staff.teller }, pres)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await call(w, 'opportunities.assign', { id: a, ownerStaffId: w.ids.staff.manager2 }, m1)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // The funnel follows the same scope.
    expect((await ok(w, 'opportunities.funnel', {}, m1)).total).toBe(2);
    expect((await ok(w, 'opportunities.funnel', {}, pres)).total).toBe(4);
  });

  it('createOpportunity with a dedupe key (e.g. a won referral) is idempotent and keeps source and reference', () => {
    const first = createOpportunity(w.db, {
      customerId: w.ids.customers.m1a,
      source: 'referral',
      sourceRef: 17,
      dedupeKey: 'referral:17',
      product: 'wealth',
      stage: 'won',
      amountFen: 500_000,
      today: TODAY,
    });
    const again = createOpportunity(w.db, {
      customerId: w.ids.customers.m1a,
      source: 'referral',
      sourceRef: 17,
      dedupeKey: 'referral:17',
      product: 'wealth',
      today: TODAY,
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    const row = w.db
      .prepare(
        'SELECT source, source_ref AS ref, stage, reached_rank AS rank, closed_on AS closed, owner_staff_id AS owner FROM opportunities WHERE id = ?',
      )
      .get(first.id);
    expect(row).toEqual({
      source: 'referral',
      ref: '17',
      stage: 'won',
      rank: 4,
      closed: TODAY,
      owner: w.ids.staff.manager1,
    });
  });
});

describe('the funnel (商机漏斗)', () => {
  it('equals a reference computed from the stage history, and every figure drills down to exactly its opportunities', async () => {
    const pres = await signIn(w, 'president');
    const m1 = await signIn(w, 'manager1');
    const c = w.ids.customers;
    const customers = [c.m1a, c.m1b, c.m2a, c.unassigned, c.outletCust, c.grantedToM1];
    // A deterministic spread of paths through the stages, sources and creation dates.
    const paths: OpportunityStage[][] = [
      [],
      ['contacted'],
      ['contacted', 'proposal'],
      ['proposal', 'negotiating', 'won'],
      ['contacted', 'lost'],
      ['contacted', 'proposal', 'contacted', 'lost'],
      ['negotiating', 'won'],
      ['lost'],
      ['contacted', 'proposal', 'won'],
    ];
    let k = 0;
    for (let i = 0; i < 40; i++) {
      const source = OPPORTUNITY_SOURCES[i % 4]!;
      const created = `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`;
      const id = createOpportunity(w.db, {
        customerId: customers[i % customers.length]!,
        source,
        product: 'deposit',
        amountFen: (i + 1) * 10_000,
        today: created,
      }).id;
      for (const to of paths[k++ % paths.length]!) {
        await ok(w, 'opportunities.move', { id, to, ...(to === 'lost' ? { lostReason: '无意向' } : {}) }, pres);
      }
    }
    // Reference: replay each opportunity's history (not the maintained reached_rank column).
    const RANK = { identified: 0, contacted: 1, proposal: 2, negotiating: 3, won: 4 } as Record<string, number>;
    const ref = (from?: string, to?: string, ownerScope?: number) => {
      const rows = w.db
        .prepare(
          `SELECT o.id, o.stage, o.source, o.amount_fen AS amt, o.created_on AS created, o.owner_staff_id AS owner, o.branch_id AS branch,
                  (SELECT json_group_array(h.to_stage) FROM opportunity_history h WHERE h.opportunity_id = o.id) AS path
           FROM opportunities o`,
        )
        .all() as {
        id: number;
        stage: string;
        source: string;
        amt: number;
        created: string;
        owner: number | null;
        branch: number;
        path: string;
      }[];
      const inRange = rows.filter(
        (r) =>
          (!from || r.created >= from) &&
          (!to || r.created <= to) &&
          (ownerScope === undefined ? r.branch !== w.ids.otherBranch : r.owner === ownerScope),
      );
      const reach = (r: (typeof rows)[number]) =>
        Math.max(...(JSON.parse(r.path) as string[]).filter((s) => s !== 'lost').map((s) => RANK[s]!));
      return {
        reached: FUNNEL_STAGES.map((s) =>
          inRange
            .filter((r) => reach(r) >= RANK[s]!)
            .map((r) => r.id)
            .sort((a, b) => a - b),
        ),
        bySource: OPPORTUNITY_SOURCES.map((s) => inRange.filter((r) => r.source === s)),
      };
    };
    for (const [who, range, owner] of [
      [pres, {}, undefined],
      [pres, { from: '2026-10-05', to: '2026-10-20' }, undefined],
      [m1, {}, w.ids.staff.manager1],
    ] as const) {
      const fun = await ok(w, 'opportunities.funnel', range, who);
      const r = ref((range as { from?: string }).from, (range as { to?: string }).to, owner);
      expect(fun.stages.map((s) => s.reached)).toEqual(r.reached.map((x) => x.length));
      for (let i = 0; i < FUNNEL_STAGES.length; i++) {
        // Drill-down: the list behind each bar is exactly the reference's opportunities.
        const list = await ok(
          w,
          'opportunities.list',
          { filter: { ...range, reached: FUNNEL_STAGES[i] }, limit: 500 },
          who,
        );
        expect(list.total).toBe(fun.stages[i]!.reached);
        expect(list.rows.map((x) => x.id).sort((a, b) => a - b)).toEqual(r.reached[i]);
        if (i > 0)
          expect(fun.conversion[i - 1]!.rate).toBe(
            r.reached[i - 1]!.length ? r.reached[i]!.length / r.reached[i - 1]!.length : null,
          );
      }
      for (const s of fun.sources) {
        const rs = r.bySource[OPPORTUNITY_SOURCES.indexOf(s.source)]!;
        expect(s.total).toBe(rs.length);
        expect(s.won).toBe(rs.filter((x) => x.stage === 'won').length);
        expect(s.lost).toBe(rs.filter((x) => x.stage === 'lost').length);
        expect(s.wonAmount).toBe((rs.filter((x) => x.stage === 'won').reduce((a, x) => a + x.amt, 0) / 100).toFixed(2));
        const drillWon = await ok(
          w,
          'opportunities.list',
          { filter: { ...range, source: s.source, stage: 'won' }, limit: 500 },
          who,
        );
        expect(drillWon.total).toBe(s.won);
        const drillAll = await ok(w, 'opportunities.list', { filter: { ...range, source: s.source }, limit: 500 }, who);
        expect(drillAll.total).toBe(s.total);
      }
    }
  });
});
