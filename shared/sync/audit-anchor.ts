import { z } from 'zod';

/**
 * The audit chain's head as a workstation sends it to the branch hub (issue 19.4(b)): the last chained
 * entry's id and hash. The hub keeps every head it is sent, per PC, append-only for its service role, so a
 * user of the PC who removes entries at the tail of the log, or rewrites the chain, cannot make the hub's
 * record agree again. A PC proves it still holds the hub's latest anchor by sending its own hash at that
 * sequence (the witness); a head whose witness disagrees is kept as refused, never as the latest.
 *
 *   GET  /audit-anchor   the latest accepted anchor of the calling PC, and how many claims were refused;
 *                        ?all=1 also every accepted anchor (a PC that lied in a witness to get a rewritten
 *                        head accepted still cannot make its chain hold the earlier anchors)
 *   POST /audit-anchor   { head, witness } → accepted, or refused with the reason
 */
const HASH = /^[0-9a-f]{64}$/;

export const chainHeadSchema = z.strictObject({
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hash: z.string().regex(HASH),
});
export type WireChainHead = z.infer<typeof chainHeadSchema>;

export const anchorPushSchema = z.strictObject({
  head: chainHeadSchema,
  /** The PC's hash at the hub's latest anchor's sequence (null when the hub has none, or the PC lacks it). */
  witness: chainHeadSchema.nullable(),
});
export type AnchorPush = z.infer<typeof anchorPushSchema>;

export interface HubAnchor extends WireChainHead {
  receivedAt: string;
}

export interface AnchorState {
  latest: HubAnchor | null;
  /** Heads this PC sent that did not extend the latest anchor. */
  refused: number;
  /** With ?all=1: every accepted anchor, oldest first. */
  anchors?: WireChainHead[];
}

export type AnchorRefusal =
  /** the witness does not match the hub's latest anchor: the PC's chain no longer holds it */
  | 'witness_mismatch'
  /** the head is behind the latest anchor */
  | 'behind';

export interface AnchorPushResponse {
  accepted: boolean;
  reason?: AnchorRefusal;
  latest: HubAnchor | null;
}
