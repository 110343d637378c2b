import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { startWorkstationSync } from '../../../main/sync/start';
import type { SyncWorker } from '../../../main/sync/worker';
import type { GridColumnState } from '../../../shared/api';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { makeWorld, ok, signIn, type World } from '../support/store';
import { enrolTestPc, ownerPool, post, startPg, type TestPg } from './support';
import { CablePlug, until, closePcs, replicasConverged } from './workstations';

/**
 * A user's settings, reminder preferences and desktop, and the roles' desktop templates, on the hub
 * (issue 16): three workstation services (each its own SQLite store) joined to two hubs on one
 * PostgreSQL. What a user sets on one PC is theirs on every PC; a template the administrator publishes
 * on one PC is every PC's; the hub refuses a writer the rules do not allow (shared/sync/settings-rules.ts).
 */
const BRANCH = 'S01';
let server: TestPg;
let owner: pg.Pool;
let hub1: Hub;
let hub2: Hub;

interface Pc {
  w: World;
  worker: SyncWorker;
  cable: CablePlug;
  s: Record<string, string>;
}
const pcs: Pc[] = [];
let A: Pc;
let B: Pc;
let C: Pc;
const USERS = ['manager1', 'manager2', 'president', 'admin'];

async function openPc(name: string, hub: Hub): Promise<Pc> {
  const w = await makeWorld();
  ensureSyncSchema(w.db);
  const cable = await new CablePlug(hub.port).listen();
  await ensureBranch(owner, BRANCH);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await enrolWorkstation(w.db, { hubUrl: `http://127.0.0.1:${cable.port}`, branch: BRANCH, code, name });
  const worker = startWorkstationSync(w.db, { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 });
  if (!worker) throw new Error('joined store without a sync worker');
  const s: Record<string, string> = {};
  for (const u of USERS) s[u] = await signIn(w, u);
  const pc = { w, worker, cable, s };
  pcs.push(pc);
  return pc;
}

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('settings');
  owner = ownerPool(server, db);
  hub1 = await startHub({ pg: server.appUrl(db) });
  hub2 = await startHub({ pg: server.appUrl(db) });
  A = await openPc('A', hub1);
  B = await openPc('B', hub2);
  C = await openPc('C', hub1);
  for (const p of pcs) expect(await until(() => p.worker.listening)).toBe(true);
}, 60_000);

afterAll(async () => {
  await closePcs(pcs);
  await hub2?.close();
  await hub1?.close();
  await owner?.end();
  await server?.stop();
});

const converged = (): Promise<boolean> =>
  replicasConverged(
    owner,
    BRANCH,
    pcs.map((p) => p.w.db),
  );

const LAYOUT: GridColumnState[] = [
  { colId: 'fav', width: 52, hide: false, pinned: 'left' },
  { colId: 'name', width: 170, hide: false, pinned: 'left' },
  { colId: 'aum', width: 210, hide: false, pinned: 'right' },
];

/** The hub's revision of a record (0: none). */
async function revisionOf(table: string, id: string): Promise<number> {
  const r = await owner.query('SELECT revision FROM records WHERE branch = $1 AND tbl = $2 AND id = $3', [
    BRANCH,
    table,
    id,
  ]);
  return Number(r.rows[0]?.revision ?? 0);
}

/**
 * A hand-made push from an enrolled PC that names `userId` as the writer, each effect at the hub's
 * current revision (so only the write rules can refuse it).
 */
