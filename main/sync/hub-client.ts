import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Database } from 'better-sqlite3';
import { hubCa } from '../../db/sync/membership';
import {
  applyPull,
  markPushResults,
  type Mutators,
  pendingMutations,
  queuedCount,
  type RebaseReport,
} from '../../db/sync/replica';
import { notePullScope, readSyncState, type SyncIdentity, saveIdentity } from '../../db/sync/schema';
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

/**
 * The PC's hub secret is wrapped by the OS (DPAPI) and this Windows user or PC cannot unwrap it (the
 * store was copied, or another user runs it): nothing is sent; the administrator enrols the PC again.
 */
export class HubSecretUnreadable extends Error {
  constructor() {
    super('hub secret unreadable on this PC (protected for another Windows user or PC): enrol this PC again');
    this.name = 'HubSecretUnreadable';
  }
}

const TIMEOUT_MS = 15_000;

export interface HubCallInit {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * PEM of the CA that signs an https:// hub's certificate (the bank's own CA, set when the PC joined);
   * null: the system's trust store. The certificate is always verified: never rejectUnauthorized false.
   */
  ca?: string | null;
}

/**
 * One JSON call to the hub over HTTP or HTTPS (node:https rather than fetch, which cannot be given a CA
 * without another package). Unreachable, a TLS failure (untrusted or wrong certificate) and a
 * non-JSON answer count as HubUnreachable; a JSON answer with an error status as HubRefused.
 */
export function hubCall<T>(url: string, init: HubCallInit = {}, retried = false): Promise<T> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<T>((resolve, reject) => {
    const req = send(
      u,
      {
        method: init.method ?? 'GET',
        headers: {
          ...init.headers,
          ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}),
        },
        timeout: TIMEOUT_MS,
        ...(u.protocol === 'https:' && init.ca ? { ca: init.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new HubUnreachable(err)));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (err) {
            return reject(new HubUnreachable(err));
          }
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new HubRefused(status, body));
          resolve(body as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      // A kept-alive connection the hub (or the network) closed just as it was reused: the request never
      // reached the hub, so it is sent once more on a new connection (Node's documented pattern).
      if (!retried && req.reusedSocket && (err as { code?: string }).code === 'ECONNRESET')
        hubCall<T>(url, init, true).then(resolve, reject);
      else reject(new HubUnreachable(err));
    });
    req.end(init.body);
  });
}

/**
 * The users who have signed in on this PC (its own record of the last sign-in; disabled ones left out):
 * the hub unites their scopes into the PC's pull scope. None on a store without accounts.
 */
export function signedInUsers(db: Database): string[] {
  const has = db.prepare("SELECT 1 FROM pragma_table_info('users') WHERE name = 'last_sign_in_at'").get() as unknown;
  if (!has) return [];
  return db
    .prepare('SELECT username FROM users WHERE last_sign_in_at IS NOT NULL AND disabled = 0 ORDER BY username')
    .pluck()
    .all() as string[];
}

async function call<T>(db: Database, url: string, init: HubCallInit): Promise<T> {
  return hubCall<T>(url, { ...init, ca: hubCa(db) });
}

/** Joins this store to a hub with a one-time code; the PC's secret is kept in the store. */
export async function enrolWorkstation(
  db: Database,
  input: { hubUrl: string; branch: string; code: string; name: string },
): Promise<SyncIdentity> {
  const hubUrl = input.hubUrl.replace(/\/+$/, '');
  const r = await call<EnrolResponse>(db, `${hubUrl}/enrol`, {
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
    if (id.secretUnreadable) throw new HubSecretUnreadable();
    const headers = { authorization: authHeader(id), 'content-type': 'application/json' };
    for (;;) {
      const batch = underBytes(pendingMutations(db, MAX_MUTATIONS_PER_PUSH), MAX_PUSH_BYTES / 2);
      if (batch.length === 0) break;
      const r = await call<PushResponse>(db, `${id.hubUrl}/push`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ mutations: batch }),
      });
      markPushResults(db, r.results);
      report.pushed += batch.length;
    }
    let cursor = state.cursor;
    const users = signedInUsers(db)
      .map((u) => `&user=${encodeURIComponent(u)}`)
      .join('');
    // Twice at most: when the hub names a new pull scope (someone new signed in here), once more from the
    // start for what the PC could not see before (db/sync/schema.ts notePullScope).
    for (let pass = 0; pass < 2; pass++) {
      let scope: string | undefined;
      for (;;) {
        const p = await call<PullResponse>(db, `${id.hubUrl}/pull?cursor=${cursor}&queued=${queuedCount(db)}${users}`, {
          headers,
        });
        const rb = applyPull(db, p, mutators);
        report.pulled += p.changes.length;
        report.settled += rb.settled;
        report.rerun += rb.rerun;
        report.conflicts += rb.conflicts;
        cursor = p.cursor;
        scope = p.scope;
        if (!p.more) break;
      }
      if (!notePullScope(db, scope)) break;
      cursor = 0;
    }
    if (pendingMutations(db, 1).length === 0) break;
  }
  return report;
}
