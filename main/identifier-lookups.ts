/**
 * Look-ups by identifier: every search that matches ID numbers or mobiles (their last four, or a
 * whole number: db/repos/customers.ts identifierPredicate) is rate-limited per user and audited.
 *
 * Why both: a search that finds a customer by a whole ID number answers "is this the number?", so a
 * teller who knows the visible head and tail of a masked ID (and the birth date inside it) could
 * still guess the rest one search at a time. A token bucket lets a counter's real pace through
 * (a burst, then several look-ups a minute) and makes guessing slow; the audit log shows who looked
 * up which number (masked) and whom it found. One user's sessions share a bucket, so signing in
 * again does not refill it.
 *
 * Where: the registry calls `check` for every method whose input carries a quick search
 * (customers.search's `query`, any grid filter's `q`: the grid, its counts and stats, exports, lists,
 * saved queries, marketing lists), after the caller's permission is checked and before the handler
 * runs. The grid asks for rows, counts and stats of one search in separate calls: the same search
 * again within a few minutes is neither charged nor audited twice.
 */
import { AppError } from '../shared/errors';
import { customerIdentifierMatches, identifierPredicate } from '../db/repos/customers';
import { systemClock, type Clock } from './clock';
import type { AuthedCtx } from './handlers/types';

export interface LookupPolicy {
  /** Look-ups allowed at once, before the rate applies. */
  burst: number;
  /** Look-ups a minute after the burst is spent. */
  perMinute: number;
  /** The same search again within this time is the same look-up (grid rows, counts and stats). */
  repeatMs: number;
  /** At most one audit entry for refusals per user in this time (a script must not flood the log). */
  refusalAuditMs: number;
}

export const DEFAULT_LOOKUP_POLICY: LookupPolicy = {
  burst: 20,
  perMinute: 6,
  repeatMs: 5 * 60_000,
  refusalAuditMs: 60_000,
};

/** How many matched customers' ids the audit entry names. */
const AUDITED_IDS = 20;
/** Searches remembered per user for `repeatMs`. */
const RECENT_MAX = 64;

interface Bucket {
  tokens: number;
  at: number;
  recent: Map<string, number>;
  lastRefusalAudit: number;
  refusedSinceAudit: number;
}

/** The quick-search text a method's input carries: customers.search's query, or a grid filter's q. */
export function searchTextOf(method: string, input: unknown): string | null {
  if (method === 'customers.search') {
    const q = (input as { query?: unknown } | null)?.query;
    return typeof q === 'string' ? q : null;
  }
  return filterQ(input, 0);
}

function filterQ(v: unknown, depth: number): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || depth > 3) return null;
  for (const [k, child] of Object.entries(v)) {
    if (k === 'filter' && typeof child === 'object' && child !== null) {
      const q = (child as { q?: unknown }).q;
      if (typeof q === 'string' && q !== '') return q;
    }
    const found = filterQ(child, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The time the bucket refills by: the process's monotonic clock in the app, so setting the PC's clock
 * forward does not hand out look-ups; the clock itself where tests move a fixed one.
 */
export function lookupTime(clock: Clock): () => number {
  return clock === systemClock ? () => performance.now() : () => clock.now().getTime();
}

export function identifierLookups(now: () => number, policy: LookupPolicy = DEFAULT_LOOKUP_POLICY) {
  const buckets = new Map<number, Bucket>();

  function bucketOf(userId: number, t: number): Bucket {
    let b = buckets.get(userId);
    if (!b) {
      b = { tokens: policy.burst, at: t, recent: new Map(), lastRefusalAudit: -Infinity, refusedSinceAudit: 0 };
      buckets.set(userId, b);
    }
    // A clock set back never refills; elapsed time is counted from the latest moment seen.
    b.tokens = Math.min(policy.burst, b.tokens + (Math.max(0, t - b.at) * policy.perMinute) / 60_000);
    b.at = Math.max(b.at, t);
    for (const [k, seen] of b.recent) if (t - seen >= policy.repeatMs || seen > t) b.recent.delete(k);
    return b;
  }

  return {
    /**
     * Charges and audits one search if it is an identifier look-up; throws RATE_LIMITED (audited,
     * at most once a minute per user) when the user's look-ups are spent. Other searches pass freely.
     */
    check(ctx: AuthedCtx, method: string, raw: string): void {
      const ident = identifierPredicate(raw);
      if (!ident) return;
      const t = now();
      const b = bucketOf(ctx.user.id, t);
      const key = `${ident.kind}:${ident.params.join(',')}`;
      if (b.recent.has(key)) return;
      if (b.tokens < 1) {
        const retryAfterSeconds = Math.ceil(((1 - b.tokens) * 60) / policy.perMinute);
        b.refusedSinceAudit++;
        if (t - b.lastRefusalAudit >= policy.refusalAuditMs) {
          ctx.audit({
            action: 'customers.identifierSearch',
            outcome: 'denied',
            details: {
              method,
              kind: ident.kind,
              query: ident.query,
              reason: 'rate_limited',
              refused: b.refusedSinceAudit,
            },
          });
          b.lastRefusalAudit = t;
          b.refusedSinceAudit = 0;
        }
        throw new AppError('RATE_LIMITED', { retryAfterSeconds });
      }
      const found = customerIdentifierMatches(ctx.services.db, ctx.scope(), raw, AUDITED_IDS)!;
      ctx.audit({
        action: 'customers.identifierSearch',
        outcome: 'ok',
        ...(found.count === 1 ? { targetType: 'customer', targetId: found.ids[0]! } : {}),
        details: { method, kind: ident.kind, query: ident.query, results: found.count, customerIds: found.ids },
      });
      // Charged and remembered only once recorded: an audit write that fails fails the search, and
      // the retry is audited again rather than passing as a repeat.
      b.tokens -= 1;
      b.recent.set(key, t);
      if (b.recent.size > RECENT_MAX) b.recent.delete(b.recent.keys().next().value as string);
    },
  };
}

export type IdentifierLookups = ReturnType<typeof identifierLookups>;
