/**
 * What an import job is made of besides its rows: progress and outcome as reported to the queue and
 * the CLI, the job-level error, and the checks made before any row is read (the profile, the file's
 * checksum). Failures of any kind are mapped here to an error code from shared/errors.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ImportErrorCode } from '../../../shared/errors';
import { IMPORT_FIELDS, type Encoding, type ImportProfile, type RejectReason } from '../../../shared/imports';
import { ImportParseError } from '../parse/io';
import type { RejectsResult } from '../parse/rejects';

/** A converted field value as bound to SQLite. */
export type Value = string | number | null;

export interface JobProgress {
  jobId: number;
  phase: 'checksum' | 'reading' | 'finishing' | 'done';
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  bytesRead: number;
  totalBytes: number;
}

/** Milliseconds per phase of a job (the bench prints them; the job panel may show them). */
export interface JobTimings {
  /** Hashing the whole file before anything is read (duplicate-file check). */
  checksum?: number;
  /** Read, decode, parse, convert, resolve references, write rows. */
  rows?: number;
  /** Secondary indexes rebuilt after a fresh load into an empty table. */
  indexes?: number;
  /** Customer figures, managers of record, summaries and reporting tables. */
  summaries?: number;
  /** The grid's columns of the committed book, from the job's changes (db/customer-columns-delta.ts). */
  columns?: number;
  commit?: number;
  /** Pipeline (engine/pipeline.ts): the parse thread's time reading and converting, within `rows`. */
  parseBusy?: number;
  /** ...the parse thread's time waiting for the writer (its queue full). */
  parseWait?: number;
  /** ...the writer's time waiting for the parse thread (within `rows`). */
  writerWait?: number;
}

export interface RejectInfo {
  line: number;
  column: number | null;
  field: string | null;
  value: string | null;
  reason: RejectReason;
}

export interface JobOutcome {
  jobId: number;
  status: 'committed' | 'failed' | 'cancelled';
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  error?: { code: string; details: Record<string, unknown> };
  rejects: RejectsResult | null;
  encoding: Encoding | null;
  seconds: number;
  timings?: JobTimings;
  /** Committed, but worth a look (e.g. a branch file that left every outlet a top branch). */
  warnings?: JobWarning[];
}

/**
 * flat_branch_tree: after a branches load more than one branch has no parent, so each is a separate
 * tree and the president, who sees their own branch's tree, sees one outlet's customers only.
 */
export type JobWarning = { code: 'flat_branch_tree'; roots: number; branches: number };

/** A job-level failure with a code from shared/errors (IMPORT_*). */
export class JobError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code} ${JSON.stringify(details)}`);
    this.name = 'JobError';
  }
}

export async function sha256File(file: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let n = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
      onBytes?.(n);
    }
  } catch (e) {
    throw new ImportParseError('IMPORT_READ_FAILED', 0, undefined, { errno: (e as NodeJS.ErrnoException).code });
  }
  return hash.digest('hex');
}

/** Profile problems the file cannot fix: the key or a required field is not mapped, unknown fields. */
export function checkProfile(profile: ImportProfile): void {
  const fields = IMPORT_FIELDS[profile.kind];
  const mapped = new Set<string>();
  for (const c of profile.columns) {
    // Own keys only: a field named 'constructor' or 'toString' must not find Object.prototype's member.
    if (!Object.hasOwn(fields, c.field))
      throw new JobError('IMPORT_BAD_PROFILE', { field: c.field, reason: 'unknown_field' });
    if (mapped.has(c.field)) throw new JobError('IMPORT_BAD_PROFILE', { field: c.field, reason: 'mapped_twice' });
    mapped.add(c.field);
    if (profile.format !== 'fixed' && c.constant === undefined && c.source === undefined) {
      throw new JobError('IMPORT_BAD_PROFILE', { field: c.field, reason: 'no_source' });
    }
  }
  for (const [f, s] of Object.entries(fields)) {
    if ((s.key || s.required) && !mapped.has(f))
      throw new JobError('IMPORT_BAD_PROFILE', { field: f, reason: 'required_not_mapped' });
  }
}

const isDiskFull = (e: unknown): boolean => {
  const code = (e as { code?: string })?.code ?? '';
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE';
};

/** Any failure of a job as the code and safe details stored on its ledger row and sent to the UI. */
export function toJobError(e: unknown, file: string): { code: string; details: Record<string, unknown> } {
  if (e instanceof JobError) return { code: e.code, details: { file, ...e.details } };
  if (e instanceof ImportParseError)
    return { code: e.code, details: { file, line: e.line, column: e.column, ...e.details } };
  if (isDiskFull(e)) return { code: 'IMPORT_DISK_FULL', details: { file } };
  const code = (e as { code?: string })?.code;
  if (code === 'SQLITE_BUSY') return { code: 'IMPORT_STORE_BUSY', details: { file } };
  return { code: 'INTERNAL', details: { file, reason: e instanceof Error ? e.message.slice(0, 300) : String(e) } };
}
