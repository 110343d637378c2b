import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_AS_OF, type DemoOptions } from '../../../db/demo';
import { makeDemoStore, removeTempDirs } from './helpers';
import { checkAll } from './invariants';

afterAll(() => removeTempDirs());

const CASES: DemoOptions[] = [
  { customers: 1 },
  { customers: 300, txnsPerCustomer: 5 },
  { customers: 300, txnsPerCustomer: 0 },
  { customers: 700, seed: 1, asOf: '2025-06-15' },
  { customers: 1500, seed: 99, txnsPerCustomer: 60 },
];

describe.each(CASES)('a store of %o', (opts) => {
  it('satisfies every invariant', async () => {
    const store = await makeDemoStore(opts);
    try {
      checkAll(store.db, opts.asOf ?? DEFAULT_AS_OF);
      const s = store.summary;
      expect(s.customers).toBe(opts.customers);
      expect(s.users).toBe(7);
      const perCustomer = opts.txnsPerCustomer ?? 20;
      if (perCustomer === 0) expect(s.transactions).toBe(0);
      else if (opts.customers >= 300) {
        // Loose: the per-customer count is heavy-tailed, so small stores scatter around the mean.
        expect(s.transactions / opts.customers).toBeGreaterThan(perCustomer * 0.7);
        expect(s.transactions / opts.customers).toBeLessThan(perCustomer * 1.5);
      }
      const row = store.db.prepare('SELECT COUNT(*) n FROM customers').get() as { n: number };
      expect(row.n).toBe(opts.customers);
    } finally {
      store.close();
    }
  }, 60_000);
});
