import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import { foldTierFloods, generateReminders } from '../../../db/relationship/reminder-rules';
import { whatIf } from '../../../db/tiering';
import type { Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { DEFAULT_TIER_MODEL, type TierModel } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { demoSignIn } from '../support/demo-session';

/**
 * Issue 17 item 4: a re-tier reaches each manager as one digest (not one reminder per customer), the
 * digest's customer list is exactly that run's changes in the manager's book, and the what-if tells
 * "already out of date" (stored tier vs the current model) from "moved by this change".
 */

let services: Services;
let registry: ReturnType<typeof createRegistry>;
const sessions: Record<string, string> = {};
async function ok<M extends MethodName>(user: string, method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await registry.dispatch({ method, input, session: sessions[user]! }, { adapter: 'test' })) as CallResult<
    Output<M>
  >;
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}
const moves = (cells: { from: string; to: string; customers: number }[]) =>
  cells.filter((c) => c.from !== c.to).reduce((s, c) => s + c.customers, 0);
const key = (cells: { from: string; to: string; customers: number; aum?: string; aumFen?: bigint }[]) =>
  cells
    .map((c) => `${c.from}>${c.to}:${c.customers}:${c.aum ?? (Number(c.aumFen) / 100).toFixed(2)}`)
    .sort()
    .join(' ');

/** The default model with every threshold five points higher: a real change that moves customers down. */
const STRICTER: TierModel = {
  ...DEFAULT_TIER_MODEL,
  name: '提高门槛',
  thresholds: Object.fromEntries(
    Object.entries(DEFAULT_TIER_MODEL.thresholds).map(([k, v]) => [k, v + 5]),
  ) as TierModel['thresholds'],
};

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 400, seed: 91 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-11-03T02:00:00Z')),
  });
  registry = createRegistry(services);
  for (const u of ['admin', 'manager1', 'manager2', 'president']) sessions[u] = await demoSignIn(registry, u);
  await services.followUps.idle();
}, 90_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('what-if: drift apart from this change', () => {
  it('splits the moves a save makes into "already out of date" and "moved by this change"', async () => {
    const db = services.db;
    await ok('admin', 'tiers.apply', { model: DEFAULT_TIER_MODEL });
    await services.followUps.idle();
    // right after a save the stored tiers are the model's: no drift, and every move is the change's
    const clean = await ok('admin', 'tiers.whatIf', { model: STRICTER });
    expect(clean.baseline).toEqual({ version: 1 });
    expect(moves(clean.drift)).toBe(0);
    expect(moves(clean.changed)).toBeGreaterThan(0);
    expect(key(clean.changed)).toBe(key(clean.cells));
    const reference = whatIf(db, STRICTER); // stored == baseline here: the change alone

    // eight customers' stored tiers go out of date (as figures moving between re-tiers would do)
    const stale = db
      .prepare(`SELECT customer_id AS id, tier FROM customer_factors WHERE tier <> 'exit' ORDER BY customer_id LIMIT 8`)
      .all() as { id: number; tier: string }[];
    for (const c of stale) {
      db.prepare(`UPDATE customers SET tier = 'exit' WHERE id = ?`).run(c.id);
      db.prepare(`UPDATE customer_factors SET tier = 'exit' WHERE customer_id = ?`).run(c.id);
    }
    const split = await ok('admin', 'tiers.whatIf', { model: STRICTER });
    // drift: exactly those eight, from 'exit' back to what the current model gives them
    expect(moves(split.drift)).toBe(8);
    const back = new Map<string, number>();
    for (const c of stale) back.set(c.tier, (back.get(c.tier) ?? 0) + 1);
    for (const [tier, n] of back)
      expect(split.drift.find((x) => x.from === 'exit' && x.to === tier)?.customers, tier).toBe(n);
    // moved by this change: unchanged by the drift, to the fen
    expect(key(split.changed)).toBe(key(reference));
    // and the total is what a save would do, as the plain what-if counts it
    expect(key(split.cells)).toBe(key(whatIf(db, STRICTER)));
    // a customer out of date is counted once in the total, whatever the split says
    const aum = (cells: { aum: string }[]) => cells.reduce((s, c) => s + BigInt(Math.round(Number(c.aum) * 100)), 0n);
    expect(aum(split.cells)).toBe(aum(split.changed));
    expect(aum(split.cells)).toBe(aum(split.drift));
  });
});

