import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labRanker } from '../../../db/analytics/lab-ranker';
import { runNextProduct } from '../../../db/analytics/next-product';
import { runRisk } from '../../../db/analytics/risk';
import { fixedClock } from '../../../main/clock';
import { createRegistry, type Registry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import { DEFAULT_NEXT_PRODUCT_SETTINGS, DEFAULT_RISK_SETTINGS } from '../../../shared/analytics';
import type { Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { demoSignIn } from '../support/demo-session';

/**
 * Saving the next-product or risk parameters returns at once: the recalculation runs in the follow-up
 * worker (every book counts as big here), the page reads "recalculating" meanwhile, and what the worker
 * leaves equals a direct recompute with the same parameters on the same book.
 */
let services: Services;
let registry: Registry;
let admin: string;
const TODAY = '2026-10-31';

async function call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await registry.dispatch({ method, input, session: admin }, { adapter: 'test' })) as CallResult<Output<M>>;
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}

const rows = (sql: string) => JSON.stringify(services.db.prepare(sql).all());
/** The next-product figures, with rules named by their content (not their ids). */
const npState = () =>
  rows(`SELECT kind, antecedent, consequent, customers, antecedent_n, both_n, consequent_n FROM next_product_rules
        ORDER BY kind, antecedent, consequent`) +
  rows(`SELECT n.customer_id, n.rank, n.item, n.score, n.source, r.kind, r.antecedent, r.consequent, n.model_version
        FROM customer_next_products n LEFT JOIN next_product_rules r ON r.id = n.rule_id ORDER BY n.customer_id, n.rank`);
const riskState = () =>
  rows('SELECT customer_id, signal, facts FROM customer_risk_signals ORDER BY customer_id, signal') +
  rows('SELECT customer_id, score, level FROM customer_risk ORDER BY customer_id');
const count = (sql: string) => (services.db.prepare(sql).get() as { n: number }).n;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1500, seed: 23 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
    followUpsWorkerFromCustomers: 1,
  });
  registry = createRegistry(services);
  admin = await demoSignIn(registry, 'admin');
  await services.followUps.idle(); // the start-up run
}, 120_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('saving analytics parameters recalculates in the follow-up worker', () => {
  it('next product: the save returns before the mining, which then equals a direct run', async () => {
    const before = npState();
    const runs = count('SELECT COUNT(*) AS n FROM next_product_runs');
    const settings = { ...DEFAULT_NEXT_PRODUCT_SETTINGS, npMinConfidence: 0.35, npMinLift: 1.3, npTopN: 2 };
    const saved = await call('analytics.saveNextProduct', settings);
    // returned with the parameters stored, the run still to do: nothing mined on the window's thread
    expect(saved.recalculating).toEqual({ nextProduct: true, risk: false });
    expect(saved.nextProduct).toEqual(settings);
    expect(services.followUps.busy()).not.toBeNull();
    expect(count('SELECT COUNT(*) AS n FROM next_product_runs')).toBe(runs);
    expect(npState()).toBe(before);
    expect((await call('analytics.settings', {})).recalculating.nextProduct).toBe(true);

    await services.followUps.idle();
    // only the next-product step ran, and the page's mark is gone
    expect(services.followUps.last.map((r) => [r.name, r.ok])).toEqual([['next-product', true]]);
    const view = await call('analytics.settings', {});
    expect(view.recalculating).toEqual({ nextProduct: false, risk: false });
    expect(count('SELECT COUNT(*) AS n FROM next_product_runs')).toBe(runs + 1);
    const after = npState();
    expect(after).not.toBe(before); // the new parameters mined other rules
    expect(view.nextProductRun?.rules).toBe(count('SELECT COUNT(*) AS n FROM next_product_rules'));

    // a direct recompute with the stored parameters on the same book changes nothing
    const direct = runNextProduct(services.db, { today: TODAY, settings, rankers: [labRanker()] });
    expect(direct.rewritten).toBe(0);
    expect(npState()).toBe(after);
  });

  it('risk: the save returns before the rating, which then equals a direct run', async () => {
    const before = riskState();
    const settings = { ...DEFAULT_RISK_SETTINGS, riskWeightDormancy: 60, riskDormantDays: 90, riskActiveTxns: 3 };
    const saved = await call('analytics.saveRisk', settings);
    expect(saved.recalculating).toEqual({ nextProduct: false, risk: true });
    expect(services.followUps.busy()).not.toBeNull();
    expect(riskState()).toBe(before);

    await services.followUps.idle();
    expect(services.followUps.last.map((r) => [r.name, r.ok])).toEqual([
      ['risk', true],
      ['reminders', true],
    ]);
    const view = await call('analytics.settings', {});
    expect(view.recalculating.risk).toBe(false);
    const after = riskState();
    expect(after).not.toBe(before); // dormancy from 90 days, weighted to 关注 and above: more customers rated
    const rated = count('SELECT COUNT(*) AS n FROM customer_risk');
    expect(Object.values(view.riskByLevel).reduce((a, b) => a + b, 0)).toBe(rated);

    runRisk(services.db, { today: TODAY, settings });
    expect(riskState()).toBe(after);
  });

  it('a save during a run is queued behind it, and an import run queued before it is not narrowed', async () => {
    services.followUps.schedule({ today: TODAY, reason: 'import', jobId: null });
    services.followUps.schedule({ today: TODAY, reason: 'import', jobId: null }); // queued behind the first
    await call('analytics.saveNextProduct', { ...DEFAULT_NEXT_PRODUCT_SETTINGS });
    expect(services.followUps.outstanding('next-product')).toBe(true);
    expect(services.followUps.outstanding('scores')).toBe(true);
    await services.followUps.idle();
    // the queued import run ran every step (the save's step included)
    expect(services.followUps.last.map((r) => r.name)).toEqual([
      'statistics',
      'scores',
      'opportunity-rules',
      'lab-scores',
      'next-product',
      'risk',
      'reminders',
    ]);
    expect(services.followUps.outstanding('next-product')).toBe(false);
  });
});
