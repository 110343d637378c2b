/**
 * Issue 19.1: recovering masked ID numbers and mobiles by searching. The attack as it was found: a
 * search of four or more digits matched the end of `id_no` and `mobile`, so prefixing the visible
 * last four one digit at a time and keeping the digit that still found the customer read a whole ID
 * number in about forty searches, none of them audited. Here the script runs as a teller (quick
 * look-up) and as a manager (look-up, the grid's rows and its counts) and must learn nothing beyond
 * the last four; guessing whole numbers is rate-limited; every identifier look-up is audited with the
 * number masked. Issue 19.4(c): refused out-of-scope reads leave a record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshColumns } from '../../../db/customer-columns';
import { buildColumnsNow } from '../../../db/repos/customer-grid';
import type { CallResult } from '../../../shared/errors';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(() => w.close());

// 张伟 (manager1's customer): masked 110101********1234 and 138****0001.
const ID = '110101199001011234';
const MOBILE = '13800000001';

/** Does this search find customer `target`? `null` when the search was refused. */
type Oracle = (q: string) => Promise<boolean | null>;

/**
 * The unmasking script: from the visible last four, try each digit in front and keep the one whose
 * search still finds the customer, until the number is whole or no digit finds them.
 */
async function unmask(oracle: Oracle, tail: string, length: number): Promise<{ known: string; searches: number }> {
  let known = tail;
  let searches = 0;
  while (known.length < length) {
    let next: string | null = null;
    for (const d of '0123456789') {
      searches++;
      if (await oracle(d + known)) {
        next = d + known;
        break;
      }
    }
    if (next === null) break;
    known = next;
  }
  return { known, searches };
}

const finds =
  (target: number, session: string): Oracle =>
  async (q) => {
    const r = await call(w, 'customers.search', { query: q }, session);
    return r.ok ? r.value.some((c) => c.id === target) : null;
  };

const gridFinds =
  (target: number, session: string): Oracle =>
  async (q) => {
    const r = await call(w, 'customers.grid', { filter: { q }, sort: [], offset: 0, limit: 100 }, session);
    return r.ok ? r.value.rows.some((c) => c.id === target) : null;
  };

/** The grid's count as an oracle: manager1's book holds exactly one customer with either tail. */
const countFinds =
  (session: string): Oracle =>
  async (q) => {
    const r = await call(w, 'customers.gridCount', { filter: { q } }, session);
    return r.ok ? r.value.filtered > 0 : null;
  };

interface AuditEntry {
  action: string;
  outcome: string;
  username: string;
  target_id: string | null;
  details: Record<string, unknown>;
}

