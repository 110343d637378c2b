import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { runAfterImport } from '../../../main/jobs/after-import';
import { createServices, type Services } from '../../../main/services';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * The after-import steps of a big book run in a worker thread on their own connection (threshold set
 * to 1 here): start-up does not wait for them, they finish with the same result an inline run gives,
 * and a run requested meanwhile is merged into one more run afterwards.
 */
let services: Services;
const count = (sql: string) => (services.db.prepare(sql).get() as { n: number }).n;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 500, seed: 9 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
    followUpsWorkerFromCustomers: 1,
  });
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('follow-up steps in a worker', () => {
  it('start-up schedules them without waiting; they complete in the worker with what an inline run would make', async () => {
    await services.followUps.idle();
    expect(services.followUps.last.map((r) => [r.name, r.ok])).toEqual([
      ['statistics', true],
      ['scores', true],
      ['opportunity-rules', true],
      ['lab-scores', true],
      ['next-product', true],
      ['risk', true],
      ['reminders', true],
    ]);
    const opps = count(`SELECT COUNT(*) AS n FROM opportunities WHERE source = 'rule'`);
    const rems = count('SELECT COUNT(*) AS n FROM reminders');
    expect(opps).toBeGreaterThan(0);
    expect(rems).toBeGreaterThan(0);
    // The same steps inline on the window's connection find nothing left to do.
    const again = runAfterImport(services.db, { today: '2026-10-31', reason: 'startup', jobId: null });
    expect(again.every((r) => r.ok)).toBe(true);
    expect(count(`SELECT COUNT(*) AS n FROM opportunities WHERE source = 'rule'`)).toBe(opps);
    expect(count('SELECT COUNT(*) AS n FROM reminders')).toBe(rems);
    // The worker scored every customer; the inline run recomputed nobody.
    expect(count('SELECT COUNT(*) AS n FROM customer_scores')).toBe(count('SELECT COUNT(*) AS n FROM customers'));
    expect(count('SELECT customers AS n FROM score_state')).toBe(0);
  });

  it('requests during a run are merged into one more run', async () => {
    const runs = () => count('SELECT COUNT(*) AS n FROM reminder_runs');
    const before = runs();
    services.followUps.schedule({ today: '2026-10-31', reason: 'import', jobId: null });
    services.followUps.schedule({ today: '2026-10-31', reason: 'import', jobId: null });
    services.followUps.schedule({ today: '2026-10-31', reason: 'revert', jobId: null });
    await services.followUps.idle();
    expect(runs() - before).toBe(2); // the first request, then the last of those made meanwhile
  });
});
