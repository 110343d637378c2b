import type { Database } from 'better-sqlite3';
import { chainHashAt, chainHead, hasChain, lastLocalAnchor, recordLocalAnchor } from '../../db/audit-chain';
import { readSyncState, type SyncIdentity, syncJoined } from '../../db/sync/schema';
import type { AnchorPush, AnchorPushResponse, AnchorState } from '../../shared/sync/audit-anchor';
import { authHeader, HubRefused, HubUnreachable } from './hub-client';

/**
 * The workstation's half of the audit anchor (issue 19.4(b), protocol in shared/sync/audit-anchor.ts):
 * after each sync cycle the head of the audit chain goes to the hub, with this PC's hash at the hub's
 * latest anchor as the witness, computed from the chain as it is now (never from a remembered value), so
 * a chain that lost its tail or was rewritten since cannot produce it.
 */
const TIMEOUT_MS = 15_000;

async function hubJson<T>(url: string, init: RequestInit, accept: number[] = []): Promise<T> {
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
  if (!res.ok && !accept.includes(res.status)) throw new HubRefused(res.status, body);
  return body as T;
}

/** The hub's record of this PC's anchors (`all`: every accepted one too, for audit verify). */
export function fetchAnchorState(id: SyncIdentity, opts: { all?: boolean } = {}): Promise<AnchorState> {
  return hubJson<AnchorState>(`${id.hubUrl}/audit-anchor${opts.all ? '?all=1' : ''}`, {
    headers: { authorization: authHeader(id) },
  });
}

export type AnchorOutcome = { sent: false; reason: 'standalone' | 'unchanged' } | ({ sent: true } & AnchorPushResponse);

/** Sends the chain head to the hub when it moved since the last accepted one. */
export async function sendAuditAnchor(db: Database): Promise<AnchorOutcome> {
  if (!hasChain(db) || !syncJoined(db)) return { sent: false, reason: 'standalone' };
  const id = readSyncState(db).identity!;
  const head = chainHead(db);
  const last = lastLocalAnchor(db);
  if (head.seq === 0 || (last && last.seq === head.seq && last.hash === head.hash))
    return { sent: false, reason: 'unchanged' };
  const state = await fetchAnchorState(id);
  const at = state.latest ? chainHashAt(db, state.latest.seq) : null;
  const push: AnchorPush = { head, witness: state.latest && at ? { seq: state.latest.seq, hash: at } : null };
  const r = await hubJson<AnchorPushResponse>(
    `${id.hubUrl}/audit-anchor`,
    {
      method: 'POST',
      headers: { authorization: authHeader(id), 'content-type': 'application/json' },
      body: JSON.stringify(push),
    },
    [409],
  );
  if (r.accepted) recordLocalAnchor(db, head);
  return { sent: true, ...r };
}
