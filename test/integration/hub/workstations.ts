import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import {
  listRecords,
  MutationRefused,
  type Mutators,
  readRecord,
  runMutation,
  setProjections,
  queuedCount,
} from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { SyncWorker } from '../../../main/sync/worker';

/**
 * Workstations for the scenario tests: each its own SQLite file with the sync tables, joined to a hub
 * through a TCP proxy the test can cut and restore (a pulled cable), with a sync worker running.
 * The domain is the protocol's test table: items that are created, renamed, completed (once: the
 * referral-acceptance pattern) and removed.
 */
export const ITEMS = 'sync_test_items';

type ItemArgs = { id: string; title?: string; owner?: string; opId?: string };

function live(db: Database, id: string) {
  const r = readRecord(db, ITEMS, id);
  if (!r || r.deleted || !r.data) throw new MutationRefused('gone', { id });
  return r.data;
}

export const testMutators: Mutators = {
  'items.create': (_db, a) => {
    const { id, title } = a as ItemArgs;
    return [{ table: ITEMS, id, data: { title: title!, status: 'open' } }];
  },
  'items.rename': (db, a) => {
    const { id, title } = a as ItemArgs;
    return [{ table: ITEMS, id, data: { ...live(db, id), title: title! } }];
  },
  'items.complete': (db, a) => {
    const { id, owner } = a as ItemArgs;
    const cur = live(db, id);
    if (cur.status === 'done') throw new MutationRefused('already_done', { by: cur.owner });
    return [{ table: ITEMS, id, data: { ...cur, status: 'done', owner: owner! } }];
  },
  'items.remove': (db, a) => {
    const { id } = a as ItemArgs;
    live(db, id);
    return [{ table: ITEMS, id, deleted: true }];
  },
};

/**
 * The test domain's local table, kept by a projection the way referrals will be: a plain SQLite table
 * the UI and grids read, equal at every commit to the replica's shown rows.
 */
export function projectItems(db: Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS items_local (id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL, owner TEXT)',
  );
  setProjections(db, {
    [ITEMS]: (d, id, row) => {
      if (row === null) d.prepare('DELETE FROM items_local WHERE id = ?').run(id);
      else
        d.prepare(
          `INSERT INTO items_local (id, title, status, owner) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, status = excluded.status, owner = excluded.owner`,
        ).run(id, row.title, row.status, row.owner ?? null);
    },
  });
}

/** items_local, and what it should be (the shown rows of the replica), for comparison. */
export function projectedItems(db: Database): { actual: unknown[]; expected: unknown[] } {
  const actual = db.prepare('SELECT id, title, status, owner FROM items_local ORDER BY id').all();
  const expected = listRecords(db, ITEMS).map((r) => ({
    id: r.id,
    title: r.data!.title,
    status: r.data!.status,
    owner: r.data!.owner ?? null,
  }));
  return { actual, expected };
}

/** A loopback TCP proxy that can drop every connection and refuse new ones until restored. */
export class CablePlug {
  private server: Server;
  private sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = createServer((client) => {
      if (this.cut) return client.destroy();
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  unplug(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  plug(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.unplug();
    await new Promise((r) => this.server.close(r));
  }
}

export interface Workstation {
  name: string;
  db: Database;
  worker: SyncWorker;
  cable: CablePlug;
  /** Runs a domain operation locally (as the UI would) and tells the worker. */
  act(name: string, args: unknown): number;
  close(): Promise<void>;
}

export async function openWorkstation(
  name: string,
  hubPort: number,
  owner: pg.Pool,
  branch: string,
  opts: { start?: boolean } = {},
): Promise<Workstation> {
  const dir = mkdtempSync(path.join(tmpdir(), `crm-ws-${name}-`));
  const db = new BetterSqlite3(path.join(dir, 'crm.db'));
  db.pragma('journal_mode = WAL');
  ensureSyncSchema(db);
  projectItems(db);
  const cable = await new CablePlug(hubPort).listen();
  await ensureBranch(owner, branch);
  const { code } = await issueEnrolCode(owner, branch);
  await enrolWorkstation(db, { hubUrl: `http://127.0.0.1:${cable.port}`, branch, code, name });
  // Timer pulls are slow on purpose: the tests count on wake-ups, kicks and reconnects.
  const worker = new SyncWorker({ db, mutators: testMutators, intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 });
  if (opts.start !== false) worker.start();
  return {
    name,
    db,
    worker,
    cable,
    act(n, args) {
      const id = runMutation(db, testMutators, n, args);
      worker.kick();
      return id;
    },
    async close() {
      await worker.stop();
      await cable.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

/** The hub's live records of a branch, as {table/id: {revision, data, deleted}}. */
export async function hubRecords(owner: pg.Pool, branch: string): Promise<Record<string, unknown>> {
  const r = await owner.query('SELECT tbl, id, revision, data, deleted FROM records WHERE branch = $1', [branch]);
  return Object.fromEntries(
    r.rows.map((x) => [`${x.tbl}/${x.id}`, { revision: Number(x.revision), data: x.data, deleted: x.deleted }]),
  );
}

/** The same view of a workstation's replica. */
export function replicaRecords(db: Database): Record<string, unknown> {
  const rows = db.prepare('SELECT tbl, id, revision, data, deleted FROM sync_records').all() as {
    tbl: string;
    id: string;
    revision: number;
    data: string | null;
    deleted: number;
  }[];
  return Object.fromEntries(
    rows.map((x) => [
      `${x.tbl}/${x.id}`,
      { revision: x.revision, data: x.data ? JSON.parse(x.data) : null, deleted: !!x.deleted },
    ]),
  );
}

/** A value as canonical JSON (object keys sorted), to compare the hub's records with a replica's. */
export const canonical = (o: unknown): string => JSON.stringify(sortKeys(o));
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        )
      : v;

/** Whether every replica holds exactly the hub's records of the branch and has nothing left to push. */
export async function replicasConverged(owner: pg.Pool, branch: string, dbs: readonly Database[]): Promise<boolean> {
  const hub = canonical(await hubRecords(owner, branch));
  return dbs.every((db) => canonical(replicaRecords(db)) === hub && queuedCount(db) === 0);
}

/** Stops each test PC's sync worker, then its cable, then its store. */
export async function closePcs(
  pcs: readonly {
    worker: { stop(): Promise<void> };
    cable: { close(): Promise<void> };
    w: { close(): unknown };
  }[],
): Promise<void> {
  for (const p of pcs) {
    await p.worker.stop();
    await p.cable.close();
    await p.w.close();
  }
}
