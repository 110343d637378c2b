import BetterSqlite3, { type Database } from 'better-sqlite3-multiple-ciphers';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  applyPull,
  listConflicts,
  listRecords,
  MutationRefused,
  markPushResults,
  type Mutators,
  pendingMutations,
  queuedCount,
  readRecord,
  recordMutation,
  runMutation,
  SyncRuleError,
  SyncShapeError,
} from '../../../../db/sync/replica';
import { ensureSyncSchema, readSyncState } from '../../../../db/sync/schema';
import type { Change, PullResponse } from '../../../../shared/sync/protocol';

/**
 * The workstation's replica without a hub: pulls and push answers are written by hand, so each rebase
 * rule is checked on its own (the scenario and property tests check them together against a real hub).
 */
const T = 'sync_test_items';
const X = '00000000-0000-7000-8000-000000000001';
const Y = '00000000-0000-7000-8000-000000000002';
let db: Database;

const mutators: Mutators = {
  rename: (d, a) => {
    const { id, title } = a as { id: string; title: string };
    const cur = readRecord(d, T, id);
    if (!cur?.data) throw new MutationRefused('gone');
    return [{ table: T, id, data: { ...cur.data, title } }];
  },
  // A derived row (a reminder state): every PC computes it from the same extracts; its natural key is its identity.
  ensureMark: (d, a) => {
    const { key } = a as { key: string };
    return readRecord(d, 'sync_test_marks', key) ? [] : [{ table: 'sync_test_marks', id: key, data: { done: false } }];
  },
  complete: (d, a) => {
    const { id } = a as { id: string };
    const cur = readRecord(d, T, id);
    if (!cur?.data || cur.data.status === 'done') throw new MutationRefused('already_done');
    return [{ table: T, id, data: { ...cur.data, status: 'done' } }];
  },
};

const change = (seq: number, id: string, revision: number, title: string, status = 'open'): Change => ({
  seq,
  table: T,
  id,
  revision,
  data: { title, status },
  deleted: false,
});
const pull = (changes: Change[], lastMutationId: number, more = false): PullResponse => ({
  changes,
  cursor: changes.at(-1)?.seq ?? readSyncState(db).cursor,
  more,
  lastMutationId,
});
const create = (id: string, title: string) =>
  recordMutation(db, { name: 'create', args: { id }, effects: [{ table: T, id, data: { title, status: 'open' } }] });

beforeEach(() => {
  db = new BetterSqlite3(':memory:');
  ensureSyncSchema(db);
  ensureSyncSchema(db); // idempotent
});

