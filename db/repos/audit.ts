import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { linkEntry, nextEntryId } from '../audit-chain';
import { query } from '../sql';

export interface AuditActor {
  userId: number | null;
  username: string | null;
  role: string | null;
}

export interface AuditRecord {
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  targetType?: string | null;
  targetId?: string | number | null;
  details?: Record<string, unknown> | null;
}

export interface AuditRow {
  id: number;
  at: string;
  user_id: number | null;
  username: string | null;
  role: string | null;
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  target_type: string | null;
  target_id: string | null;
  details: string | null;
}

type AuditParams = [
  at: string,
  userId: number | null,
  username: string | null,
  role: string | null,
  action: string,
  outcome: AuditRecord['outcome'],
  targetType: string | null,
  targetId: string | null,
  details: string | null,
];

const INSERT_ROW = query<[id: number, ...AuditParams]>(
  `INSERT INTO audit_log (id, at, user_id, username, role, action, outcome, target_type, target_id, details)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

/**
 * The one way an entry enters the log: written and linked into the hash chain (db/audit-chain.ts) in one
 * transaction. Top level it takes the write lock first (BEGIN IMMEDIATE), so the chain head it reads is
 * the one it extends; inside a caller's transaction it is a savepoint under the lock the caller holds.
 */
const INSERT = {
  run(db: Database, ...p: AuditParams): void {
    appendTx(db)(p);
  },
};

const txByDb = new WeakMap<Database, (p: AuditParams) => void>();
function appendTx(db: Database): (p: AuditParams) => void {
  let tx = txByDb.get(db);
  if (!tx) {
    const t = db.transaction((p: AuditParams) => {
      const id = nextEntryId(db);
      INSERT_ROW.run(db, id, ...p);
      linkEntry(db, id);
    });
    tx = (p) => t.immediate(p);
    txByDb.set(db, tx);
  }
  return tx;
}

function auditParams(actor: AuditActor, rec: AuditRecord): AuditParams {
  return [
    new Date().toISOString(),
    actor.userId,
    actor.username,
    actor.role,
    rec.action,
    rec.outcome,
    rec.targetType ?? null,
    rec.targetId == null ? null : String(rec.targetId),
    rec.details ? JSON.stringify(rec.details) : null,
  ];
}

/**
 * One entry written now on the caller's connection, for writers inside their own transaction (an
 * import job, a revert): the entry commits or rolls back with their work, and a failure throws
 * rather than being deferred, as the caller already holds the write lock.
 */
export function writeAudit(db: Database, actor: AuditActor, rec: AuditRecord): void {
  INSERT.run(db, ...auditParams(actor, rec));
}

/**
 * Acts whose record is a condition of the act itself: unmasking identifiers and handing data out of
 * the store. If the entry cannot be written now (an import holds the write lock past the busy
 * timeout), the act is refused instead of being recorded later from memory, which a crash would lose.
 * Their handlers write the entry before they return the data.
 */
export const MUST_RECORD: ReadonlySet<string> = new Set([
  'customers.reveal',
  // A look-up by ID number or mobile says whose number it is: recorded first, or not done (issue 19.1).
  'customers.identifierSearch',
  'exports.start',
  'files.save',
  'reports.export',
  'desktop.export',
  'campaigns.export',
  'imports.preview',
  'imports.rejectsDownload',
]);

/**
 * Entries that could not be written because an import job held the write lock, per database; written,
 * with their original time, as soon as the lock is free (flushPendingAudit). Never dropped silently.
 * This is the one piece of state in the store layer: the entries live only in memory between a busy
 * write and the next flush, so they must belong to the connection they were meant for (a WeakMap keyed
 * by it, gone with it) rather than to a module-wide list that two stores open in one process would share.
 */
const pendingByDb = new WeakMap<Database, AuditParams[]>();

function pendingOf(db: Database): AuditParams[] {
  let p = pendingByDb.get(db);
  if (!p) {
    p = [];
    pendingByDb.set(db, p);
  }
  return p;
}

/** Writes entries deferred while the store was busy; returns how many. Throws SQLITE_BUSY if still busy. */
export function flushPendingAudit(db: Database): number {
  const pending = pendingOf(db);
  if (pending.length === 0) return 0;
  const n = pending.length;
  db.transaction(() => {
    for (const p of pending) INSERT.run(db, ...p);
  })();
  pending.splice(0, n);
  return n;
}

export function pendingAuditCount(db: Database): number {
  return pendingOf(db).length;
}

/**
 * One entry attributed to `actor`, for calls outside a writer's transaction (handlers, sign-in). When
 * an import holds the write lock the entry is deferred and written later (flushPendingAudit), except
 * for MUST_RECORD acts, which are refused with IMPORT_STORE_BUSY instead.
 */
export function recordAudit(db: Database, actor: AuditActor, rec: AuditRecord): void {
  const row = auditParams(actor, rec);
  const pending = pendingOf(db);
  try {
    if (pending.length > 0) flushPendingAudit(db);
    INSERT.run(db, ...row);
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    if (MUST_RECORD.has(rec.action)) throw new AppError('IMPORT_STORE_BUSY', { reason: 'audit' });
    pending.push(row);
  }
}
