import type { Database } from 'better-sqlite3';
import { chainHashAt, chainHead, hasChain, lastLocalAnchor, recordLocalAnchor } from '../../db/audit-chain';
import { hubCa } from '../../db/sync/membership';
import { readSyncState, syncJoined } from '../../db/sync/schema';
import type { AnchorPush, AnchorPushResponse, AnchorState } from '../../shared/sync/audit-anchor';
import { authHeader, HubRefused, hubCall } from './hub-client';

/**
 * The workstation's half of the audit anchor (issue 19.4(b), protocol in shared/sync/audit-anchor.ts):
 * after each sync cycle the head of the audit chain goes to the hub, with this PC's hash at the hub's
 * latest anchor as the witness, computed from the chain as it is now (never from a remembered value), so
 * a chain that lost its tail or was rewritten since cannot produce it. Calls go through hubCall, so an
 * https:// hub is trusted through the CA the PC joined with, as for the sync itself.
 */

/** The hub's record of this PC's anchors (`all`: every accepted one too, for audit verify). */
export function fetchAnchorState(db: Database, opts: { all?: boolean } = {}): Promise<AnchorState> {
  const id = readSyncState(db).identity;
  if (!id) throw new Error('not joined to a hub');
  return hubCall<AnchorState>(`${id.hubUrl}/audit-anchor${opts.all ? '?all=1' : ''}`, {
    headers: { authorization: authHeader(id) },
    ca: hubCa(db),
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
  const state = await fetchAnchorState(db);
  const at = state.latest ? chainHashAt(db, state.latest.seq) : null;
  const push: AnchorPush = { head, witness: state.latest && at ? { seq: state.latest.seq, hash: at } : null };
  let r: AnchorPushResponse;
  try {
    r = await hubCall<AnchorPushResponse>(`${id.hubUrl}/audit-anchor`, {
      method: 'POST',
      headers: { authorization: authHeader(id), 'content-type': 'application/json' },
      body: JSON.stringify(push),
      ca: hubCa(db),
    });
  } catch (err) {
    // 409: the hub kept the head as refused and says why.
    if (!(err instanceof HubRefused && err.status === 409)) throw err;
    r = err.body as AnchorPushResponse;
  }
  if (r.accepted) recordLocalAnchor(db, head);
  return { sent: true, ...r };
}
