import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../../main/log';
import { freshColumns } from '../../../db/customer-columns';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { retier } from '../../../db/tiering';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { GridFilter } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { demoSignIn } from '../support/demo-session';

/**
 * The grid's in-memory columns in the running app: built by the worker thread, used only while fresh,
 * dropped (SQL answers) the moment another connection commits or this one changes customers, and
 * rebuilt after. Answers are compared with SQL's own count over the raw table each time.
 */
const TODAY = '2026-10-31';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
let session = '';
let file = '';

async function count(filter: GridFilter): Promise<number> {
  const r = (await registry.dispatch(
    { method: 'customers.gridCount', input: { filter }, session },
    { adapter: 'test' },
  )) as CallResult<{ filtered: number }>;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.filtered;
}

async function untilFresh(): Promise<void> {
  const t0 = Date.now();
  while (!freshColumns(services.db)) {
    if (Date.now() - t0 > 30_000) throw new Error('columns were not built within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const inactive: GridFilter = { inactiveDays: 60, kinds: ['individual'] };
const truth = () =>
  (
    services.db
      .prepare(
        `SELECT COUNT(*) AS n FROM customers WHERE kind = 'individual' AND (last_txn_on IS NULL OR last_txn_on <= ?)`,
      )
      .get('2026-09-01') as { n: number }
  ).n;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 600, seed: 5 });
  file = demo.file;
  demo.close();
  services = await createServices({
    dbPath: file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
    columnsMinCustomers: 1,
  });
  registry = createRegistry(services);
  session = await demoSignIn(registry, 'president');
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('in-memory columns at start-up of a big book', () => {
  it('are built once, after the start-up follow-up run (which commits too), not twice', async () => {
    const demo = await makeDemoStore({ customers: 300, seed: 6 });
    const f = demo.file;
    demo.close();
    const seen: string[] = [];
    // This file's other services (600 customers) may finish a build meanwhile: only this store's (300) count.
    const spy = vi.spyOn(log, 'info').mockImplementation((msg: string, meta?: Record<string, unknown>) => {
      if ((msg === 'customer columns built' && meta?.customers === 300) || msg === 'follow-up steps finished')
        seen.push(msg);
    });
    const big = await createServices({
      dbPath: f,
      mode: 'browser',
      clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
      columnsMinCustomers: 1,
      followUpsWorkerFromCustomers: 1,
    });
    try {
      const t0 = Date.now();
      while (!freshColumns(big.db)) {
        if (Date.now() - t0 > 30_000) throw new Error('columns were not built within 30 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      await big.followUps.idle();
      expect(seen).toEqual(['follow-up steps finished', 'customer columns built']);
    } finally {
      spy.mockRestore();
      await big.close();
    }
  });
});

describe('in-memory columns in the app', () => {
  it('are built by the worker at start-up and answer exactly what SQL answers', async () => {
    await untilFresh();
    const n = await count(inactive);
    expect(n).toBe(truth());
    expect(n).toBeGreaterThan(0);
    expect(freshColumns(services.db)).not.toBeNull();
  });

  it('another connection committing (an import) makes them stale at once; SQL answers until the rebuild', async () => {
    await untilFresh();
    const before = truth();
    const other = new Database(file);
    other
      .prepare(
        `UPDATE customers SET last_txn_on = NULL WHERE id IN (SELECT id FROM customers WHERE kind = 'individual' AND last_txn_on > '2026-09-01' LIMIT 7)`,
      )
      .run();
    other.close();
    expect(freshColumns(services.db)).toBeNull(); // and a rebuild was requested
    expect(await count(inactive)).toBe(before + 7);
    await untilFresh();
    expect(await count(inactive)).toBe(before + 7);
  });

  it('re-tiering through this connection makes them stale too', async () => {
    await untilFresh();
    const gold = () =>
      (
        services.db
          .prepare(`SELECT COUNT(*) AS n FROM customers WHERE tier = 'gold' AND kind = 'individual'`)
          .get() as { n: number }
      ).n;
    services.db.prepare(`UPDATE customers SET tier = 'exit' WHERE tier = 'gold'`).run(); // not noticed by itself (no summaries touched)...
    retier(services.db, DEFAULT_TIER_MODEL, { userId: null, now: new Date(`${TODAY}T03:00:00Z`) }); // ...but re-tiering is
    expect(freshColumns(services.db)).toBeNull();
    const filter: GridFilter = { tiers: ['gold'], kinds: ['individual'] };
    expect(await count(filter)).toBe(gold());
    await untilFresh();
    expect(await count(filter)).toBe(gold());
  });
});
