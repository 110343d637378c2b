import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { setHubCa } from '../../../db/sync/membership';
import { queuedCount } from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolWorkstation, HubUnreachable, hubCall } from '../../../main/sync/hub-client';
import { joinHub } from '../../../main/sync/join';
import { workerOf } from '../../../main/sync/worker';
import { makeWorld, type World } from '../support/store';
import { ownerPool, startPg, type TestPg } from './support';
import { makeThrowawayCa, type ThrowawayCa } from './throwaway-ca';
import { until } from './workstations';

/**
 * TLS between PC and hub (issue 16, point 7): the hub serves HTTPS and WSS with a certificate from the
 * bank's CA (here a throw-away CA made with openssl); a PC that trusts that CA joins, syncs and hears
 * wake-ups; a PC that trusts another CA, or only the system's store, is refused at the handshake and
 * says the hub is unreachable (it never falls back to trusting anything).
 */
const BRANCH = 'T01';
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;
let ca: ThrowawayCa;
const worlds: World[] = [];

beforeAll(async () => {
  ca = makeThrowawayCa();
  server = await startPg();
  const db = await server.createHubDb('tls');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db), tls: { cert: ca.hubCertPem, key: ca.hubKeyPem } });
  await ensureBranch(owner, BRANCH);
}, 60_000);

afterAll(async () => {
  for (const w of worlds) {
    await workerOf(w.db)?.stop();
    await w.close();
  }
  await hub?.close();
  await owner?.end();
  await server?.stop();
  ca?.cleanup();
});

async function world(): Promise<World> {
  const w = await makeWorld();
  worlds.push(w);
  return w;
}

describe('TLS between PC and hub', () => {
  it('the hub answers on https:// with the certificate the bank CA signed', async () => {
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await hubCall(`${hub.url}/health`, { ca: ca.caPem })).toEqual({ ok: true });
  });

  it('a PC trusting the bank CA joins, pushes, pulls and hears wake-ups over WSS', async () => {
    const w = await world();
    const { code } = await issueEnrolCode(owner, BRANCH);
    const r = await joinHub(
      w.db,
      { hubUrl: hub.url, branch: BRANCH, code, name: 'PC-TLS', caPem: ca.caPem },
      { userId: 'admin', role: 'admin' },
      { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 },
    );
    expect(r.seeded).toBe(5);
    const worker = workerOf(w.db)!;
    expect(await until(() => worker.listening, 10_000)).toBe(true);
    expect(await until(async () => (await worker.syncNow()).state === 'synced' && queuedCount(w.db) === 0)).toBe(true);
    const users = await owner.query("SELECT count(*)::int AS n FROM records WHERE branch = $1 AND tbl = 'users'", [
      BRANCH,
    ]);
    expect(users.rows[0].n).toBe(5);
  });

  it('a PC trusting another CA, or only the system store, is refused at the handshake', async () => {
    for (const trust of [ca.otherCaPem, null]) {
      const w = await world();
      ensureSyncSchema(w.db);
      setHubCa(w.db, trust);
      const { code } = await issueEnrolCode(owner, BRANCH);
      const err = await enrolWorkstation(w.db, { hubUrl: hub.url, branch: BRANCH, code, name: 'PC-X' }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HubUnreachable);
      expect(String((err as Error).message)).toMatch(/certificate|self[- ]signed|unable to verify/i);
    }
    // Plain HTTP to the TLS port gets no answer either.
    const plain = await hubCall(`${hub.url.replace('https:', 'http:')}/health`).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(HubUnreachable);
  });
});
