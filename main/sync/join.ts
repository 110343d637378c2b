import type { Database } from 'better-sqlite3';
import type { PcRow } from '../../db/hub/pcs';
import { hubCa, leaveHubState, setHubCa } from '../../db/sync/membership';
import { ensureSyncSchema, readSyncState } from '../../db/sync/schema';
import { FACTS_HOOK } from '../../db/sync/customer-scope';
import { setBeforeRecord } from '../../db/sync/replica';
import { type SeedReport, seedLocalWork } from '../../db/sync/seed';
import { seedUsers } from '../../db/sync/users';
import type { SyncActor } from '../../shared/sync/rules';
import { authHeader, enrolWorkstation, hubCall } from './hub-client';
import { startWorkstationSync } from './start';
import { type SyncWorker, type SyncWorkerOptions, workerOf } from './worker';

/**
 * The administrator joins this PC to the branch's hub once (issue 16, point 1): hub URL, branch, the
 * one-time code shown on the hub, and the CA that signs the hub's certificate when it is the bank's own.
 * Joining enrols the PC (its own secret), offers the hub the accounts this store has (the hub's win where
 * both have one), and starts the sync worker; local work made before stays and is pushed.
 */
export interface JoinInput {
  hubUrl: string;
  branch: string;
  code: string;
  /** How the PC is listed on the hub (the administrator's list of PCs). */
  name: string;
  /** PEM of the CA to trust for an https:// hub; null or absent: the system's trust store. */
  caPem?: string | null;
}

export async function joinHub(
  db: Database,
  input: JoinInput,
  actor: SyncActor,
  workerOpts: Omit<SyncWorkerOptions, 'db' | 'mutators'> = {},
): Promise<{ pcId: string; seeded: number; work: SeedReport; worker: SyncWorker | null }> {
  ensureSyncSchema(db);
  if (input.caPem !== undefined) setHubCa(db, input.caPem);
  const id = await enrolWorkstation(db, input);
  // What seeding queues carries its customers' scope facts ahead of it. (Not the projections yet: the
  // local rows are the source of what is queued here, and must not be re-projected from it midway.)
  setBeforeRecord(db, FACTS_HOOK);
  const seeded = seedUsers(db, actor);
  // Work made before joining (referrals, contacts, campaigns, lists…) is queued once, in its authors' names.
  const work = seedLocalWork(db);
  // A worker left from an earlier membership is replaced: it holds the old identity's socket.
  await workerOf(db)?.stop();
  const worker = startWorkstationSync(db, workerOpts);
  return { pcId: id.pcId, seeded, work, worker };
}

/**
 * Leaves the hub: the worker stops, the hub is told (the PC's key stops working there; when the hub
 * cannot be reached the administrator revokes it with `npm run hub -- revoke`), the identity is
 * forgotten; local rows and queued work stay.
 */
export async function leaveHub(db: Database): Promise<{ queued: number; hubTold: boolean }> {
  await workerOf(db)?.stop();
  const id = readSyncState(db).identity;
  let hubTold = false;
  if (id)
    hubTold = await hubCall(`${id.hubUrl}/leave`, {
      method: 'POST',
      headers: { authorization: authHeader(id) },
      ca: hubCa(db),
    }).then(
      () => true,
      () => false,
    );
  return { queued: leaveHubState(db), hubTold };
}

/** The branch's enrolled PCs as the hub lists them (the administrator's view). */
export async function hubPcs(db: Database): Promise<PcRow[]> {
  const id = readSyncState(db).identity;
  if (!id) return [];
  const r = await hubCall<{ pcs: PcRow[] }>(`${id.hubUrl}/pcs`, {
    headers: { authorization: authHeader(id) },
    ca: hubCa(db),
  });
  return r.pcs;
}
