import { z } from 'zod';

/**
 * The wire between a workstation and the hub (JSON over HTTP, wake-ups over a WebSocket). Both sides
 * parse with these schemas; the hub trusts nothing a PC sends beyond what they and shared/sync/rules.ts
 * accept. No SQL crosses the wire: a mutation carries its name and arguments (what the PC re-runs on a
 * rebase) and its effects (the rows written and the revisions they were based on: what the hub applies).
 */
export const MAX_MUTATIONS_PER_PUSH = 500;
export const MAX_EFFECTS_PER_MUTATION = 100;
export const PULL_PAGE = 1000;
/** A push body the hub accepts; the PC pages its outbox to stay well under it. */
export const MAX_PUSH_BYTES = 8 * 1024 * 1024;
/** One mutation as JSON: checked when it is made, so no mutation can ever be too big to push. */
export const MAX_MUTATION_BYTES = 256 * 1024;

const row = z.record(z.string().max(64), z.unknown());

export const effectSchema = z.union([
  z.strictObject({
    table: z.string().min(1).max(64),
    id: z.string().min(1).max(200),
    baseRevision: z.number().int().min(0),
    data: row,
  }),
  z.strictObject({
    table: z.string().min(1).max(64),
    id: z.string().min(1).max(200),
    baseRevision: z.number().int().min(1),
    deleted: z.literal(true),
  }),
]);
export type Effect = z.infer<typeof effectSchema>;

export const mutationSchema = z.strictObject({
  /** Per PC, strictly increasing; the hub processes each id once. */
  id: z.number().int().positive(),
  name: z.string().min(1).max(100),
  args: z.unknown(),
  /** The signed-in user who acted (their username). */
  userId: z.string().min(1).max(64).optional(),
  /**
   * The user's role and employee number as the PC signed them in. The hub checks them against what it
   * knows of the user (db/hub/actors.ts) and refuses the mutation when they disagree; they let it check
   * role and ownership before users live on the hub.
   */
  role: z.string().min(1).max(32).optional(),
  staff: z.string().min(1).max(64).nullable().optional(),
  effects: z.array(effectSchema).min(1).max(MAX_EFFECTS_PER_MUTATION),
});
export type Mutation = z.infer<typeof mutationSchema>;

export const pushRequestSchema = z.strictObject({
  mutations: z.array(mutationSchema).min(1).max(MAX_MUTATIONS_PER_PUSH),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export type Outcome = 'applied' | 'conflict' | 'refused';

export interface PushResult {
  id: number;
  /** duplicate: processed before; `first` says how. */
  outcome: Outcome | 'duplicate';
  first?: Outcome;
  /** Why a conflict or refusal: the record whose revision moved, or the rule that refused. */
  reason?: Record<string, unknown>;
}

export interface PushResponse {
  results: PushResult[];
  lastMutationId: number;
}

export interface Change {
  seq: number;
  table: string;
  id: string;
  revision: number;
  data: Record<string, unknown> | null;
  deleted: boolean;
}

export interface PullResponse {
  changes: Change[];
  /** Pass back as ?cursor= (the last seq returned, or the one sent when nothing is new). */
  cursor: number;
  /** True when a page limit cut the answer short: pull again at once. */
  more: boolean;
  /** The hub has processed this PC's mutations up to here (applied, refused or in conflict). */
  lastMutationId: number;
  /**
   * Names the PC's pull scope (its signed-in users and the branch's scope facts' epoch,
   * shared/sync/read-rules.ts): when it changes, records the PC could not see before may be behind its
   * cursor, and it pulls from the start again (keeping what it has).
   */
  scope?: string;
}

/** Users reported per pull (`&user=` repeated): the users who signed in on the PC. */
export const MAX_PULL_USERS = 200;

export const enrolRequestSchema = z.strictObject({
  branch: z.string().min(1).max(32),
  code: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export interface EnrolResponse {
  branch: string;
  pcId: string;
  /** Shown once; the hub keeps only its hash. */
  secret: string;
}

/** Wake-ups carry no data (a lost one costs only latency): they only say "pull now". */
export interface WakeMessage {
  type: 'pull';
}

export interface HubErrorBody {
  error: 'bad_request' | 'unauthenticated' | 'enrol_refused' | 'not_found' | 'too_large' | 'internal';
  detail?: string;
}

/** Authorization header value: one token naming the branch, the PC and its secret. */
export function pcToken(branch: string, pcId: string, secret: string): string {
  return `Bearer ${branch}:${pcId}:${secret}`;
}
