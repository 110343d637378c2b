import type { Database } from 'better-sqlite3';
import {
  applyPull,
  markPushResults,
  type Mutators,
  pendingMutations,
  queuedCount,
  type RebaseReport,
} from '../../db/sync/replica';
import { readSyncState, type SyncIdentity, saveIdentity } from '../../db/sync/schema';
import {
  type EnrolResponse,
  MAX_MUTATIONS_PER_PUSH,
  MAX_PUSH_BYTES,
  type Mutation,
  type PullResponse,
  type PushResponse,
  pcToken,
} from '../../shared/sync/protocol';

/**
 * The workstation's calls to the hub, and one sync cycle (push the outbox, pull to the end, rebase).
 * Errors come in two kinds because the status line tells them apart: the hub could not be reached
 * (offline: work goes on, the queue grows) or it answered with a refusal (error: someone must act).
 */
export class HubUnreachable extends Error {
  constructor(cause: unknown) {
    super(`hub unreachable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'HubUnreachable';
  }
}

export class HubRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`hub answered ${status}: ${JSON.stringify(body)}`);
    this.name = 'HubRefused';
  }
}

const TIMEOUT_MS = 15_000;

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new HubUnreachable(err);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new HubUnreachable(err);
  }
  if (!res.ok) throw new HubRefused(res.status, body);
  return body as T;
}

/** Joins this store to a hub with a one-time code; the PC's secret is kept in the store. */
export async function enrolWorkstation(
  db: Database,
  input: { hubUrl: string; branch: string; code: string; name: string },
): Promise<SyncIdentity> {
  const hubUrl = input.hubUrl.replace(/\/+$/, '');
  const r = await call<EnrolResponse>(`${hubUrl}/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ branch: input.branch, code: input.code, name: input.name }),
  });
  const identity = { hubUrl, branch: r.branch, pcId: r.pcId, secret: r.secret };
  saveIdentity(db, identity);
  return identity;
}

export function authHeader(id: SyncIdentity): string {
  return pcToken(id.branch, id.pcId, id.secret);
}

/** The longest head of `ms` whose JSON stays under `limit` (at least one: each is under its own cap). */
function underBytes(ms: Mutation[], limit: number): Mutation[] {
  let size = 0;
  const out: Mutation[] = [];
  for (const m of ms) {
    size += Buffer.byteLength(JSON.stringify(m)) + 1;
    if (out.length > 0 && size > limit) break;
    out.push(m);
  }
  return out;
}

export interface CycleReport extends RebaseReport {
  pushed: number;
  pulled: number;
}

/**
 * One full cycle. Pushes everything pending (in pages), then pulls until the hub has nothing more; the
 * last page settles the outbox. Re-runs made by the rebase are pushed in the next round (at most three
 * rounds, so a mutation that conflicts again and again waits for the next cycle instead of spinning).
 */
export async function syncOnce(db: Database, mutators: Mutators): Promise<CycleReport> {
  const report: CycleReport = { pushed: 0, pulled: 0, settled: 0, rerun: 0, conflicts: 0 };
  for (let round = 0; round < 3; round++) {
    const state = readSyncState(db);
    if (!state.identity) throw new Error('not joined to a hub');
    const id = state.identity;
    const headers = { authorization: authHeader(id), 'content-type': 'application/json' };
    for (;;) {
      const batch = underBytes(pendingMutations(db, MAX_MUTATIONS_PER_PUSH), MAX_PUSH_BYTES / 2);
      if (batch.length === 0) break;
      const r = await call<PushResponse>(`${id.hubUrl}/push`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ mutations: batch }),
      });
      markPushResults(db, r.results);
      report.pushed += batch.length;
    }
    let cursor = state.cursor;
    for (;;) {
      const p = await call<PullResponse>(`${id.hubUrl}/pull?cursor=${cursor}&queued=${queuedCount(db)}`, { headers });
      const rb = applyPull(db, p, mutators);
      report.pulled += p.changes.length;
      report.settled += rb.settled;
      report.rerun += rb.rerun;
      report.conflicts += rb.conflicts;
      cursor = p.cursor;
      if (!p.more) break;
    }
    if (pendingMutations(db, 1).length === 0) break;
  }
  return report;
}
