import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHubSchema, HubSchemaError, loadHubMigrations, migrateHub } from '../../../db/hub/migrate';
import { startPg, type TestPg } from './support';

let server: TestPg;
beforeAll(async () => {
  server = await startPg();
});
afterAll(async () => {
  await server?.stop();
});

async function withPool<T>(url: string, fn: (p: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

describe('hub migrations', () => {
  it('apply once, then re-apply as a no-op, and the app role sees a current schema', async () => {
    const db = await server.createHubDb('m1');
    const all = loadHubMigrations();
    await withPool(server.ownerUrl(db), async (owner) => {
      expect(await migrateHub(owner)).toEqual([]);
      const rows = await owner.query('SELECT version FROM hub_schema_migrations ORDER BY version');
      expect(rows.rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
      const tables = await owner.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        'audit',
        'audit_anchors',
        'branch_roots',
        'branches',
        'changes',
        'enrol_codes',
        'hub_schema_migrations',
        'hub_users',
        'mutations',
        'pc_users',
        'pcs',
        'records',
      ]);
    });
    await withPool(server.appUrl(db), (app) => checkHubSchema(app));
  });

  it('refuses a schema written by a newer hub and one whose history was edited', async () => {
    const db = await server.createHubDb('m2');
    const all = loadHubMigrations();
    await withPool(server.ownerUrl(db), async (owner) => {
      await expect(migrateHub(owner, { migrations: all.slice(0, 1) })).rejects.toMatchObject({ problem: 'too_new' });
      const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: 'x' } : m));
      await expect(migrateHub(owner, { migrations: edited })).rejects.toBeInstanceOf(HubSchemaError);
    });
    await withPool(server.appUrl(db), async (app) => {
      await expect(checkHubSchema(app, [...all, { ...all[0]!, version: all.length + 1 }])).rejects.toMatchObject({
        problem: 'too_old',
      });
    });
  });

  it('a failing migration leaves the schema as it was (one transaction)', async () => {
    const admin = new pg.Client({ connectionString: server.ownerUrl() });
    await admin.connect();
    await admin.query('CREATE DATABASE m3');
    await admin.end();
    const all = loadHubMigrations();
    const broken = [...all, { version: all.length + 1, name: 'broken', sql: 'SELECT no_such_fn()', checksum: 'b' }];
    await withPool(server.ownerUrl('m3'), async (owner) => {
      await expect(migrateHub(owner, { migrations: broken })).rejects.toThrow(/no_such_fn/);
      const t = await owner.query("SELECT to_regclass('records') AS r, to_regclass('hub_schema_migrations') AS m");
      expect(t.rows[0]).toEqual({ r: null, m: null });
    });
  });

  it('the application role has no DDL and cannot rewrite the logs', async () => {
    const db = await server.createHubDb('m4');
    await withPool(server.appUrl(db), async (app) => {
      await expect(app.query('CREATE TABLE sneaky (x int)')).rejects.toThrow(/permission denied/);
      await expect(app.query('ALTER TABLE records ADD COLUMN x int')).rejects.toThrow(/must be owner/);
      await expect(app.query('DROP TABLE changes')).rejects.toThrow(/must be owner/);
      await app.query("INSERT INTO branches (branch, name) VALUES ('B01', 'one')");
      await expect(app.query('DELETE FROM changes')).rejects.toThrow(/permission denied/);
      await expect(app.query('UPDATE audit SET action = $1', ['x'])).rejects.toThrow(/permission denied/);
      await expect(app.query('DELETE FROM records')).rejects.toThrow(/permission denied/);
      await expect(app.query('DELETE FROM audit_anchors')).rejects.toThrow(/permission denied/);
      await expect(app.query('UPDATE audit_anchors SET accepted = true')).rejects.toThrow(/permission denied/);
    });
  });
});