describe('replica', () => {
  it('a local write shows at once, is queued with the revision it was based on, and ids never repeat', () => {
    expect(create(X, 'a')).toBe(1);
    expect(runMutation(db, mutators, 'rename', { id: X, title: 'b' })).toBe(2);
    expect(readRecord(db, T, X)).toEqual({
      table: T,
      id: X,
      revision: 2,
      data: { title: 'b', status: 'open' },
      deleted: false,
    });
    expect(pendingMutations(db, 10).map((m) => [m.id, m.effects[0]!.baseRevision])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    markPushResults(db, [
      { id: 1, outcome: 'applied' },
      { id: 2, outcome: 'applied' },
    ]);
    applyPull(db, pull([change(1, X, 1, 'a'), change(2, X, 2, 'b')], 2), mutators);
    expect(queuedCount(db)).toBe(0);
    expect(create(Y, 'c')).toBe(3);
  });

  it('a write the rules refuse, or a domain function that throws, leaves nothing behind', () => {
    create(X, 'a');
    expect(() => create(Y, 'x'.repeat(201))).toThrow(SyncRuleError);
    expect(() => runMutation(db, mutators, 'rename', { id: Y, title: 'no' })).toThrow(MutationRefused);
    expect(listRecords(db, T).map((r) => r.id)).toEqual([X]);
    expect(pendingMutations(db, 10)).toHaveLength(1);
    expect(readSyncState(db).nextMutationId).toBe(2);
  });

  it('a mutation the wire cannot carry is refused when made, so it can never block the outbox', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      table: T,
      id: `00000000-0000-7000-8000-${(100 + i).toString(16).padStart(12, '0')}`,
      data: { title: 't', status: 'open' },
    }));
    expect(() => recordMutation(db, { name: 'bulk', args: {}, effects: many })).toThrow(SyncShapeError);
    const big = { note: '字'.repeat(90_000) }; // 270 kB in UTF-8, under 100k characters
    expect(() => recordMutation(db, { name: 'big', args: big, effects: many.slice(0, 1) })).toThrow(/too_large/);
    expect(listRecords(db, T)).toEqual([]);
    expect(queuedCount(db)).toBe(0);
    expect(readSyncState(db).nextMutationId).toBe(1);
  });

  it('pending writes stay laid over what the hub sends until the hub has processed them', () => {
    create(X, 'mine');
    applyPull(db, pull([change(1, Y, 1, 'theirs')], 0), mutators);
    expect(readRecord(db, T, X)?.data?.title).toBe('mine');
    expect(readRecord(db, T, Y)?.data?.title).toBe('theirs');
    expect(queuedCount(db)).toBe(1);
  });

  it('a conflict is re-run on the new state; one the domain refuses becomes a 同步冲突 and is undone', () => {
    applyPull(db, pull([change(1, X, 1, 'x'), change(2, Y, 1, 'y')], 0), mutators);
    runMutation(db, mutators, 'rename', { id: X, title: 'my title' });
    runMutation(db, mutators, 'complete', { id: Y });
    expect(readRecord(db, T, Y)?.data?.status).toBe('done');
    const reason = { table: T, baseRevision: 1, revision: 2 };
    markPushResults(db, [
      { id: 1, outcome: 'conflict', reason: { ...reason, id: X } },
      { id: 2, outcome: 'duplicate', first: 'conflict', reason: { ...reason, id: Y } },
    ]);
    const r = applyPull(db, pull([change(3, X, 2, 'their title'), change(4, Y, 2, 'y', 'done')], 2), mutators);
    expect(r).toEqual({ settled: 2, rerun: 1, conflicts: 1 });
    // The rename was re-run on revision 2 and queued again under a new id.
    expect(readRecord(db, T, X)).toMatchObject({ revision: 3, data: { title: 'my title' } });
    expect(pendingMutations(db, 10).map((m) => [m.id, m.name, m.effects[0]!.baseRevision])).toEqual([[3, 'rename', 2]]);
    // The completion could not be redone: the hub's row shows, and the user gets a conflict entry.
    expect(readRecord(db, T, Y)).toMatchObject({ revision: 2, data: { status: 'done' } });
    expect(listConflicts(db)).toMatchObject([{ mutationId: 2, name: 'complete', outcome: 'conflict' }]);
    expect(listConflicts(db)[0]!.reason).toMatchObject({ refused: 'already_done', id: Y });
  });

  it('a created row whose mutation was refused disappears; a push whose answer was lost waits for it', () => {
    create(X, 'refused');
    create(Y, 'unanswered');
    markPushResults(db, [{ id: 1, outcome: 'refused', reason: { code: 'transition' } }]);
    applyPull(db, pull([change(1, Y, 1, 'unanswered')], 2), mutators);
    expect(readRecord(db, T, X)).toBeNull();
    expect(listConflicts(db)).toMatchObject([{ mutationId: 1, outcome: 'refused', reason: { code: 'transition' } }]);
    // Mutation 2 was processed (the hub says so) but we never heard how: it stays queued, not laid over.
    expect(pendingMutations(db, 10).map((m) => m.id)).toEqual([2]);
    expect(readRecord(db, T, Y)?.revision).toBe(1);
    markPushResults(db, [{ id: 2, outcome: 'duplicate', first: 'applied' }]);
    applyPull(db, pull([], 2), mutators);
    expect(queuedCount(db)).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM sync_outbox').get()).toEqual({ n: 0 });
  });

  it('checks the rules as the signed-in user, and re-runs a conflict as the same user', () => {
    applyPull(db, pull([change(1, X, 1, 'x')], 0), mutators);
    const teller = { userId: 't1', role: 'teller' };
    const manager = { userId: 'm1', role: 'manager' };
    expect(() => runMutation(db, mutators, 'complete', { id: X }, teller)).toThrow(/transition/);
    expect(runMutation(db, mutators, 'rename', { id: X, title: 'by teller' }, teller)).toBe(1);
    expect(runMutation(db, mutators, 'complete', { id: X }, manager)).toBe(2);
    expect(pendingMutations(db, 10).map((m) => m.userId)).toEqual(['t1', 'm1']);
    markPushResults(db, [
      { id: 1, outcome: 'conflict' },
      { id: 2, outcome: 'conflict' },
    ]);
    applyPull(db, pull([change(2, X, 2, 'moved')], 2), mutators);
    expect(pendingMutations(db, 10).map((m) => [m.name, m.userId])).toEqual([
      ['rename', 't1'],
      ['complete', 'm1'],
    ]);
  });

  it('a derived row two PCs both made is one row: the later one re-runs to nothing and queues nothing', () => {
    const key = 'u1:maturity:2026-12-31';
    expect(runMutation(db, mutators, 'ensureMark', { key })).toBe(1);
    // Another PC's identical row reached the hub first: ours conflicts (base 0, hub at 1).
    markPushResults(db, [{ id: 1, outcome: 'conflict', reason: { table: 'sync_test_marks', id: key } }]);
    const mark: Change = {
      seq: 1,
      table: 'sync_test_marks',
      id: key,
      revision: 1,
      data: { done: false },
      deleted: false,
    };
    expect(applyPull(db, pull([mark], 1), mutators)).toEqual({ settled: 1, rerun: 1, conflicts: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM sync_outbox').get()).toEqual({ n: 0 });
    expect(listConflicts(db)).toEqual([]);
    expect(readRecord(db, 'sync_test_marks', key)).toMatchObject({ revision: 1, data: { done: false } });
    expect(runMutation(db, mutators, 'ensureMark', { key })).toBe(0);
    expect(readSyncState(db).nextMutationId).toBe(2);
  });

  it('during a paged catch-up the PC never sees its own applied write go back to an older revision', () => {
    applyPull(db, pull([change(1, X, 1, 'v1')], 0), mutators);
    runMutation(db, mutators, 'rename', { id: X, title: 'mine v2' });
    markPushResults(db, [{ id: 1, outcome: 'applied' }]);
    // Page 1 brings an unrelated change and re-sends X at revision 1; X's revision 2 comes in page 2.
    applyPull(db, { ...pull([change(2, Y, 1, 'y'), change(3, X, 1, 'v1')], 1), more: true }, mutators);
    expect(readRecord(db, T, X)).toMatchObject({ revision: 2, data: { title: 'mine v2' } });
    applyPull(db, pull([change(4, X, 2, 'mine v2')], 1), mutators);
    expect(readRecord(db, T, X)).toMatchObject({ revision: 2, data: { title: 'mine v2' } });
    expect(db.prepare('SELECT count(*) AS n FROM sync_outbox').get()).toEqual({ n: 0 });
    expect(readSyncState(db).cursor).toBe(4);
  });
});