async function forge(
  hub: Hub,
  pcName: string,
  userId: string,
  role: string,
  writes: { table: string; id: string; data: Record<string, unknown> }[],
) {
  const pc = await enrolTestPc(`http://127.0.0.1:${hub.port}`, owner, BRANCH, pcName);
  const effects = [];
  for (const w of writes) effects.push({ ...w, baseRevision: await revisionOf(w.table, w.id) });
  const res = await post(
    `http://127.0.0.1:${hub.port}/push`,
    { mutations: [{ id: 1, name: 'forged', args: {}, userId, role, effects }] },
    pc.token,
  );
  if (!Array.isArray(res.body.results)) throw new Error(`push: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.results.map((r: { reason?: { code: string; detail?: string } }) =>
    r.reason ? (r.reason.detail ?? r.reason.code) : 'applied',
  );
}

describe('user settings and reminder preferences through the hub', () => {
  it("manager1's grid settings and reminder preferences set on A are theirs on B and C; a reset on B reaches A", async () => {
    await ok(A.w, 'settings.gridLayout.save', { layout: LAYOUT }, A.s.manager1);
    await ok(A.w, 'settings.gridPanels.save', { statsCollapsed: true }, A.s.manager1);
    const prefs = (await ok(A.w, 'reminders.prefs', {}, A.s.manager1)).prefs.map((p) =>
      p.kind === 'birthday' ? { ...p, enabled: false, leadDays: 10 } : p,
    );
    await ok(A.w, 'reminders.savePrefs', { prefs, audience: { mine: true, lists: true, branch: false } }, A.s.manager1);

    for (const pc of [B, C]) {
      expect(
        await until(async () => (await ok(pc.w, 'settings.gridLayout.get', {}, pc.s.manager1)).layout !== null),
      ).toBe(true);
      expect((await ok(pc.w, 'settings.gridLayout.get', {}, pc.s.manager1)).layout).toEqual(LAYOUT);
      expect(
        await until(async () => (await ok(pc.w, 'settings.gridPanels.get', {}, pc.s.manager1)).statsCollapsed),
      ).toBe(true);
      expect(
        await until(async () => (await ok(pc.w, 'reminders.prefs', {}, pc.s.manager1)).audience.lists === true),
      ).toBe(true);
      const there = await ok(pc.w, 'reminders.prefs', {}, pc.s.manager1);
      expect(there.prefs).toEqual(prefs);
      // Another user's settings on the same PC are untouched.
      expect((await ok(pc.w, 'settings.gridLayout.get', {}, pc.s.manager2)).layout).toBeNull();
      expect((await ok(pc.w, 'reminders.prefs', {}, pc.s.manager2)).audience.lists).toBe(false);
    }

    // Back to the defaults on B: gone on A too (the record is deleted on the hub).
    expect(await ok(B.w, 'settings.gridLayout.reset', {}, B.s.manager1)).toEqual({ removed: true });
    await ok(B.w, 'settings.gridPanels.save', { statsCollapsed: false }, B.s.manager1);
    expect(await until(async () => (await ok(A.w, 'settings.gridLayout.get', {}, A.s.manager1)).layout === null)).toBe(
      true,
    );
    expect(await until(async () => !(await ok(A.w, 'settings.gridPanels.get', {}, A.s.manager1)).statsCollapsed)).toBe(
      true,
    );
    expect(await until(converged)).toBe(true);
  });

  it("the hub refuses another user's settings, a manager's branch audience and a value the API would refuse", async () => {
    const prefs = (await ok(A.w, 'reminders.prefs', {}, A.s.manager2)).prefs;
    expect(
      await forge(hub1, 'rogue-settings', 'manager2', 'manager', [
        {
          table: 'user_settings',
          id: 'manager1:grid.customers.panels',
          data: { user: 'manager1', key: 'grid.customers.panels', value: { statsCollapsed: true } },
        },
      ]),
    ).toEqual(['not_own']);
    expect(
      await forge(hub2, 'rogue-prefs', 'manager2', 'manager', [
        {
          table: 'reminder_prefs',
          id: 'manager2',
          data: { user: 'manager2', prefs, audience: { mine: true, lists: false, branch: true } },
        },
      ]),
    ).toEqual(['role_cannot_branch']);
    expect(
      await forge(hub1, 'rogue-grid', 'manager2', 'manager', [
        {
          table: 'user_settings',
          id: 'manager2:grid.customers.layout',
          data: {
            user: 'manager2',
            key: 'grid.customers.layout',
            value: [{ colId: 'password', width: 100, hide: false, pinned: null }],
          },
        },
      ]),
    ).toEqual(['bad_value']);
    const live = await owner.query(
      "SELECT count(*)::int AS n FROM records WHERE branch = $1 AND tbl IN ('user_settings', 'reminder_prefs') AND id LIKE 'manager2%'",
      [BRANCH],
    );
    expect(live.rows[0].n).toBe(0);
  });
});

describe('desktops and desktop templates through the hub', () => {
  it("manager1's desktop saved on A is theirs on B; reset on B, A shows the template again", async () => {
    const start = await ok(A.w, 'desktop.data', {}, A.s.manager1);
    const mine = { widgets: start.layout.widgets.slice(0, 2).map((x) => ({ ...x, y: x.y + 1 })) };
    const saved = await ok(A.w, 'desktop.save', { layout: mine }, A.s.manager1);
    expect(await until(async () => (await ok(B.w, 'desktop.data', {}, B.s.manager1)).source === 'user')).toBe(true);
    expect((await ok(B.w, 'desktop.data', {}, B.s.manager1)).layout).toEqual(saved.layout);
    // manager2's desktop on B is still the default.
    expect((await ok(B.w, 'desktop.data', {}, B.s.manager2)).source).toBe('default');

    await ok(B.w, 'desktop.reset', {}, B.s.manager1);
    expect(await until(async () => (await ok(A.w, 'desktop.data', {}, A.s.manager1)).source !== 'user')).toBe(true);
    expect(await until(converged)).toBe(true);
  });

  it("a list widget on manager1's desktop shows the same list on B, under B's own id for it", async () => {
    // Lists made on A and B while apart get different local ids on each PC.
    A.cable.unplug();
    expect(await until(() => !A.worker.listening)).toBe(true);
    await ok(B.w, 'lists.save', { name: '他人名单', shared: false }, B.s.manager2);
    const onA = await ok(A.w, 'lists.save', { name: '桌面名单', shared: false }, A.s.manager1);
    A.cable.plug();
    expect(
      await until(async () => (await ok(B.w, 'lists.list', {}, B.s.manager1)).some((l) => l.name === '桌面名单')),
    ).toBe(true);
    const onB = (await ok(B.w, 'lists.list', {}, B.s.manager1)).find((l) => l.name === '桌面名单')!;
    expect(onB.id).not.toBe(onA.id);

    const widget = { id: 'mylist', kind: 'list' as const, config: { listId: onA.id }, x: 0, y: 0, w: 4, h: 4 };
    await ok(A.w, 'desktop.save', { layout: { widgets: [widget] } }, A.s.manager1);
    expect(await until(async () => (await ok(B.w, 'desktop.data', {}, B.s.manager1)).source === 'user')).toBe(true);
    const there = await ok(B.w, 'desktop.data', {}, B.s.manager1);
    expect(there.layout.widgets).toEqual([{ ...widget, config: { listId: onB.id } }]);
    // A keeps its own layout as saved.
    expect((await ok(A.w, 'desktop.data', {}, A.s.manager1)).layout.widgets).toEqual([widget]);
    await ok(A.w, 'desktop.reset', {}, A.s.manager1);
    expect(await until(converged)).toBe(true);
  });

  it("the administrator's template published on C is every PC's; the hub refuses a manager who publishes one", async () => {
    const base = await ok(C.w, 'desktop.template', { role: 'manager' }, C.s.admin);
    const layout = { widgets: base.layout.widgets.slice(0, 3) };
    const published = await ok(C.w, 'desktop.publishTemplate', { role: 'manager', layout }, C.s.admin);
    expect(published.builtIn).toBe(false);
    for (const pc of [A, B]) {
      expect(await until(async () => (await ok(pc.w, 'desktop.data', {}, pc.s.manager2)).source === 'template')).toBe(
        true,
      );
      expect((await ok(pc.w, 'desktop.data', {}, pc.s.manager2)).layout).toEqual(published.layout);
      const t = await ok(pc.w, 'desktop.template', { role: 'manager' }, pc.s.admin);
      expect(t).toMatchObject({ builtIn: false, publishedAt: published.publishedAt, publishedBy: 'admin' });
    }
    expect(await until(converged)).toBe(true);

    const rec = (
      await owner.query(
        "SELECT revision, data FROM records WHERE branch = $1 AND tbl = 'desktop_templates' AND id = 'manager'",
        [BRANCH],
      )
    ).rows[0] as { revision: number; data: Record<string, unknown> };
    const forged = { ...rec.data, layout: { widgets: [] }, published_by: 'manager1' };
    expect(
      await forge(hub2, 'rogue-template', 'manager1', 'manager', [
        { table: 'desktop_templates', id: 'manager', data: forged },
      ]),
    ).toEqual(['role_cannot_publish']);
    expect(
      await forge(hub1, 'rogue-desktop', 'manager2', 'manager', [
        { table: 'desktop_layouts', id: 'manager1', data: { user: 'manager1', layout } },
      ]),
    ).toEqual(['not_own']);
    const after = await owner.query(
      "SELECT revision FROM records WHERE branch = $1 AND tbl = 'desktop_templates' AND id = 'manager'",
      [BRANCH],
    );
    expect(Number(after.rows[0].revision)).toBe(Number(rec.revision));
  });
});

describe('opportunity rule settings through the hub', () => {
  it("the administrator's rule settings saved on A are every PC's; the hub refuses a manager's", async () => {
    const rules = await ok(A.w, 'rules.list', {}, A.s.admin);
    const rule = rules.find((r) => r.paramDefs.length > 0)!;
    const def = rule.paramDefs[0]!;
    const value = rule.params[def.key] === def.max ? def.min : def.max;
    const params = { ...rule.params, [def.key]: value };
    await ok(A.w, 'rules.save', { code: rule.code, enabled: false, params }, A.s.admin);
    for (const pc of [B, C]) {
      expect(
        await until(
          async () =>
            (await ok(pc.w, 'rules.list', {}, pc.s.admin)).find((r) => r.code === rule.code)?.enabled === false,
        ),
      ).toBe(true);
      expect((await ok(pc.w, 'rules.list', {}, pc.s.admin)).find((r) => r.code === rule.code)?.params).toEqual(params);
      // The other rules keep their settings.
      const other = (await ok(pc.w, 'rules.list', {}, pc.s.admin)).filter((r) => r.code !== rule.code);
      expect(other.every((r) => r.enabled)).toBe(true);
    }
    // Switched back on, on C: A follows.
    await ok(C.w, 'rules.save', { code: rule.code, enabled: true, params }, C.s.admin);
    expect(
      await until(
        async () => (await ok(A.w, 'rules.list', {}, A.s.admin)).find((r) => r.code === rule.code)?.enabled === true,
      ),
    ).toBe(true);
    expect(await until(converged)).toBe(true);

    const rec = (
      await owner.query("SELECT data FROM records WHERE branch = $1 AND tbl = 'rule_settings' AND id = $2", [
        BRANCH,
        rule.code,
      ])
    ).rows[0] as { data: Record<string, unknown> };
    expect(rec.data).toMatchObject({ code: rule.code, enabled: true, params, updated_by: 'admin' });
    expect(
      await forge(hub2, 'rogue-rules', 'manager1', 'manager', [
        { table: 'rule_settings', id: rule.code, data: { ...rec.data, enabled: false, updated_by: 'manager1' } },
      ]),
    ).toEqual(['role_cannot_configure']);
    expect(
      await forge(hub1, 'rogue-rules-2', 'admin', 'admin', [
        { table: 'rule_settings', id: rule.code, data: { ...rec.data, params: { [def.key]: 'many' } } },
      ]),
    ).toEqual(['bad_params']);
  });
});

describe('tier model versions through the hub', () => {
  const tiers = (pc: Pc) =>
    pc.w.db.prepare('SELECT customer_no AS no, tier FROM customers ORDER BY customer_no').all() as {
      no: string;
      tier: string | null;
    }[];

  it("a model the administrator applies on A re-tiers B's and C's books alike; versions are insert-only", async () => {
    const model = {
      ...DEFAULT_TIER_MODEL,
      name: '网点统一模型',
      thresholds: { ...DEFAULT_TIER_MODEL.thresholds, quality: 30 },
    };
    const applied = await ok(A.w, 'tiers.apply', { model }, A.s.admin);
    expect(applied.changed).toBeGreaterThan(0);
    // What follows a re-tier (main/jobs/follow-ups.ts): each user's digest reminder of the re-tier, made by
    // the reminders step for the version the PC made; on B and C, made when they adopt A's model.
    const digests = (pc: Pc) => {
      const local = pc.w.db.prepare('SELECT version FROM tier_models WHERE active = 1').pluck().get();
      return pc.w.db
        .prepare(
          `SELECT u.username FROM reminders r JOIN users u ON u.id = r.user_id
            WHERE r.kind = 'tier_change' AND r.source_type = 'tier_model' AND r.source_id = ? ORDER BY u.username`,
        )
        .pluck()
        .all(String(local)) as string[];
    };
    expect(digests(A).length).toBeGreaterThan(0);
    for (const pc of [B, C]) {
      expect(
        await until(async () => (await ok(pc.w, 'tiers.model', {}, pc.s.admin)).active?.model.name === model.name),
      ).toBe(true);
      expect((await ok(pc.w, 'tiers.model', {}, pc.s.admin)).active?.model).toEqual(model);
      expect(tiers(pc)).toEqual(tiers(A));
      // Scheduled by the adoption itself, not left for the next import or start-up.
      expect(await until(() => digests(pc).length > 0)).toBe(true);
      expect(digests(pc)).toEqual(digests(A));
    }
    // A second model on B: the pointer moves everywhere, the first version stays on the hub as it was.
    const second = { ...model, name: '网点统一模型二' };
    await ok(B.w, 'tiers.apply', { model: second }, B.s.admin);
    expect(
      await until(async () => (await ok(A.w, 'tiers.model', {}, A.s.admin)).active?.model.name === second.name),
    ).toBe(true);
    expect(await until(converged)).toBe(true);
    const versions = await owner.query(
      "SELECT id, data FROM records WHERE branch = $1 AND tbl = 'tier_model_versions' ORDER BY id",
      [BRANCH],
    );
    expect(versions.rows.map((r) => (r.data as { definition: { name: string } }).definition.name)).toEqual([
      model.name,
      second.name,
    ]);
    // Each PC made exactly one local version per activation (A: its own, then B's).
    for (const pc of [A, B, C]) expect(pc.w.db.prepare('SELECT COUNT(*) FROM tier_models').pluck().get()).toBe(2);

    const first = versions.rows[0] as { id: string; data: Record<string, unknown> };
    expect(
      await forge(hub1, 'rogue-tier', 'admin', 'admin', [
        { table: 'tier_model_versions', id: first.id, data: { ...first.data, created_at: '2000-01-01T00:00:00Z' } },
      ]),
    ).toEqual(['version_is_immutable']);
    expect(
      await forge(hub2, 'rogue-tier-2', 'manager1', 'manager', [
        {
          table: 'tier_model_active',
          id: 'branch',
          data: { version: first.id, activated_by: 'manager1', activated_at: '2026-12-01T00:00:00Z' },
        },
      ]),
    ).toEqual(['role_cannot_activate']);
    expect(
      await forge(hub2, 'rogue-tier-3', 'admin', 'admin', [
        {
          table: 'tier_model_active',
          id: 'branch',
          data: {
            version: '01900000-0000-7000-8000-000000000000',
            activated_by: 'admin',
            activated_at: '2026-12-01T00:00:00Z',
          },
        },
      ]),
    ).toEqual(['no_such_version']);
  });
});

describe('import profiles through the hub', () => {
  const mine = async (pc: Pc) => (await ok(pc.w, 'imports.profiles.list', {}, pc.s.admin)).filter((p) => !p.builtin);

  it("the administrator's profile saved on A is on B and C; changed on B, deleted on C, everywhere", async () => {
    const builtin = (await ok(A.w, 'imports.profiles.list', {}, A.s.admin)).find((p) => p.builtin)!;
    const profile = { ...builtin.profile, name: '本行客户扩展格式' };
    const saved = await ok(A.w, 'imports.profiles.save', { profile }, A.s.admin);
    for (const pc of [B, C]) {
      expect(await until(async () => (await mine(pc)).some((p) => p.name === profile.name))).toBe(true);
      expect((await mine(pc)).find((p) => p.name === profile.name)?.profile).toEqual(saved.profile);
    }
    const onB = (await mine(B)).find((p) => p.name === profile.name)!;
    await ok(
      B.w,
      'imports.profiles.save',
      { id: onB.id, profile: { ...onB.profile, name: '本行客户扩展格式二' } },
      B.s.admin,
    );
    expect(await until(async () => (await mine(A)).some((p) => p.name === '本行客户扩展格式二'))).toBe(true);
    expect((await mine(A)).map((p) => p.id)).toEqual([saved.id]);

    expect(await until(async () => (await mine(C)).some((p) => p.name === '本行客户扩展格式二'))).toBe(true);
    const onC = (await mine(C)).find((p) => p.name === '本行客户扩展格式二');
    expect(onC).toBeDefined();
    await ok(C.w, 'imports.profiles.delete', { id: onC!.id }, C.s.admin);
    expect(await until(async () => (await mine(A)).length === 0 && (await mine(B)).length === 0)).toBe(true);
    expect(await until(converged)).toBe(true);

    // The president has no job.manage: the hub refuses a profile in their name.
    expect(
      await forge(hub1, 'rogue-profile', 'president', 'president', [
        {
          table: 'import_profiles',
          id: '01900000-0000-7000-8000-0000000000aa',
          data: { name: profile.name, kind: profile.kind, definition: profile, created_by: 'president' },
        },
      ]),
    ).toEqual(['permission']);
  });
});

describe('customer value settings through the hub', () => {
  it("the president's score parameters saved on A are every PC's; the hub refuses a manager's and a bad set", async () => {
    const view = await ok(A.w, 'scores.settings', {}, A.s.president);
    const params = { ...view.params, feeShare: view.params.feeShare === 500_000 ? 400_000 : 500_000 };
    await ok(A.w, 'scores.saveSettings', { params }, A.s.president);
    for (const pc of [B, C])
      expect(
        await until(
          async () => (await ok(pc.w, 'scores.settings', {}, pc.s.admin)).params.feeShare === params.feeShare,
        ),
      ).toBe(true);
    expect(await until(converged)).toBe(true);
    const rec = (
      await owner.query("SELECT data FROM records WHERE branch = $1 AND tbl = 'score_settings' AND id = 'branch'", [
        BRANCH,
      ])
    ).rows[0] as { data: Record<string, unknown> };
    expect(rec.data).toMatchObject({ params, updated_by: 'president' });
    expect(
      await forge(hub2, 'rogue-scores', 'manager1', 'manager', [
        { table: 'score_settings', id: 'branch', data: { ...rec.data, updated_by: 'manager1' } },
      ]),
    ).toEqual(['role_cannot_configure']);
    expect(
      await forge(hub1, 'rogue-scores-2', 'admin', 'admin', [
        {
          table: 'score_settings',
          id: 'branch',
          data: { ...rec.data, params: { ...params, feeShare: -1 }, updated_by: 'admin' },
        },
      ]),
    ).toEqual(['bad_params']);
  });
});
