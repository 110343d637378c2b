/**
 * Issue 19.4(a): a reveal whose audit entry cannot be written (an import holds the write lock past the
 * busy timeout) must not happen. Before, the entry was kept in memory, the identifiers were returned,
 * and a crash lost the record for good.
 */
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, makeWorld, signIn, type World } from '../support/store';

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(() => w.close());

const reveals = () =>
  (w.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customers.reveal'").get() as { n: number }).n;

describe('acts that must be recorded', () => {
  it('refuses a reveal while its audit entry cannot be written, and reveals once it can', async () => {
    const manager = await signIn(w, 'manager1');
    const id = w.ids.customers.m1a;
    // Another connection holds the write lock, as an import job's worker does.
    const other = new Database(path.join(w.dir, 'crm.db'));
    other.exec('BEGIN IMMEDIATE');
    w.db.pragma('busy_timeout = 50');
    try {
      const refused = await call(w, 'customers.reveal', { id, reason: '核实身份' }, manager);
      expect(refused).toEqual({ ok: false, error: { code: 'IMPORT_STORE_BUSY', details: { reason: 'audit' } } });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(reveals()).toBe(0);
    const r = await call(w, 'customers.reveal', { id, reason: '核实身份' }, manager);
    expect(r.ok).toBe(true);
    expect(reveals()).toBe(1);
  });

  it('refuses a look-up by mobile number while its audit entry cannot be written', async () => {
    const teller = await signIn(w, 'teller');
    const mobile = (
      w.db.prepare('SELECT mobile FROM customers WHERE mobile IS NOT NULL LIMIT 1').get() as {
        mobile: string;
      }
    ).mobile;
    const other = new Database(path.join(w.dir, 'crm.db'));
    other.exec('BEGIN IMMEDIATE');
    w.db.pragma('busy_timeout = 50');
    try {
      expect(await call(w, 'customers.search', { query: mobile }, teller)).toMatchObject({
        ok: false,
        error: { code: 'IMPORT_STORE_BUSY' },
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await call(w, 'customers.search', { query: mobile }, teller)).ok).toBe(true);
    const n = w.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customers.identifierSearch'").get() as {
      n: number;
    };
    expect(n.n).toBe(1);
  });
});
