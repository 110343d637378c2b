import { describe, expect, it } from 'vitest';
import { uuid7 } from '../../../../shared/sync/ids';
import { effectSchema, pushRequestSchema } from '../../../../shared/sync/protocol';
import { checkWrite, type TableRule } from '../../../../shared/sync/rules';

const ITEMS = 'sync_test_items';
const id = uuid7();

describe('shared write rules', () => {
  it('accepts a well-formed row and a delete where deletes are allowed', () => {
    expect(checkWrite(ITEMS, id, null, { title: 'a', status: 'open', owner: null, n: 3 }, null)).toBeNull();
    expect(checkWrite(ITEMS, id, { title: 'a', status: 'open' }, null, null)).toBeNull();
  });

  it('names what is wrong: table, id shape, field, type, length, value, delete, transition', () => {
    const w = (table: string, rid: string, after: Record<string, unknown> | null, before = null as never) =>
      checkWrite(table, rid, before, after, null)?.code ?? null;
    expect(w('customers', id, {})).toBe('unknown_table');
    expect(w('__proto__', id, {})).toBe('unknown_table');
    expect(w(ITEMS, 'not-a-uuid', { title: 'a', status: 'open' })).toBe('bad_id');
    expect(w('sync_test_marks', 'has space', { done: true })).toBe('bad_id');
    expect(w(ITEMS, id, { title: 'a', status: 'open', extra: 1 })).toBe('unknown_field');
    expect(w(ITEMS, id, { status: 'open' })).toBe('missing_field');
    expect(w(ITEMS, id, { title: null, status: 'open' })).toBe('missing_field');
    expect(w(ITEMS, id, { title: 1, status: 'open' })).toBe('bad_type');
    expect(w(ITEMS, id, { title: 'a', status: 'open', n: 1.5 })).toBe('bad_type');
    expect(w(ITEMS, id, { title: '字'.repeat(201), status: 'open' })).toBe('too_long');
    expect(w(ITEMS, id, { title: '字'.repeat(200), status: 'open' })).toBeNull();
    expect(w(ITEMS, id, { title: 'a', status: 'maybe' })).toBe('bad_value');
    expect(w('sync_test_marks', 'u1:evt:1', null)).toBe('not_deletable');
    expect(checkWrite(ITEMS, id, { title: 'a', status: 'done' }, { title: 'a', status: 'open' }, null)).toMatchObject({
      code: 'transition',
      detail: 'done_is_final',
    });
  });

  it('passes the actor and both row states to a table transition rule (the per-role seam)', () => {
    const seen: unknown[] = [];
    const rules: Record<string, TableRule> = {
      t: {
        key: 'natural',
        fields: { state: { type: 'text', values: ['new', 'accepted'] } },
        deletable: false,
        transition: (ctx) => {
          seen.push(ctx);
          return ctx.after?.state === 'accepted' && ctx.actor?.role === 'teller' ? 'teller_cannot_accept' : null;
        },
      },
    };
    const teller = { userId: 'u1', role: 'teller' };
    expect(checkWrite('t', 'r1', { state: 'new' }, { state: 'accepted' }, teller, rules)?.detail).toBe(
      'teller_cannot_accept',
    );
    expect(
      checkWrite('t', 'r1', { state: 'new' }, { state: 'accepted' }, { ...teller, role: 'manager' }, rules),
    ).toBeNull();
    expect(seen[0]).toEqual({
      table: 't',
      id: 'r1',
      before: { state: 'new' },
      after: { state: 'accepted' },
      actor: teller,
    });
  });
});

describe('wire schemas', () => {
  it('an effect is a row or a delete, never both, and carries no extra keys', () => {
    expect(effectSchema.safeParse({ table: ITEMS, id, baseRevision: 0, data: {} }).success).toBe(true);
    expect(effectSchema.safeParse({ table: ITEMS, id, baseRevision: 1, deleted: true }).success).toBe(true);
    expect(effectSchema.safeParse({ table: ITEMS, id, baseRevision: 0, deleted: true }).success).toBe(false);
    expect(effectSchema.safeParse({ table: ITEMS, id, baseRevision: 1, data: {}, deleted: true }).success).toBe(false);
    expect(effectSchema.safeParse({ table: ITEMS, id, baseRevision: 0, data: {}, sql: 'x' }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ mutations: [] }).success).toBe(false);
  });
});

describe('uuid7', () => {
  it('is a version-7 RFC 9562 id whose prefix orders by time', () => {
    const a = uuid7(1_700_000_000_000);
    const b = uuid7(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.slice(0, 13)).toBe('018bcfe5-6800');
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => uuid7(0))).size).toBe(1000);
  });
});
