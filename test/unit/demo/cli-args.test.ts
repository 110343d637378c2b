import { describe, expect, it } from 'vitest';
import { managerCount } from '../../../db/demo';
import { DEFAULT_DEMO_DB, parseDemoArgs } from '../../../main/cli/demo';

describe('crm demo arguments', () => {
  it('has defaults', () => {
    expect(parseDemoArgs([])).toEqual({
      customers: 500,
      seed: undefined,
      db: DEFAULT_DEMO_DB,
      txnsPerCustomer: undefined,
      fresh: false,
      extracts: null,
    });
  });

  it('takes --name value and --name=value', () => {
    expect(
      parseDemoArgs(['--customers', '1000000', '--seed=7', '--db', '/tmp/x.db', '--txns-per-customer', '5', '--fresh']),
    ).toEqual({ customers: 1_000_000, seed: 7, db: '/tmp/x.db', txnsPerCustomer: 5, fresh: true, extracts: null });
    expect(parseDemoArgs(['--extracts']).extracts).toBe(true);
    expect(parseDemoArgs(['--no-extracts']).extracts).toBe(false);
    expect(parseDemoArgs(['--customers=20_000']).customers).toBe(20000);
  });

  it('refuses nonsense', () => {
    expect(() => parseDemoArgs(['--customers'])).toThrow(/whole number/);
    expect(() => parseDemoArgs(['--customers', 'many'])).toThrow(/whole number/);
    expect(() => parseDemoArgs(['--customers', '0'])).toThrow(/at least 1/);
    expect(() => parseDemoArgs(['--db'])).toThrow(/file path/);
    expect(() => parseDemoArgs(['--colour'])).toThrow(/unknown option/);
  });
});

describe('manager count', () => {
  it('is customers / 4000, between 3 and 250', () => {
    expect(managerCount(300)).toBe(3);
    expect(managerCount(20000)).toBe(5);
    expect(managerCount(100000)).toBe(25);
    expect(managerCount(1_000_000)).toBe(250);
    expect(managerCount(5_000_000)).toBe(250);
  });
});
