import { afterEach, describe, expect, it, vi } from 'vitest';
import { identifierPredicate } from '../../../db/repos/customers';
import { systemClock } from '../../../main/clock';
import { lookupTime, searchTextOf } from '../../../main/identifier-lookups';

describe('which searches are identifier look-ups (issue 19.1)', () => {
  it.each([
    ['1234', 'last4', '****1234'],
    ['123x', 'last4', '****123X'],
    ['13812345678', 'mobile', '138****5678'],
    ['138 1234 5678', 'mobile', '138****5678'],
    ['11010519491231002x', 'id_no', '110105********002X'],
  ])('%s matches identifiers as %s, audited as %s', (raw, kind, query) => {
    expect(identifierPredicate(raw)).toMatchObject({ kind, query });
  });

  it('digits other than four or a whole number never match an identifier', () => {
    const id = '110101199001011234';
    for (let n = 1; n < 18; n++) {
      if (n === 4) continue;
      expect(identifierPredicate(id.slice(-n)), id.slice(-n)).toBeNull();
      if (n !== 11) expect(identifierPredicate(id.slice(0, n)), id.slice(0, n)).toBeNull();
    }
    for (const raw of ['张伟', 'zw', '8000000001', '123456', 'C0000123']) expect(identifierPredicate(raw)).toBeNull();
  });

  it('finds the search text in any method that carries a quick search', () => {
    expect(searchTextOf('customers.search', { query: '1234', limit: 20 })).toBe('1234');
    expect(searchTextOf('customers.grid', { filter: { q: '1234' }, sort: [] })).toBe('1234');
    expect(searchTextOf('lists.add', { listId: 1, filter: { q: '5678' } })).toBe('5678');
    expect(searchTextOf('campaigns.create', { name: 'x', source: { filter: { q: '5678' } } })).toBe('5678');
    expect(searchTextOf('customers.grid', { filter: { tiers: ['gold'] } })).toBeNull();
    expect(searchTextOf('customers.get', { id: 1 })).toBeNull();
  });
});

describe('lookupTime', () => {
  afterEach(() => vi.useRealTimers());

  it("does not move when the PC's clock is set forward", () => {
    const now = lookupTime(systemClock);
    const before = now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 86_400_000);
    expect(now() - before).toBeLessThan(60_000);
  });
});
