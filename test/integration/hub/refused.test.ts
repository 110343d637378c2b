import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN_MUTATORS, wireDomains } from '../../../db/sync/domains';
import { applyPull, listConflicts, markPushResults, pendingMutations } from '../../../db/sync/replica';
import { ensureSyncSchema, saveIdentity } from '../../../db/sync/schema';
import { makeWorld, ok, signIn, type World } from '../support/store';

/**
 * What a PC does when the hub refuses the creation of a record it made offline (its user disabled on
 * the hub meanwhile, say): the record never existed, so the local row it made is undone with what it
 * brought along (reminder, last contact, entries), and the user's act is a 同步冲突 entry. No hub
 * needed: the hub's answers are given to the store as the worker would.
 */
let w: World;
beforeEach(async () => {
  w = await makeWorld();
  ensureSyncSchema(w.db);
  saveIdentity(w.db, {
    hubUrl: 'http://127.0.0.1:1',
    branch: 'U01',
    pcId: '0190c3a4-0000-7000-8000-000000000001',
    secret: 's',
  });
  wireDomains(w.db);
});
afterEach(async () => {
  await w.close();
});

/** The hub refused every queued mutation; the next pull (nothing new on the hub) settles them. */
function refuseAll(): void {
  const ms = pendingMutations(w.db, 500);
  markPushResults(
    w.db,
    ms.map((m) => ({ id: m.id, outcome: 'refused' as const, reason: { code: 'unknown_user', userId: m.userId } })),
  );
  applyPull(w.db, { changes: [], cursor: 0, more: false, lastMutationId: ms.at(-1)!.id }, DOMAIN_MUTATORS);
}

const count = (sql: string) => w.db.prepare(sql).pluck().get() as number;

describe('creations the hub refused are undone on the PC', () => {
  it('a contact, its next-step reminder and the last contact it set; an opportunity; a campaign', async () => {
    const m1 = await signIn(w, 'manager1');
    const pres = await signIn(w, 'president');
    const before = w.db.prepare('SELECT * FROM customer_last_contact WHERE customer_id = ?').get(w.ids.customers.m1a);
    await ok(
      w,
      'contacts.record',
      {
        customerId: w.ids.customers.m1a,
        channel: 'visit',
        outcome: 'interested',
        summary: '上门',
        nextStep: '回访',
        nextStepOn: '2026-11-09',
      },
      m1,
    );
    await ok(w, 'opportunities.create', { customerId: w.ids.customers.m1a, product: 'loan', title: '经营贷' }, m1);
    await ok(w, 'campaigns.create', { name: '冬季', product: 'wealth', source: { filter: {} } }, pres);
    expect(count('SELECT count(*) FROM contacts')).toBe(1);
    expect(count("SELECT count(*) FROM reminders WHERE source_type = 'contact'")).toBe(1);
    expect(count('SELECT count(*) FROM campaign_entries')).toBeGreaterThan(0);

    refuseAll();
    expect(count('SELECT count(*) FROM contacts')).toBe(0);
    expect(count("SELECT count(*) FROM reminders WHERE source_type = 'contact'")).toBe(0);
    expect(w.db.prepare('SELECT * FROM customer_last_contact WHERE customer_id = ?').get(w.ids.customers.m1a)).toEqual(
      before,
    );
    expect(count("SELECT count(*) FROM opportunities WHERE source = 'manual'")).toBe(0);
    expect(count('SELECT count(*) FROM campaigns')).toBe(0);
    expect(count('SELECT count(*) FROM campaign_entries')).toBe(0);
    expect(count('SELECT count(*) FROM sync_records')).toBe(0);
    expect(count('SELECT count(*) FROM sync_links')).toBe(0);
    // Each act is the user's 同步冲突 entry, and audited as failed.
    expect(listConflicts(w.db).map((c) => [c.name, c.actor?.userId])).toEqual([
      ['contacts.record', 'manager1'],
      ['opportunities.create', 'manager1'],
      ['campaigns.create', 'president'],
    ]);
    expect(count("SELECT count(*) FROM audit_log WHERE outcome = 'failed'")).toBe(3);
  });
});

describe('records made while standalone', () => {
  it('an opportunity made before joining goes up as it stands when first worked, then the step', async () => {
    // The beforeEach joined this store; leave it standalone for a moment by clearing its identity.
    w.db.prepare('UPDATE sync_state SET hub_url = NULL WHERE id = 1').run();
    const m1 = await signIn(w, 'manager1');
    const o = await ok(
      w,
      'opportunities.create',
      { customerId: w.ids.customers.m1a, product: 'card', title: '信用卡' },
      m1,
    );
    expect(pendingMutations(w.db, 10)).toEqual([]);
    w.db.prepare("UPDATE sync_state SET hub_url = 'http://127.0.0.1:1' WHERE id = 1").run();
    await ok(w, 'opportunities.move', { id: o.id, to: 'contacted' }, m1);
    const queued = pendingMutations(w.db, 10);
    expect(queued.map((m) => m.name)).toEqual(['opportunities.create', 'opportunities.move']);
    // The first record naming the customer carries the customer's scope facts ahead of it (the hub's pull
    // scope, db/sync/customer-scope.ts); the opportunity is the rest.
    expect(queued[0]!.effects.map((e) => e.table)).toEqual(['customer_scope', 'opportunities']);
    const [made, moved] = queued.map(
      (m) =>
        m.effects.find((e) => e.table === 'opportunities') as unknown as {
          id: string;
          baseRevision: number;
          data: { stage: string };
        },
    );
    expect([made!.data.stage, moved!.data.stage]).toEqual(['identified', 'contacted']);
    expect(moved).toMatchObject({ id: made!.id, baseRevision: 1 });
  });
});