function lookups(): AuditEntry[] {
  return (
    w.db
      .prepare(
        "SELECT action, outcome, username, target_id, details FROM audit_log WHERE action = 'customers.identifierSearch' ORDER BY id",
      )
      .all() as (Omit<AuditEntry, 'details'> & { details: string })[]
  ).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

function wholeLog(): string {
  return JSON.stringify(w.db.prepare('SELECT * FROM audit_log').all());
}

describe('unmasking by search: the script learns nothing beyond the last four', () => {
  it('as a teller, through the quick look-up', async () => {
    const teller = await signIn(w, 'teller');
    const target = w.ids.customers.m1a;
    // The visible last four still find the customer (what a customer reads out at the counter).
    expect(await finds(target, teller)('1234')).toBe(true);
    expect(await finds(target, teller)('0001')).toBe(true);

    const id = await unmask(finds(target, teller), '1234', 18);
    const mobile = await unmask(finds(target, teller), '0001', 11);
    expect(id.known).toBe('1234');
    expect(mobile.known).toBe('0001');
    // Each script tried every digit once and stopped; nothing was refused along the way.
    expect([id.searches, mobile.searches]).toEqual([10, 10]);
  });

  it('as a manager, through the look-up, the grid rows and the grid count', async () => {
    const manager = await signIn(w, 'manager1');
    const target = w.ids.customers.m1a;
    for (const oracle of [finds(target, manager), gridFinds(target, manager), countFinds(manager)]) {
      expect(await oracle('1234')).toBe(true);
      expect((await unmask(oracle, '1234', 18)).known).toBe('1234');
      expect((await unmask(oracle, '0001', 11)).known).toBe('0001');
    }
  });

  it("as a manager, when the grid's in-memory columns answer the counts and pages", async () => {
    const manager = await signIn(w, 'manager1');
    buildColumnsNow(w.db);
    expect(freshColumns(w.db)).not.toBeNull();
    const target = w.ids.customers.m1a;
    const stats: Oracle = async (q) => {
      const r = await call(w, 'customers.quickStats', { filter: { q, kinds: ['individual'] } }, manager);
      return r.ok ? r.value.count > 0 : null;
    };
    for (const oracle of [gridFinds(target, manager), countFinds(manager), stats]) {
      expect(await oracle('1234')).toBe(true);
      expect((await unmask(oracle, '1234', 18)).known).toBe('1234');
      expect((await unmask(oracle, '0001', 11)).known).toBe('0001');
    }
    // The columns answered throughout (no change to the store made them stale).
    expect(freshColumns(w.db)).not.toBeNull();
  });

  it('no search of five to seventeen digits matches an ID number or a mobile, as prefix or suffix', async () => {
    const president = await signIn(w, 'president');
    for (const full of [ID, MOBILE]) {
      for (let n = 5; n < full.length; n++) {
        for (const part of [full.slice(-n), full.slice(0, n)]) {
          const r = await ok(w, 'customers.search', { query: part }, president);
          expect(r, part).toEqual([]);
        }
      }
    }
  });
});

describe('whole numbers and last four still find the customer', () => {
  it('full ID, full mobile, last four (also ending in X), customer number and its prefix, name', async () => {
    const teller = await signIn(w, 'teller');
    const names = async (query: string) =>
      (await ok(w, 'customers.search', { query }, teller)).map((c) => c.name).sort();
    expect(await names(ID)).toEqual(['张伟']);
    expect(await names(MOBILE)).toEqual(['张伟']);
    expect(await names('138 0000 0001')).toEqual(['张伟']);
    expect(await names('1235')).toEqual(['张伟强']);
    expect(await names('8000000003')).toEqual(['张敏']);
    expect(await names('80000000')).toEqual(['刘洋', '周杰', '孙丽', '张伟', '张伟强', '张敏']);
    expect(await names('张伟')).toEqual(['张伟', '张伟强']);
    w.db.prepare("UPDATE customers SET id_no = '11010119880707123X' WHERE id = ?").run(w.ids.customers.grantedToM1);
    expect(await names('123x')).toEqual(['孙丽']);
    expect(await names('11010119880707123x')).toEqual(['孙丽']);
  });
});

describe('guessing whole numbers is rate-limited', () => {
  /** Guesses of 张伟's hidden mobile digits, the right one last. */
  const guesses = (n: number) => [
    ...Array.from({ length: n - 1 }, (_, i) => `138${String(9999 - i).padStart(4, '0')}0001`),
    MOBILE,
  ];

  it('a burst of 20 identifier look-ups, then refusals with RATE_LIMITED, audited once', async () => {
    const teller = await signIn(w, 'teller');
    const results: CallResult<unknown>[] = [];
    for (const q of guesses(200)) results.push(await call(w, 'customers.search', { query: q }, teller));
    expect(results.filter((r) => r.ok)).toHaveLength(20);
    const refused = results.slice(20);
    expect(refused.every((r) => !r.ok && r.error.code === 'RATE_LIMITED')).toBe(true);
    expect(refused[0]).toMatchObject({ ok: false, error: { details: { retryAfterSeconds: 10 } } });
    // The right guess came after the burst: it was refused, never answered.
    expect(results.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });

    const log = lookups();
    expect(log.filter((e) => e.outcome === 'ok')).toHaveLength(20);
    // One refusal entry a minute, however fast the script: the log records the attempt without flooding.
    expect(log.filter((e) => e.outcome === 'denied')).toEqual([
      {
        action: 'customers.identifierSearch',
        outcome: 'denied',
        username: 'teller',
        target_id: null,
        details: {
          method: 'customers.search',
          kind: 'mobile',
          query: '138****0001',
          reason: 'rate_limited',
          refused: 1,
        },
      },
    ]);
  });

  it('other searches are not limited; the limit refills with time and follows the user across sessions', async () => {
    const teller = await signIn(w, 'teller');
    for (const q of guesses(20)) expect((await call(w, 'customers.search', { query: q }, teller)).ok).toBe(true);
    expect(await call(w, 'customers.search', { query: '5678' }, teller)).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    // Names and customer numbers are not identifiers: still answered.
    expect((await ok(w, 'customers.search', { query: '张' }, teller)).length).toBe(3);
    expect((await ok(w, 'customers.search', { query: '8000000001' }, teller)).length).toBe(1);
    expect((await ok(w, 'customers.search', { query: '80000' }, teller)).length).toBe(6);
    // A new session of the same user starts from the same bucket.
    const again = await signIn(w, 'teller');
    expect((await call(w, 'customers.search', { query: '5678' }, again)).ok).toBe(false);
    // Six a minute after the burst.
    w.clock.advance(60_000);
    const next = [];
    for (let i = 0; i < 8; i++) next.push((await call(w, 'customers.search', { query: `${1000 + i}` }, again)).ok);
    expect(next).toEqual([true, true, true, true, true, true, false, false]);
  });

  it('the grid is limited the same way: rows, count and stats of one search are one look-up', async () => {
    const manager = await signIn(w, 'manager1');
    for (const q of guesses(20)) {
      expect((await call(w, 'customers.grid', { filter: { q }, sort: [], offset: 0, limit: 100 }, manager)).ok).toBe(
        true,
      );
      expect((await call(w, 'customers.gridCount', { filter: { q } }, manager)).ok).toBe(true);
      expect((await call(w, 'customers.quickStats', { filter: { q } }, manager)).ok).toBe(true);
    }
    expect(lookups()).toHaveLength(20);
    for (const [m, input] of [
      ['customers.gridCount', { filter: { q: ID } }],
      ['customers.search', { query: ID }],
      ['exports.start', { filter: { q: ID }, columns: ['customerNo'], format: 'csv' }],
    ] as const) {
      expect(await call(w, m, input as never, manager), m).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED' },
      });
    }
  });
});

