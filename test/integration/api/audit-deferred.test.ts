/**
 * The audit entries of ordinary acts are deferred, not lost and not refused, while an import holds the
 * write lock (db/repos/audit.ts): kept per database, written with their original time once the lock is
 * free, either by the next entry or by flushPendingAudit after the job.
 */
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPendingAudit, pendingAuditCount, recordAudit } from '../../../db/repos/audit';
import { all } from '../../../db/sql';
import { makeWorld, type World } from '../support/store';

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(() => w.close());

const actor = { userId: null, username: 'manager1', role: 'manager' };
const entries = (action: string) =>
  all<{ at: string; username: string }>(w.db, 'SELECT at, username FROM audit_log WHERE action = ?', action);

/** Runs `fn` while another connection holds the write lock, as an import job's worker does. */
function whileLocked(fn: () => void): void {
  const other = new Database(path.join(w.dir, 'crm.db'));
  other.exec('BEGIN IMMEDIATE');
  w.db.pragma('busy_timeout = 50');
  try {
    fn();
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
}

describe('audit entries while the store is busy', () => {
  it('defers an ordinary entry, keeps its time, and writes it on the flush after the job', () => {
    let before = '';
    whileLocked(() => {
      before = new Date().toISOString();
      recordAudit(w.db, actor, { action: 'test.deferred', outcome: 'ok' });
      expect(pendingAuditCount(w.db)).toBe(1);
      expect(() => flushPendingAudit(w.db)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      expect(pendingAuditCount(w.db)).toBe(1);
    });
    expect(entries('test.deferred')).toEqual([]);
    expect(flushPendingAudit(w.db)).toBe(1);
    expect(pendingAuditCount(w.db)).toBe(0);
    const [row] = entries('test.deferred');
    expect(row?.username).toBe('manager1');
    expect(row && row.at >= before && row.at <= new Date().toISOString()).toBe(true);
    expect(flushPendingAudit(w.db)).toBe(0);
  });

  it('writes deferred entries before the next one, and refuses a must-record act', () => {
    whileLocked(() => {
      recordAudit(w.db, actor, { action: 'test.first', outcome: 'ok' });
      expect(() => recordAudit(w.db, actor, { action: 'customers.reveal', outcome: 'ok' })).toThrow(
        expect.objectContaining({ code: 'IMPORT_STORE_BUSY' }),
      );
      expect(pendingAuditCount(w.db)).toBe(1);
    });
    recordAudit(w.db, actor, { action: 'test.second', outcome: 'ok' });
    expect(pendingAuditCount(w.db)).toBe(0);
    const order = all<{ action: string }>(
      w.db,
      "SELECT action FROM audit_log WHERE action LIKE 'test.%' OR action = 'customers.reveal' ORDER BY id",
    );
    expect(order.map((r) => r.action)).toEqual(['test.first', 'test.second']);
  });

  it('keeps the deferred entries of each database apart', async () => {
    const other = await makeWorld();
    try {
      whileLocked(() => recordAudit(w.db, actor, { action: 'test.mine', outcome: 'ok' }));
      expect(pendingAuditCount(w.db)).toBe(1);
      expect(pendingAuditCount(other.db)).toBe(0);
      expect(flushPendingAudit(other.db)).toBe(0);
      expect(flushPendingAudit(w.db)).toBe(1);
    } finally {
      other.close();
    }
  });
});
