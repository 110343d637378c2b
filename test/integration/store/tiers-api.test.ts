import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { fixedClock } from '../../../main/clock';
import { runImport } from '../../../main/jobs/engine/run';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { ACCOUNTS_HEADER, ACCOUNTS_PROFILE, writeText } from '../imports/helpers';
import { demoSignIn } from '../support/demo-session';

let services: Services;
let registry: ReturnType<typeof createRegistry>;
let admin: string;
async function ok<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await registry.dispatch({ method, input, session: admin }, { adapter: 'test' })) as CallResult<Output<M>>;
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}
const totalAum = (cells: { aum: string }[]) => cells.reduce((s, c) => s + Math.round(Number(c.aum) * 100), 0);

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 300, seed: 43 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
  });
  registry = createRegistry(services);
  admin = await demoSignIn(registry, 'admin');
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('tier model API', () => {
  it('what-if follows an import that landed after the factors were measured, and apply is audited', async () => {
    const sum = () => (services.db.prepare('SELECT SUM(aum_fen) AS s FROM customers').get() as { s: number }).s;
    const first = await ok('tiers.whatIf', { model: DEFAULT_TIER_MODEL });
    expect(totalAum(first.cells)).toBe(sum());
    // Tonight's account file raises one balance by a million yuan.
    const a = services.db
      .prepare(`SELECT a.account_no, c.customer_no, p.code AS product, b.code AS branch, a.opened_on, a.balance_fen
      FROM accounts a JOIN customers c ON c.id = a.customer_id JOIN products p ON p.id = a.product_id JOIN branches b ON b.id = a.branch_id
      WHERE a.kind = 'demand' AND a.status <> 'closed' LIMIT 1`)
      .get() as Record<string, string | number>;
    const file = writeText(
      path.dirname(services.info.dbPath),
      'acc.txt',
      `${ACCOUNTS_HEADER}\n${a.account_no}|${a.customer_no}|${a.product}|${a.branch}|demand|${a.opened_on}|${(Number(a.balance_fen) + 100_000_000) / 100}\n`,
      'utf-8',
    );
    const job = await runImport(services.db, {
      file,
      profile: ACCOUNTS_PROFILE,
      tolerance: 0,
      rejectsDir: path.dirname(file),
      now: () => new Date(Date.now() + 1000),
    });
    expect(job.status).toBe('committed');
    const second = await ok('tiers.whatIf', { model: DEFAULT_TIER_MODEL });
    expect(totalAum(second.cells)).toBe(sum());
    expect(totalAum(second.cells) - totalAum(first.cells)).toBe(100_000_000);
    const tierReminders = () =>
      (services.db.prepare(`SELECT COUNT(*) AS n FROM reminders WHERE kind = 'tier_change'`).get() as { n: number }).n;
    expect(tierReminders()).toBe(0);
    const applied = await ok('tiers.apply', { model: DEFAULT_TIER_MODEL });
    expect(applied.version).toBe(1);
    expect(applied.changed).toBeGreaterThan(0);
    // A tier change is an event: the managers' reminders exist right after re-tiering, not at the next import.
    expect(tierReminders()).toBeGreaterThan(0);
    expect(services.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'tiers.apply'`).get()).toEqual({
      n: 1,
    });
    expect((await ok('tiers.model', {})).active?.version).toBe(1);
  });

  it("a big book's re-tier leaves the WAL checkpoint to the follow-up worker, then the window's connection checkpoints again", async () => {
    const demo = await makeDemoStore({ customers: 200, seed: 44 });
    demo.close();
    // Every book counts as big here: the follow-up steps run in their worker thread.
    const big = await createServices({
      dbPath: demo.file,
      mode: 'browser',
      clock: fixedClock(new Date('2026-10-31T04:00:00Z')),
      followUpsWorkerFromCustomers: 1,
    });
    try {
      const reg = createRegistry(big);
      const r = (await reg.dispatch(
        { method: 'auth.signIn', input: { username: 'admin', password: DEMO_PASSWORD } },
        { adapter: 'test' },
      )) as CallResult<{ session: string }>;
      if (!r.ok) throw new Error('sign-in');
      await big.followUps.idle();
      const auto = () => big.db.pragma('wal_autocheckpoint', { simple: true });
      expect(auto()).toBe(1000);
      const applied = (await reg.dispatch(
        {
          method: 'tiers.apply',
          input: { model: { ...DEFAULT_TIER_MODEL, thresholds: { ...DEFAULT_TIER_MODEL.thresholds, key: 15 } } },
          session: r.value.session,
        },
        { adapter: 'test' },
      )) as CallResult<{ changed: number }>;
      if (!applied.ok) throw new Error(JSON.stringify(applied.error));
      expect(applied.value.changed).toBeGreaterThan(0);
      // Committed, audited, and not copied back on this connection: auto-checkpoint is off until the worker has run.
      expect(auto()).toBe(0);
      expect(big.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'tiers.apply'`).get()).toEqual({
        n: 1,
      });
      await big.followUps.idle();
      expect(auto()).toBe(1000);
      const ck = big.followUps.lastCheckpoint!;
      expect(ck.busy).toBe(0);
      expect(ck.log).toBeGreaterThan(0);
      expect(ck.checkpointed).toBe(ck.log);
    } finally {
      await big.close();
    }
  });
});