describe('identifier look-ups are audited, with the number masked', () => {
  it('names the method, the masked query, how many customers it found and whom', async () => {
    const teller = await signIn(w, 'teller');
    const manager = await signIn(w, 'manager1');
    await ok(w, 'customers.search', { query: ID }, teller);
    await ok(w, 'customers.search', { query: MOBILE }, teller);
    await ok(w, 'customers.search', { query: '1236' }, teller);
    await ok(w, 'customers.search', { query: '9999' }, teller);
    await ok(w, 'customers.grid', { filter: { q: '1236' }, sort: [], offset: 0, limit: 100 }, manager);
    // Not identifier look-ups: names, customer numbers and their prefixes, digits that match no identifier.
    await ok(w, 'customers.search', { query: '张伟' }, teller);
    await ok(w, 'customers.search', { query: '8000000001' }, teller);
    await ok(w, 'customers.search', { query: '800000' }, teller);
    const c = w.ids.customers;
    expect(lookups()).toEqual([
      {
        action: 'customers.identifierSearch',
        outcome: 'ok',
        username: 'teller',
        target_id: String(c.m1a),
        details: {
          method: 'customers.search',
          kind: 'id_no',
          query: '110101********1234',
          results: 1,
          customerIds: [c.m1a],
        },
      },
      {
        action: 'customers.identifierSearch',
        outcome: 'ok',
        username: 'teller',
        target_id: String(c.m1a),
        details: { method: 'customers.search', kind: 'mobile', query: '138****0001', results: 1, customerIds: [c.m1a] },
      },
      {
        action: 'customers.identifierSearch',
        outcome: 'ok',
        username: 'teller',
        target_id: String(c.m2a),
        details: { method: 'customers.search', kind: 'last4', query: '****1236', results: 1, customerIds: [c.m2a] },
      },
      {
        action: 'customers.identifierSearch',
        outcome: 'ok',
        username: 'teller',
        target_id: null,
        details: { method: 'customers.search', kind: 'last4', query: '****9999', results: 0, customerIds: [] },
      },
      {
        // manager1 does not see 张敏: the look-up is recorded, finding no one in their scope.
        action: 'customers.identifierSearch',
        outcome: 'ok',
        username: 'manager1',
        target_id: null,
        details: { method: 'customers.grid', kind: 'last4', query: '****1236', results: 0, customerIds: [] },
      },
    ]);
    expect(wholeLog()).not.toContain(ID);
    expect(wholeLog()).not.toContain(MOBILE);
  });
});

describe('a look-up whose audit entry cannot be written', () => {
  it('fails, and the retry is audited rather than passing as a repeat', async () => {
    const teller = await signIn(w, 'teller');
    w.db.exec(`CREATE TEMP TRIGGER refuse_lookup_audit BEFORE INSERT ON audit_log
      WHEN NEW.action = 'customers.identifierSearch' BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`);
    try {
      expect((await call(w, 'customers.search', { query: ID }, teller)).ok).toBe(false);
    } finally {
      w.db.exec('DROP TRIGGER refuse_lookup_audit');
    }
    expect(lookups()).toEqual([]);
    expect((await ok(w, 'customers.search', { query: ID }, teller)).map((c) => c.id)).toEqual([w.ids.customers.m1a]);
    expect(lookups().map((e) => e.details.query)).toEqual(['110101********1234']);
  });
});

describe('refused out-of-scope reads leave a record (19.4c)', () => {
  const denied = () =>
    w.db
      .prepare("SELECT action, outcome, username, target_type, target_id FROM audit_log WHERE outcome = 'denied'")
      .all();

  it('customers.get, customers.view and customers.transactions of a customer outside the scope', async () => {
    const manager = await signIn(w, 'manager1');
    const other = w.ids.customers.m2a;
    for (const m of ['customers.get', 'customers.view', 'customers.transactions'] as const) {
      const r = await call(w, m, { id: other } as never, manager);
      expect(r, m).toEqual({ ok: false, error: { code: 'NOT_FOUND', details: { entity: 'customer', id: other } } });
    }
    // An id that does not exist is refused and recorded the same way (probing ids is visible).
    expect((await call(w, 'customers.get', { id: 99_999 }, manager)).ok).toBe(false);
    const entry = (action: string, id: number) => ({
      action,
      outcome: 'denied',
      username: 'manager1',
      target_type: 'customer',
      target_id: String(id),
    });
    expect(denied()).toEqual([
      entry('customers.get', other),
      entry('customers.view', other),
      entry('customers.transactions', other),
      entry('customers.get', 99_999),
    ]);
  });

  it('reads in scope write no refusal', async () => {
    const manager = await signIn(w, 'manager1');
    const own = w.ids.customers.m1a;
    await ok(w, 'customers.get', { id: own }, manager);
    await ok(w, 'customers.view', { id: own }, manager);
    await ok(w, 'customers.transactions', { id: own, offset: 0, limit: 20 }, manager);
    expect(denied()).toEqual([]);
  });
});