describe('re-tier digest', () => {
  it('one 客户等级变动 reminder per manager and model version, counting the customers in their scope that moved', async () => {
    const db = services.db;
    db.prepare(`DELETE FROM reminders WHERE kind = 'tier_change'`).run();
    const applied = await ok('admin', 'tiers.apply', { model: STRICTER });
    await services.followUps.idle();
    generateReminders(db, { today: '2026-11-03', reason: 'test' });
    const version = applied.version;
    for (const m of ['manager1', 'manager2']) {
      const list = await ok(m, 'reminders.list', { kinds: ['tier_change'] });
      const staff = (db.prepare(`SELECT staff_id AS s FROM users WHERE username = ?`).get(m) as { s: number }).s;
      const mine = db
        .prepare(
          `SELECT x.customer_id, x.from_tier, x.to_tier, x.changed_at FROM customer_tier_changes x JOIN customers c ON c.id = x.customer_id
           WHERE x.model_version = ? AND (c.manager_staff_id = ? OR c.id IN (
             SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= '2026-11-03')))`,
        )
        .all(version, staff, staff) as {
        customer_id: number;
        from_tier: string;
        to_tier: string;
        changed_at: string;
      }[];
      expect(mine.length, m).toBeGreaterThan(1); // a flood before digests
      // nothing per customer; one digest per re-tier (the first test's save has its own)
      expect(list.rows.every((r) => r.params.digest === 1 && r.customer === null)).toBe(true);
      const ofRun = list.rows.filter((r) => r.params.version === version);
      expect(ofRun, m).toHaveLength(1);
      const d = ofRun[0]!;
      expect(d.customer).toBeNull();
      const rank = (t: string) => ['gold', 'quality', 'key', 'ordinary', 'restricted', 'exit'].indexOf(t);
      expect(d.params).toEqual({
        digest: 1,
        version,
        at: mine[0]!.changed_at,
        count: mine.length,
        up: mine.filter((x) => rank(x.to_tier) < rank(x.from_tier)).length,
        down: mine.filter((x) => rank(x.to_tier) > rank(x.from_tier)).length,
      });
      expect(d.dueOn).toBe('2026-11-03');
      // the digest's list: exactly that run's changes in the manager's scope
      const count = await ok(m, 'customers.gridCount', {
        filter: { drill: { kind: 'tierRun', version, at: String(d.params.at) } },
      });
      expect(count.filtered, m).toBe(mine.length);
    }
    // a second run creates nothing more
    expect(generateReminders(db, { today: '2026-11-03', reason: 'test' }).byKind.tier_change).toBeUndefined();
  });

  it('folds an inbox flooded by per-customer reminders of a re-tier into its digest', async () => {
    const db = services.db;
    const uid = (db.prepare(`SELECT id FROM users WHERE username = 'manager1'`).get() as { id: number }).id;
    const staff = (db.prepare(`SELECT staff_id AS s FROM users WHERE id = ?`).get(uid) as { s: number }).s;
    db.prepare(`DELETE FROM reminders WHERE kind = 'tier_change'`).run();
    const changes = db
      .prepare(
        `SELECT x.id, x.model_version AS v FROM customer_tier_changes x JOIN customers c ON c.id = x.customer_id
         WHERE c.manager_staff_id = ? AND x.model_version = (SELECT MAX(model_version) FROM customer_tier_changes)`,
      )
      .all(staff) as { id: number; v: number }[];
    // as older versions generated them: one per change; one already handled
    for (const [i, x] of changes.entries())
      db.prepare(
        `INSERT INTO reminders (user_id, kind, customer_id, due_on, params, source_type, source_id, dedupe_key, status)
         SELECT ?, 'tier_change', customer_id, '2026-11-03', '{}', 'tier_change', id, 'tier_change:' || id, ? FROM customer_tier_changes WHERE id = ?`,
      ).run(uid, i === 0 ? 'done' : 'open', x.id);
    expect(foldTierFloods(db)).toBe(1);
    const open = db
      .prepare(
        `SELECT params, source_type FROM reminders WHERE user_id = ? AND kind = 'tier_change' AND status = 'open'`,
      )
      .all(uid) as { params: string; source_type: string }[];
    expect(open).toHaveLength(1);
    expect(open[0]!.source_type).toBe('tier_model');
    expect(JSON.parse(open[0]!.params)).toMatchObject({ digest: 1, version: changes[0]!.v, count: changes.length - 1 });
    // the handled one is the user's history and stays
    expect(
      db.prepare(`SELECT COUNT(*) AS n FROM reminders WHERE user_id = ? AND source_type = 'tier_change'`).get(uid),
    ).toEqual({ n: 1 });
    expect(foldTierFloods(db)).toBe(0);
  });
});
