import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteCall } from '../../../main/activity';
import { FollowUps } from '../../../main/jobs/follow-ups';
import { createServices, type Services } from '../../../main/services';
import { fixedClock } from '../../../main/clock';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * Issue 18.1: on a big book the start-up's and an import's follow-up steps wait a few seconds and then
 * for a quiet moment of the window's before they start; what a user asked for (a settings save, a
 * re-tier, a revert) does not wait, and ends the wait of one queued before it. "Big" is set to 1 here.
 */
let services: Services;
let file: string;
const runs = () => (services.db.prepare('SELECT COUNT(*) AS n FROM reminder_runs').get() as { n: number }).n;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 300, seed: 4 });
  file = demo.file;
  demo.close();
  services = await createServices({
    dbPath: file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
    followUpsWorkerFromCustomers: 1,
    backgroundDelayMs: 0, // the services' own run at once; the deferred ones below are made here
  });
  await services.followUps.idle();
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('follow-up steps deferred after start-up and imports', () => {
  it('an import run waits out its deferral (no worker meanwhile), then runs every step', async () => {
    const f = new FollowUps(services.db, file, { workerFromCustomers: 1, deferMs: 400, deferFromCustomers: 1 });
    const before = runs();
    f.schedule({ today: '2026-10-31', reason: 'import', jobId: null });
    expect(f.busy()).not.toBeNull(); // queued: the settings page shows its figures as updating
    expect(f.outstanding('reminders')).toBe(true);
    expect(f.working()).toBeNull(); // not started: a columns build need not wait for it
    expect(runs()).toBe(before);
    await f.idle();
    expect(f.last.map((r) => r.ok)).toEqual(f.last.map(() => true));
    expect(f.last.map((r) => r.name)).toContain('reminders');
    expect(runs()).toBe(before + 1);
    await f.close();
  });

  it('a settings save ends the deferral of a queued start-up run; both run, the save after it', async () => {
    const f = new FollowUps(services.db, file, { workerFromCustomers: 1, deferMs: 600_000, deferFromCustomers: 1 });
    const before = runs();
    f.schedule({ today: '2026-10-31', reason: 'startup', jobId: null });
    f.schedule({ today: '2026-10-31', reason: 'settings', jobId: null, only: ['reminders'] });
    await f.idle(); // would take ten minutes without the wake-up
    expect(runs()).toBe(before + 2);
    expect(f.last.map((r) => r.name)).toEqual(['reminders']);
    await f.close();
  });

  it('small books and user actions are not deferred', async () => {
    const small = new FollowUps(services.db, file, {
      workerFromCustomers: 1,
      deferMs: 600_000,
      deferFromCustomers: 1_000_000,
    });
    small.schedule({ today: '2026-10-31', reason: 'startup', jobId: null });
    expect(small.working()).not.toBeNull(); // in the worker at once
    await small.idle();
    const retier = new FollowUps(services.db, file, {
      workerFromCustomers: 1,
      deferMs: 600_000,
      deferFromCustomers: 1,
    });
    retier.schedule({ today: '2026-10-31', reason: 'retier', jobId: null });
    expect(retier.working()).not.toBeNull();
    await retier.idle();
    await Promise.all([small.close(), retier.close()]);
  });

  it('close() ends a deferral without starting the steps', async () => {
    const f = new FollowUps(services.db, file, { workerFromCustomers: 1, deferMs: 600_000, deferFromCustomers: 1 });
    const before = runs();
    f.schedule({ today: '2026-10-31', reason: 'import', jobId: null });
    const end = noteCall(); // a call in flight does not keep close() waiting either
    await f.close();
    end();
    expect(runs()).toBe(before);
    expect(f.busy()).toBeNull();
  });
});
