/**
 * Refills of derived tables after an upgrade (issue 18.2). A migration that leaves derived tables to be
 * recomputed from the raw ones (db/migrate.ts REFILL_AFTER, or a `-- migrate: refill <name>` line)
 * records a request in `settings` inside its own transaction; the refill recomputes the tables and
 * deletes the request in ONE transaction. So, on any connection, "a request is present" is exactly
 * "the tables are not yet what a full rebuild gives": the figures they feed say "updating" while it is
 * there, and the moment it goes the complete tables are visible (WAL readers see both change at once).
 * An exit half-way rolls the refill back and leaves the request: the next start refills again.
 */
import type { Database } from 'better-sqlite3';
import { rebuildReporting, reportingRebuildSteps } from './reporting/maintain';

export const REFILL_NAMES = ['reporting'] as const;
export type RefillName = (typeof REFILL_NAMES)[number];

export function isRefillName(v: string): v is RefillName {
  return (REFILL_NAMES as readonly string[]).includes(v);
}

/** Progress of one refill in its own steps (rebuildReporting: four, then one per million journal ids). */
export type RefillProgress = (done: number, total: number) => void;

interface RefillOptions {
  onProgress?: RefillProgress;
  /** Journal ids folded per step of the reporting refill (tests pass a small one to see steps). */
  txnChunk?: number;
}

const RUN: Record<RefillName, (db: Database, opts: RefillOptions) => void> = {
  reporting: (db, opts) =>
    rebuildReporting(db, {
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.txnChunk ? { txnChunk: opts.txnChunk } : {}),
    }),
};

/** Each refill as steps of bounded size (same end state as RUN), for the worker: see runRefillInSteps. */
const STEPS: Record<RefillName, (db: Database, opts: StepOptions) => (() => void)[]> = {
  reporting: (db, opts) =>
    reportingRebuildSteps(db, {
      ...(opts.txnChunk ? { txnChunk: opts.txnChunk } : {}),
      ...(opts.customerChunk ? { customerChunk: opts.customerChunk } : {}),
    }),
};

interface StepOptions extends RefillOptions {
  /** Customers per step of the reporting refill. */
  customerChunk?: number;
  /** Between steps: lets the app's writers, waiting on the lock, take their turn. */
  pause?: () => Promise<void>;
}

const keyOf = (name: RefillName) => `refill.${name}`;

/** Records that `name` must be refilled (in the caller's transaction: a migration's). */
export function requestRefill(db: Database, name: RefillName): void {
  db.prepare(
    "INSERT INTO settings (key, value) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ','now')) ON CONFLICT (key) DO NOTHING",
  ).run(keyOf(name));
}

/** The refills still requested, in REFILL_NAMES order (none on a store without a settings table). */
export function pendingRefills(db: Database): RefillName[] {
  const hasSettings = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").get();
  if (!hasSettings) return [];
  const keys = new Set(db.prepare("SELECT key FROM settings WHERE key LIKE 'refill.%'").pluck().all() as string[]);
  return REFILL_NAMES.filter((n) => keys.has(keyOf(n)));
}

/** Whether the derived tables of `name` are still being refilled (what "updating" on a figure means). */
export function isRefilling(db: Database, name: RefillName): boolean {
  return pendingRefills(db).includes(name);
}

/** Runs one requested refill and clears its request, together or not at all. No-op when not requested. */
export function runRefill(db: Database, name: RefillName, opts: RefillOptions = {}): boolean {
  // IMMEDIATE: the write lock from the start, so a writer that commits meanwhile cannot leave this
  // transaction reading a stale snapshot it may not write from (SQLITE_BUSY_SNAPSHOT).
  return db
    .transaction(() => {
      if (!pendingRefills(db).includes(name)) return false;
      RUN[name](db, opts);
      db.prepare('DELETE FROM settings WHERE key = ?').run(keyOf(name));
      return true;
    })
    .immediate();
}

/**
 * The same refill as runRefill, in steps of bounded size each committed on its own (the worker after an
 * upgrade: a sign-in or an audit entry never waits more than a step). The request is cleared by the last
 * step's transaction, so until the very end every reader sees the figures marked "updating", and an exit
 * half-way leaves it requested: the next start refills from the beginning. The caller makes sure nothing
 * else maintains these tables meanwhile (imports and re-tiering wait while a refill is requested).
 */
export async function runRefillInSteps(db: Database, name: RefillName, opts: StepOptions = {}): Promise<boolean> {
  if (!pendingRefills(db).includes(name)) return false;
  const steps = db.transaction(() => STEPS[name](db, opts))();
  for (let i = 0; i < steps.length; i++) {
    const last = i === steps.length - 1;
    db.transaction(() => {
      steps[i]!();
      if (last) db.prepare('DELETE FROM settings WHERE key = ?').run(keyOf(name));
    }).immediate();
    opts.onProgress?.(i + 1, steps.length);
    if (!last) await opts.pause?.();
  }
  return true;
}
