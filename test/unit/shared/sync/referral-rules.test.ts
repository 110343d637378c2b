import { describe, expect, it } from 'vitest';
import { REFERRAL_TRANSITIONS } from '../../../../shared/api/referrals';
import { uuid7 } from '../../../../shared/sync/ids';
import { checkWrite, type SyncActor, type SyncRow } from '../../../../shared/sync/rules';

/**
 * The hub's write rules for referrals: who may flag, who may take which step, and the state machine of
 * db/relationship/referral-steps.ts (one table, shared) applied to rows the hub runs no code for.
 */
const id = uuid7();
const teller: SyncActor = { userId: 'teller', role: 'teller' };
const manager: SyncActor = { userId: 'manager1', role: 'manager' };
const president: SyncActor = { userId: 'president', role: 'president' };
const admin: SyncActor = { userId: 'admin', role: 'admin' };

const flagged: SyncRow = {
  customer_no: '8000000001',
  branch: '3101',
  referrer: 'teller',
  referrer_staff: 'E201',
  interest: 'wealth',
  urgency: 'normal',
  note: null,
  owner: 'E101',
  status: 'new',
  created_at: '2026-11-02T02:00:00.000Z',
  created_on: '2026-11-02',
  sla_days: 2,
  due_on: '2026-11-04',
  updated_at: '2026-11-02T02:00:00.000Z',
  events: [],
};
const at = '2026-11-02T03:00:00.000Z';
const accepted = { ...flagged, status: 'accepted', accepted_at: at };
const contacted = { ...accepted, status: 'contacted', first_contact_at: at, first_contact_on: '2026-11-02' };
const won = {
  ...contacted,
  status: 'won',
  won_product: 'WM001',
  won_amount_fen: 100,
  closed_at: at,
  closed_on: '2026-11-02',
};
const lost = { ...contacted, status: 'lost', lost_reason: 'other', closed_at: at, closed_on: '2026-11-02' };

const write = (before: SyncRow | null, after: SyncRow | null, actor: SyncActor | null) => {
  const r = checkWrite('referrals', id, before, after, actor);
  return r === null ? null : (r.detail ?? r.code);
};

describe('referral write rules', () => {
  it('a teller flags in state new, as themselves; nobody else flags', () => {
    expect(write(null, flagged, teller)).toBeNull();
    expect(write(null, flagged, null)).toBeNull();
    expect(write(null, flagged, manager)).toBe('role_cannot_create');
    expect(write(null, flagged, president)).toBe('role_cannot_create');
    expect(write(null, { ...flagged, referrer: 'teller2' }, teller)).toBe('referrer_is_not_actor');
    expect(write(null, accepted, teller)).toBe('must_start_new');
    expect(write(null, { ...flagged, status: 'maybe' }, teller)).toBe('bad_value');
    expect(write(null, { ...flagged, customer_no: null }, teller)).toBe('missing_field');
  });

  it('managers and the president step along the shared state machine; a teller or admin writes nothing after', () => {
    expect(write(flagged, accepted, manager)).toBeNull();
    expect(write(accepted, contacted, manager)).toBeNull();
    expect(write(contacted, contacted, manager)).toBeNull();
    expect(write(contacted, won, manager)).toBeNull();
    expect(write(accepted, lost, manager)).toBeNull();
    expect(write(accepted, { ...flagged, owner: 'E102' }, president)).toBeNull();
    expect(write(flagged, accepted, teller)).toBe('role_cannot_step');
    expect(write(flagged, accepted, admin)).toBe('role_cannot_step');
    expect(write(flagged, won, manager)).toBe('bad_state:new->won');
    expect(write(won, lost, manager)).toBe('bad_state:won->lost');
    expect(write(won, { ...contacted }, manager)).toBe('bad_state:won->contacted');
    expect(write(flagged, { ...accepted, customer_no: '8000000002' }, manager)).toBe('fixed_field:customer_no');
    expect(write(flagged, null, manager)).toBe('not_deletable');
  });

  it('every step the state machine allows is a move the rules accept, and no other', () => {
    const rows: Record<string, SyncRow> = { new: flagged, accepted, contacted, won, lost };
    const allowed = new Set(
      Object.values(REFERRAL_TRANSITIONS).flatMap((from, i) =>
        from.map((f) => `${f}->${['accepted', 'new|contacted', 'contacted', 'won', 'lost'][i]}`),
      ),
    );
    for (const [from, before] of Object.entries(rows))
      for (const [to, after] of Object.entries(rows)) {
        const ok = [...allowed].some((m) => {
          const [f, t] = m.split('->');
          return f === from && t!.split('|').includes(to);
        });
        expect(
          write(before, { ...after, ...(to === 'new' ? { owner: 'E102' } : {}) }, manager) === null,
          `${from}->${to}`,
        ).toBe(ok);
      }
  });

  it('a row the stores would refuse never reaches them: won needs product and amount, lost a reason', () => {
    expect(write(contacted, { ...won, won_product: null }, manager)).toBe('won_needs_product');
    expect(write(contacted, { ...won, won_amount_fen: 0 }, manager)).toBe('amount_not_positive');
    expect(write(accepted, { ...lost, lost_reason: null }, manager)).toBe('lost_needs_reason');
    expect(write(contacted, { ...won, closed_at: null }, manager)).toBe('closed_needs_time');
    expect(write(null, { ...flagged, sla_days: 0 }, teller)).toBe('bad_sla_days');
  });
});
