import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureBranch, issueEnrolCode, revokePc } from '../../../db/hub/enrol';
import { compactChanges } from '../../../db/hub/maintain';
import type { Mutation } from '../../../shared/sync/protocol';
import { uuid7 } from '../../../shared/sync/ids';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolTestPc, get, ownerPool, post, startPg, type TestPg } from './support';

/**
 * The hub over HTTP against a real PostgreSQL: enrolment, exactly-once, conflicts, rules, commit order
 * under deliberately slow transactions, and wake-ups across two hub instances on one database.
 */
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;
let hub2: Hub;
// Mutations whose name says so sleep inside their transaction, after their writes, before COMMIT.
const slow = async (_c: unknown, ms: Mutation[]) => {
  for (const m of ms) {
    const delay = /^slow:(\d+)$/.exec(m.name);
    if (delay) await new Promise((r) => setTimeout(r, Number(delay[1])));
  }
};

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('hub');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db), beforeCommit: slow });
  hub2 = await startHub({ pg: server.appUrl(db) });
});
afterAll(async () => {
  await hub2?.close();
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

const item = (id: string, base: number, title: string, status = 'open') => ({
  table: 'sync_test_items',
  id,
  baseRevision: base,
  data: { title, status },
});
const push = (token: string, mutations: unknown[], url = hub.url) => post(`${url}/push`, { mutations }, token);
const pull = (token: string, cursor: number) => get(`${hub.url}/pull?cursor=${cursor}`, token);

describe('start-up', () => {
  it('warns when started with more than the application role, not with it', async () => {
    const logs: string[] = [];
    const privileged = await startHub({ pg: server.ownerUrl('hub'), log: (m) => logs.push(m) });
    await privileged.close();
    expect(logs).toContain('hub.privileges');
    const quiet: string[] = [];
    const app = await startHub({ pg: server.appUrl('hub'), log: (m) => quiet.push(m) });
    await app.close();
    expect(quiet).toEqual([]);
  });
});

describe('enrolment', () => {
  it('a code enrols one PC once; reuse, expiry, another branch and a wrong secret are refused', async () => {
    await ensureBranch(owner, 'E01');
    await ensureBranch(owner, 'E02');
    const { code } = await issueEnrolCode(owner, 'E01');
    const ok = await post(`${hub.url}/enrol`, { branch: 'E01', code: code.toLowerCase(), name: 'counter 1' });
    expect(ok.status).toBe(200);
    expect(ok.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await post(`${hub.url}/enrol`, { branch: 'E01', code, name: 'again' })).status).toBe(403);

    const other = await issueEnrolCode(owner, 'E01');
    expect((await post(`${hub.url}/enrol`, { branch: 'E02', code: other.code, name: 'x' })).status).toBe(403);
    const expired = await issueEnrolCode(owner, 'E01', -1000);
    expect((await post(`${hub.url}/enrol`, { branch: 'E01', code: expired.code, name: 'late' })).status).toBe(403);

    const token = `Bearer E01:${ok.body.pcId}:${ok.body.secret}`;
    expect((await pull(token, 0)).status).toBe(200);
    const wrong = `Bearer E01:${ok.body.pcId}:${'A'.repeat(43)}`;
    expect((await pull(wrong, 0)).status).toBe(401);
    expect((await pull(`Bearer E02:${ok.body.pcId}:${ok.body.secret}`, 0)).status).toBe(401);
    expect(await revokePc(hub.pool, 'E01', ok.body.pcId)).toBe(true);
    expect(await revokePc(hub.pool, 'E01', ok.body.pcId)).toBe(false);
    expect((await pull(token, 0)).status).toBe(401);

    const stored = await owner.query("SELECT code_hash FROM enrol_codes WHERE branch = 'E01'");
    expect(stored.rows.map((r) => r.code_hash)).not.toContain(code);
    const audit = await owner.query("SELECT action FROM audit WHERE branch = 'E01' ORDER BY id");
    expect(audit.rows.map((r) => r.action).filter((a) => a.startsWith('enrol.') || a === 'enrol')).toEqual([
      'enrol',
      'enrol.refused',
      'enrol.refused',
    ]);
    expect(audit.rows.map((r) => r.action)).toContain('pc.revoked');
  });
});

describe('push and pull', () => {
  it('applies a mutation exactly once, however often it is pushed', async () => {
    const pc = await enrolTestPc(hub.url, owner, 'X01');
    const id = uuid7();
    const m = { id: 1, name: 'items.create', args: { title: 'a' }, effects: [item(id, 0, 'a')] };
    const first = await push(pc.token, [m]);
    expect(first.body).toEqual({ results: [{ id: 1, outcome: 'applied' }], lastMutationId: 1 });
    const again = await Promise.all([push(pc.token, [m]), push(pc.token, [m], hub2.url)]);
    for (const r of again) expect(r.body.results).toEqual([{ id: 1, outcome: 'duplicate', first: 'applied' }]);
    const rows = await owner.query("SELECT count(*)::int AS n FROM changes WHERE branch = 'X01'");
    expect(rows.rows[0].n).toBe(1);
    const p = await pull(pc.token, 0);
    expect(p.body.changes).toEqual([
      { seq: 1, table: 'sync_test_items', id, revision: 1, data: { title: 'a', status: 'open' }, deleted: false },
    ]);
    expect(p.body.lastMutationId).toBe(1);
    // A pull may say how many mutations the PC still holds: the administrator's list of PCs shows it.
    expect((await get(`${hub.url}/pull?cursor=1&queued=7`, pc.token)).body.changes).toEqual([]);
    expect((await get(`${hub.url}/pull?cursor=1&queued=-1`, pc.token)).status).toBe(400);
    const row = await owner.query('SELECT queued FROM pcs WHERE pc_id = $1', [pc.pcId]);
    expect(row.rows[0].queued).toBe(7);
  });

  it('refuses with a conflict when a record moved since the PC read it, and a re-based retry applies', async () => {
    const a = await enrolTestPc(hub.url, owner, 'X02', 'A');
    const b = await enrolTestPc(hub.url, owner, 'X02', 'B');
    const id = uuid7();
    await push(a.token, [{ id: 1, name: 'create', args: {}, effects: [item(id, 0, 'v1')] }]);
    await push(a.token, [{ id: 2, name: 'edit', args: {}, effects: [item(id, 1, 'v2')] }]);
    const stale = await push(b.token, [{ id: 1, name: 'edit', args: {}, effects: [item(id, 1, 'from B')] }]);
    expect(stale.body.results).toEqual([
      {
        id: 1,
        outcome: 'conflict',
        reason: { table: 'sync_test_items', id, baseRevision: 1, revision: 2 },
      },
    ]);
    // The id is spent (processed once), the PC re-runs it under a new id on the fresh state.
    expect((await push(b.token, [{ id: 1, name: 'edit', args: {}, effects: [] }])).status).toBe(400);
    const retry = await push(b.token, [{ id: 2, name: 'edit', args: {}, effects: [item(id, 2, 'from B')] }]);
    expect(retry.body.results[0].outcome).toBe('applied');
    const rec = await owner.query("SELECT revision, data FROM records WHERE branch = 'X02' AND id = $1", [id]);
    expect(rec.rows[0]).toEqual({ revision: '3', data: { title: 'from B', status: 'open' } });
    const outcomes = await owner.query(
      "SELECT outcome, count(*)::int AS n FROM mutations WHERE branch = 'X02' GROUP BY 1 ORDER BY 1",
    );
    expect(outcomes.rows).toEqual([
      { outcome: 'applied', n: 3 },
      { outcome: 'conflict', n: 1 },
    ]);
  });

  it('refuses effects the write rules forbid, atomically, and keeps going with the batch', async () => {
    const pc = await enrolTestPc(hub.url, owner, 'X03');
    const [x, y] = [uuid7(), uuid7()];
    const r = await push(pc.token, [
      { id: 1, name: 'create', args: {}, effects: [item(x, 0, 'x', 'done')] },
      // the first effect is fine, the second is not: neither may land
      {
        id: 2,
        name: 'bad',
        args: {},
        effects: [item(y, 0, 'y'), { ...item(x, 1, 'x'), data: { title: 'x', n: 1.5, status: 'done' } }],
      },
      { id: 3, name: 'reopen', args: {}, effects: [item(x, 1, 'x', 'open')] },
      { id: 4, name: 'unknown', args: {}, effects: [{ table: 'no_such_table', id: 'u1', baseRevision: 0, data: {} }] },
      {
        id: 5,
        name: 'mark',
        args: {},
        effects: [{ table: 'sync_test_marks', id: 'u1:evt:42', baseRevision: 0, data: { done: true } }],
      },
      {
        id: 6,
        name: 'delete mark',
        args: {},
        effects: [{ table: 'sync_test_marks', id: 'u1:evt:42', baseRevision: 1, deleted: true }],
      },
      {
        id: 7,
        name: 'delete item',
        args: {},
        effects: [{ table: 'sync_test_items', id: x, baseRevision: 1, deleted: true }],
      },
    ]);
    expect(
      r.body.results.map((x: { outcome: string; reason?: { code?: string } }) => [x.outcome, x.reason?.code]),
    ).toEqual([
      ['applied', undefined],
      ['refused', 'bad_type'],
      ['refused', 'transition'],
      ['refused', 'unknown_table'],
      ['applied', undefined],
      ['refused', 'not_deletable'],
      ['applied', undefined],
    ]);
    expect(r.body.lastMutationId).toBe(7);
    const recs = await owner.query(
      "SELECT id, revision::int, deleted FROM records WHERE branch = 'X03' ORDER BY tbl, id",
    );
    expect(recs.rows).toEqual([
      { id: x, revision: 2, deleted: true },
      { id: 'u1:evt:42', revision: 1, deleted: false },
    ]);
  });

  it('rejects malformed batches and unauthenticated calls without touching anything', async () => {
    const pc = await enrolTestPc(hub.url, owner, 'X04');
    const m = (id: number) => ({ id, name: 'n', args: {}, effects: [item(uuid7(), 0, 't')] });
    expect((await push(pc.token, [m(2), m(1)])).status).toBe(400);
    expect(
      (await push(pc.token, [{ ...m(1), effects: [{ table: 't', id: 'x', baseRevision: 0, data: {}, sql: 'DROP' }] }]))
        .status,
    ).toBe(400);
    expect((await push('Bearer nope', [m(1)])).status).toBe(401);
    const n = await owner.query("SELECT count(*)::int AS n FROM mutations WHERE branch = 'X04'");
    expect(n.rows[0].n).toBe(0);
  });
});

describe('actors', () => {
  it('checks each write as the user the hub knows, with the role the hub resolves, never one sent', async () => {
    const roles: Record<string, string> = { t1: 'teller', m1: 'manager' };
    const withUsers = await startHub({
      pg: server.appUrl('hub'),
      resolveActor: async (_c, _branch, userId) => (roles[userId] ? { userId, role: roles[userId] } : null),
    });
    try {
      const pc = await enrolTestPc(withUsers.url, owner, 'ACT');
      const [x, y] = [uuid7(), uuid7()];
      const as = (id: number, userId: string | undefined, effects: unknown[]) => ({
        id,
        name: 'n',
        args: {},
        effects,
        ...(userId ? { userId } : {}),
      });
      const r = await push(
        pc.token,
        [
          as(1, 't1', [item(x, 0, 'flag'), item(y, 0, 'other')]),
          as(2, 't1', [item(x, 1, 'flag', 'done')]),
          as(3, 'ghost', [item(y, 1, 'other', 'done')]),
          as(4, 'm1', [item(x, 1, 'flag', 'done')]),
        ],
        withUsers.url,
      );
      expect(r.body.results).toEqual([
        { id: 1, outcome: 'applied' },
        {
          id: 2,
          outcome: 'refused',
          reason: { code: 'transition', table: 'sync_test_items', id: x, detail: 'role_cannot_complete' },
        },
        { id: 3, outcome: 'refused', reason: { code: 'unknown_user', userId: 'ghost' } },
        { id: 4, outcome: 'applied' },
      ]);
      const who = await owner.query("SELECT mutation_id::int, user_id FROM mutations WHERE branch = 'ACT' ORDER BY 1");
      expect(who.rows.map((w) => w.user_id)).toEqual(['t1', 't1', 'ghost', 'm1']);
      // A role the PC claims changes nothing when the hub knows the user: its resolver says who is who.
      const sneaky = await push(
        pc.token,
        [{ ...as(5, 't1', [item(y, 1, 'other', 'done')]), role: 'manager' }],
        withUsers.url,
      );
      expect(sneaky.body.results).toEqual([
        {
          id: 5,
          outcome: 'refused',
          reason: { code: 'transition', table: 'sync_test_items', id: y, detail: 'role_cannot_complete' },
        },
      ]);
    } finally {
      await withUsers.close();
    }
  });
});

describe('compaction', () => {
  it('keeps the latest change per record; PCs at any cursor still end at the hub state', async () => {
    const pc = await enrolTestPc(hub.url, owner, 'CMP');
    const [x, y] = [uuid7(), uuid7()];
    const ms = [
      { id: 1, name: 'c', args: {}, effects: [item(x, 0, 'x1'), item(y, 0, 'y1')] },
      { id: 2, name: 'e', args: {}, effects: [item(x, 1, 'x2')] },
      { id: 3, name: 'e', args: {}, effects: [item(x, 2, 'x3', 'done')] },
      { id: 4, name: 'd', args: {}, effects: [{ table: 'sync_test_items', id: y, baseRevision: 1, deleted: true }] },
    ];
    await push(pc.token, ms);
    const replay = async (from: number) => {
      const seen = new Map<string, unknown>();
      for (const c of (await pull(pc.token, from)).body.changes) seen.set(c.id, [c.revision, c.data, c.deleted]);
      return seen;
    };
    const before = [await replay(0), await replay(2)];
    expect(await compactChanges(owner, 'CMP')).toBe(3);
    const left = await owner.query("SELECT seq::int, id FROM changes WHERE branch = 'CMP' ORDER BY seq");
    expect(left.rows).toEqual([
      { seq: 4, id: x },
      { seq: 5, id: y },
    ]);
    expect(await replay(0)).toEqual(before[0]);
    expect(await replay(2)).toEqual(before[1]);
    expect((await replay(0)).get(x)).toEqual([3, { title: 'x3', status: 'done' }, false]);
    expect(await compactChanges(owner, 'CMP')).toBe(0);
  });
});

describe('commit order', () => {
  it('a BIGSERIAL can become visible out of order (the hazard the branch lock exists for)', async () => {
    await owner.query('CREATE TABLE IF NOT EXISTS serial_demo (seq bigserial PRIMARY KEY)');
    const [t1, t2] = [await owner.connect(), await owner.connect()];
    try {
      await t1.query('BEGIN');
      const first = (await t1.query('INSERT INTO serial_demo DEFAULT VALUES RETURNING seq')).rows[0].seq;
      await t2.query('BEGIN');
      await t2.query('INSERT INTO serial_demo DEFAULT VALUES');
      await t2.query('COMMIT');
      const seen = await owner.query('SELECT max(seq) AS m FROM serial_demo');
      // A reader now sees the later number while the earlier one is still to come.
      expect(Number(seen.rows[0].m)).toBeGreaterThan(Number(first));
      await t1.query('COMMIT');
    } finally {
      t1.release();
      t2.release();
    }
  });

  it('a pull never skips a change that committed late: slow and fast writers race a polling PC', async () => {
    const pcs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => enrolTestPc(hub.url, owner, 'ORD', `pc${i}`)));
    const reader = pcs[0]!;
    const seen: { seq: number; id: string }[] = [];
    let cursor = 0;
    let stop = false;
    const poller = (async () => {
      for (;;) {
        const done = stop; // one more pull after the writers finished
        const p = await pull(reader.token, cursor);
        for (const c of p.body.changes) seen.push({ seq: c.seq, id: c.id });
        cursor = p.body.cursor;
        if (done && !p.body.more) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const written: string[] = [];
    const finished: Record<string, number> = {};
    const t0 = Date.now();
    // Round 1: one transaction sleeps 500 ms before COMMIT while the others try to commit meanwhile.
    // Rounds 2-3: every writer sleeps a random 0-200 ms inside its transaction.
    for (const round of [1, 2, 3]) {
      await Promise.all(
        pcs.slice(1).map(async (pc, i) => {
          const delay = round === 1 ? (i === 0 ? 500 : 0) : Math.floor(Math.random() * 200);
          if (round === 1 && i > 0) await new Promise((r) => setTimeout(r, 50));
          const ids = [uuid7(), uuid7()];
          written.push(...ids);
          const r = await push(pc.token, [
            { id: round, name: `slow:${delay}`, args: {}, effects: ids.map((id) => item(id, 0, `r${round}`)) },
          ]);
          expect(r.body.results[0].outcome).toBe('applied');
          if (round === 1) finished[i] = Date.now() - t0;
        }),
      );
    }
    stop = true;
    await poller;
    // The fast writers of round 1 waited for the slow one: the branch lock held them until it committed.
    for (const i of [1, 2, 3, 4]) expect(finished[i]).toBeGreaterThanOrEqual(finished[0]! - 5);
    expect(seen.map((s) => s.seq)).toEqual(written.map((_, i) => i + 1));
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set(written));
  });
});

describe('wake-ups', () => {
  function listen(url: string, token: string): Promise<{ ws: WebSocket; messages: { at: number; data: string }[] }> {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/wake`, { headers: { authorization: token } });
    const messages: { at: number; data: string }[] = [];
    ws.on('message', (d) => messages.push({ at: performance.now(), data: d.toString() }));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, messages }));
      ws.once('error', reject);
    });
  }
  const until = async (cond: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    return cond();
  };

  it('a push on hub 1 wakes the branch PCs connected to hub 2 (LISTEN/NOTIFY), and only that branch', async () => {
    const writer = await enrolTestPc(hub.url, owner, 'W01', 'writer');
    const onHub2 = await enrolTestPc(hub.url, owner, 'W01', 'on hub 2');
    const onHub1 = await enrolTestPc(hub.url, owner, 'W01', 'on hub 1');
    const otherBranch = await enrolTestPc(hub.url, owner, 'W02', 'elsewhere');
    const a = await listen(hub2.url, onHub2.token);
    const b = await listen(hub.url, onHub1.token);
    const c = await listen(hub2.url, otherBranch.token);
    await until(() => hub2.wake.connectedCount('W01') === 1 && hub.wake.connectedCount('W01') === 1);
    const latencies: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const before = a.messages.length;
      const t = performance.now();
      await push(writer.token, [{ id: i, name: 'create', args: {}, effects: [item(uuid7(), 0, `w${i}`)] }]);
      expect(await until(() => a.messages.length > before)).toBe(true);
      latencies.push(a.messages.at(-1)!.at - t);
    }
    expect(await until(() => b.messages.length === 5)).toBe(true);
    expect(JSON.parse(a.messages[0]!.data)).toEqual({ type: 'pull' });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.messages).toEqual([]);
    // A duplicate push changes nothing and wakes nobody.
    await push(writer.token, [{ id: 5, name: 'create', args: {}, effects: [item(uuid7(), 0, 'dup')] }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.messages.length).toBe(5);
    console.info(
      `wake-up latency push→PC on the other hub (ms, incl. the push round trip): ${latencies.map((l) => l.toFixed(1)).join(', ')}`,
    );
    for (const x of [a, b, c]) x.ws.close();
  });

  it('a hub whose LISTEN connection drops reconnects, wakes its PCs to catch up, and keeps waking them', async () => {
    const writer = await enrolTestPc(hub.url, owner, 'W03', 'writer');
    const reader = await enrolTestPc(hub.url, owner, 'W03', 'reader');
    const a = await listen(hub2.url, reader.token);
    await until(() => hub2.wake.connectedCount('W03') === 1);
    // Both hubs LISTEN; end every such session: PostgreSQL restarts and failovers look like this.
    const killed = await owner.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
    );
    expect(killed.rowCount).toBe(2);
    // Back on its feet, the hub wakes everyone once (notifications sent meanwhile were lost).
    expect(await until(() => a.messages.length === 1, 5000)).toBe(true);
    await push(writer.token, [{ id: 1, name: 'create', args: {}, effects: [item(uuid7(), 0, 'after')] }]);
    expect(await until(() => a.messages.length === 2)).toBe(true);
    a.ws.close();
  });

  it('refuses a wake-up connection without a valid PC token', async () => {
    const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/wake`, { headers: { authorization: 'Bearer x' } });
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });
});
