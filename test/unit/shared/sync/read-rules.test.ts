import { describe, expect, it } from 'vitest';
import type { CustomerPlace } from '../../../../shared/scope-rules';
import { type PullSubject, pullVisible } from '../../../../shared/sync/read-rules';

/**
 * The hub's pull scope per record (shared/sync/read-rules.ts): own records, the read permission with the
 * data scope, personal tables, deletes named by their ids, and what flows to every PC.
 */
const today = '2026-12-06';
const places: Record<string, CustomerPlace> = {
  '8001': { branches: ['310101', '3101'], manager: 'E101', grants: [] },
  '8002': { branches: ['310101', '3101'], manager: 'E102', grants: [{ staff: 'E101', until: '2026-12-05' }] },
  '8003': { branches: ['3101'], manager: 'E102', grants: [{ staff: 'E101', until: null }] },
};
const place = (no: string) => places[no] ?? null;
const who = {
  teller: { userId: 'teller', role: 'teller', staff: 'E201', branch: '310101', root: '3101' },
  manager1: { userId: 'manager1', role: 'manager', staff: 'E101', branch: '3101' },
  manager2: { userId: 'manager2', role: 'manager', staff: 'E102', branch: '310101' },
  president: { userId: 'president', role: 'president', staff: 'E001', branch: '3101' },
  admin: { userId: 'admin', role: 'admin', staff: null, branch: '3101' },
} satisfies Record<string, PullSubject>;
const sees = (subjects: PullSubject[], table: string, id: string, row: Record<string, unknown> | null) =>
  pullVisible(table, id, row, subjects, place, today);

describe('pull scope of a record', () => {
  const contact = (no: string, user = 'manager2') => ({ customer_no: no, user, channel: 'call' });

  it('contacts: their author, and whoever logs contacts with the customer in scope', () => {
    expect(sees([who.manager1], 'contacts', 'c1', contact('8001'))).toBe(true);
    expect(sees([who.manager1], 'contacts', 'c2', contact('8002'))).toBe(false); // the grant ran out yesterday
    expect(sees([who.manager1], 'contacts', 'c3', contact('8003'))).toBe(true); // a grant without end
    expect(sees([who.manager2], 'contacts', 'c1', contact('8001', 'manager1'))).toBe(false);
    expect(sees([who.president], 'contacts', 'c1', contact('8001'))).toBe(true);
    // The teller's whole branch is in scope, but tellers read no contact; the administrator no customer.
    expect(sees([who.teller, who.admin], 'contacts', 'c1', contact('8001'))).toBe(false);
    // A customer whose facts no PC shared: the branch-wide rule only.
    expect(sees([who.manager1], 'contacts', 'c9', contact('9999', 'manager2'))).toBe(false);
    expect(sees([who.president], 'contacts', 'c9', contact('9999', 'manager2'))).toBe(true);
    // A PC's scope is the union of its users'.
    expect(sees([who.teller, who.manager2], 'contacts', 'c1', contact('8002', 'x'))).toBe(true);
  });

  it("referrals: the teller's own flags, the owner's, and the customer's workers", () => {
    const r = { customer_no: '8001', referrer: 'teller', owner: 'E102', status: 'new' };
    expect(sees([who.teller], 'referrals', 'r1', r)).toBe(true);
    expect(sees([{ ...who.teller, userId: 'teller2' }], 'referrals', 'r1', r)).toBe(false);
    expect(sees([who.manager2], 'referrals', 'r1', r)).toBe(true); // owner, though not the customer's manager
    expect(sees([who.manager1], 'referrals', 'r1', r)).toBe(true); // the customer's manager
    expect(sees([who.admin], 'referrals', 'r1', r)).toBe(false);
  });

  it('rule opportunities reach every PC; hand-made ones their owner and the scope', () => {
    const o = (source: string) => ({ customer_no: '8001', owner: 'E101', source, stage: 'identified' });
    expect(sees([who.teller], 'opportunities', 'o1', o('rule'))).toBe(true);
    expect(sees([who.teller], 'opportunities', 'o1', o('manual'))).toBe(false);
    expect(sees([who.manager2], 'opportunities', 'o1', o('manual'))).toBe(false);
    expect(sees([who.manager1], 'opportunities', 'o1', o('manual'))).toBe(true);
  });

  it('stars and reminder states are their user’s only; deletes go by the names in their ids', () => {
    expect(sees([who.president], 'favorites', 'manager1:8001', { user: 'manager1', customer_no: '8001' })).toBe(false);
    expect(sees([who.manager1], 'favorites', 'manager1:8001', { user: 'manager1', customer_no: '8001' })).toBe(true);
    expect(sees([who.manager1], 'favorites', 'manager1:8001', null)).toBe(true);
    expect(sees([who.manager2], 'favorites', 'manager1:8001', null)).toBe(false);
    expect(sees([who.manager2], 'reminder_states', 'manager1:k', { user: 'manager1', status: 'done' })).toBe(false);
    const list = '01900000-0000-7000-8000-000000000001';
    expect(sees([who.manager1], 'list_members', `${list}:8001`, null)).toBe(true);
    expect(sees([who.manager2], 'list_members', `${list}:8001`, null)).toBe(false);
  });

  it('what is not about a customer flows to every PC', () => {
    for (const table of ['users', 'campaigns', 'desktop_templates', 'customer_scope', 'sync_test_items'])
      expect(sees([], table, 'x', { any: 1 })).toBe(true);
    expect(sees([], 'contacts', 'c1', contact('8001'))).toBe(false);
  });
});
