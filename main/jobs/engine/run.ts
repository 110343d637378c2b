/**
 * One import job, start to finish, on the connection it is given (the worker's own): read the file
 * through the parse layer, convert each field, resolve references, upsert by natural key, keep
 * before-images for revert and history for customers, bring the customer figures and summaries up
 * to date, and commit, all in ONE transaction. Any failure (file error, too many rejects, cancel,
 * disk full, a crash) leaves the store exactly as it was.
 *
 * The job ledger row is written in its own short transaction first (status 'running'), so a job
 * that dies still shows up; start-up marks such rows as interrupted (markInterrupted).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database, Statement } from 'better-sqlite3';
import {
  IMPORT_FIELDS,
  profileSchema,
  type Encoding,
  type ImportProfile,
  type RejectReason,
} from '../../../shared/imports';
import { initialsOf } from '../../../db/names';
import { buildIndexes, dropIndexes, type SavedIndex } from '../../../db/indexes';
import { beginAffected, markAffectedStatement, refreshAffected, SummaryDelta } from '../../../db/summaries';
import { reportingJobBegin, reportingJobFinish, type JobMark } from '../../../db/reporting/maintain';
import { compileConverter, type Converter } from '../parse/convert';
import { ImportParseError } from '../parse/io';
import type { ImportErrorCode } from '../../../shared/errors';
import { openRejects, type RejectsResult, type RejectsWriter } from '../parse/rejects';
import { openSource, resolveColumns, type OpenedSource, type SourceRecord } from '../parse/source';
import { CUSTOMER_HISTORY_COLUMNS, KINDS, REF_REASON, type KindSpec, type RefKind } from './kinds';

export interface JobProgress {
  jobId: number;
  phase: 'checksum' | 'reading' | 'finishing' | 'done';
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  bytesRead: number;
  totalBytes: number;
}

export interface RunOptions {
  file: string;
  profile: ImportProfile;
  /** Rejected rows accepted before the job fails (0: any reject fails the job). */
  tolerance: number;
  /** Import even though a committed job already loaded a file with the same checksum. */
  allowDuplicate?: boolean;
  encoding?: Encoding;
  source?: 'ui' | 'cli';
  userId?: number | null;
  username?: string | null;
  /** Where the rejects file goes. */
  rejectsDir: string;
  /** Translated reason text for the rejects file and messages. */
  describeReject?: (r: RejectInfo) => string;
  reasonHeader?: string;
  onProgress?: (p: JobProgress) => void;
  /** Checked between batches; returning true cancels (rollback). */
  cancelled?: () => boolean;
  /** Called once the job row exists (so a caller can show it, or kill the worker in tests). */
  onJobId?: (id: number) => void;
  now?: () => Date;
  /** Test hook: called after each written batch, inside the transaction. */
  afterBatch?: (rowsRead: number) => void;
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
  commit?: number;
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
}

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
    if (!fields[c.field]) throw new JobError('IMPORT_BAD_PROFILE', { field: c.field, reason: 'unknown_field' });
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

class Cancelled extends Error {}

/**
 * Runs one job. Never throws for job-level failures: they come back as a failed/cancelled outcome
 * with the job row updated. Throws only when the ledger itself cannot be written.
 */
export async function runImport(db: Database, opts: RunOptions): Promise<JobOutcome> {
  const started = performance.now();
  const now = opts.now ?? (() => new Date());
  const profile = profileSchema.parse(opts.profile);
  const spec = KINDS[profile.kind];
  const fileName = path.basename(opts.file);
  let fileBytes = 0;
  try {
    fileBytes = statSync(opts.file).size;
  } catch {
    fileBytes = 0;
  }

  const jobId = Number(
    db
      .prepare(
        `INSERT INTO import_jobs (kind, profile_name, profile, file_name, file_path, file_bytes, checksum, tolerance, status, source, created_by, started_at)
         VALUES (?, ?, ?, ?, ?, ?, '', ?, 'running', ?, ?, ?)`,
      )
      .run(
        profile.kind,
        profile.name,
        JSON.stringify(profile),
        fileName,
        opts.file,
        fileBytes,
        opts.tolerance,
        opts.source ?? 'ui',
        opts.userId ?? null,
        now().toISOString(),
      ).lastInsertRowid,
  );
  opts.onJobId?.(jobId);

  const counts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  const progress = (phase: JobProgress['phase'], bytesRead: number, totalBytes: number) =>
    opts.onProgress?.({
      jobId,
      phase,
      rowsRead: counts.read,
      rowsWritten: counts.inserted + counts.updated,
      rowsRejected: counts.rejected,
      bytesRead,
      totalBytes,
    });

  let src: OpenedSource | null = null;
  let rejectsWriter: RejectsWriter<RejectInfo> | null = null;
  let rejectsResult: RejectsResult | null = null;
  const firstRejects: RejectInfo[] = [];
  let inTxn = false;

  const finishRejects = async () => {
    if (rejectsWriter) {
      try {
        rejectsResult = await rejectsWriter.close();
      } catch {
        rejectsResult = null;
      }
      rejectsWriter = null;
    }
  };

  const timings: JobTimings = {};
  try {
    checkProfile(profile);
    let lastTick = 0;
    let phaseStart = performance.now();
    const checksum = await sha256File(opts.file, (n) => {
      const t = performance.now();
      if (t - lastTick > 200) {
        lastTick = t;
        progress('checksum', n, fileBytes);
      }
    });
    timings.checksum = Math.round(performance.now() - phaseStart);
    db.prepare('UPDATE import_jobs SET checksum = ? WHERE id = ?').run(checksum, jobId);
    if (!opts.allowDuplicate) {
      const prev = db
        .prepare(
          `SELECT id, finished_at AS finishedAt, file_name AS fileName FROM import_jobs WHERE checksum = ? AND status = 'committed' AND id <> ? ORDER BY id DESC LIMIT 1`,
        )
        .get(checksum, jobId) as { id: number; finishedAt: string; fileName: string } | undefined;
      if (prev)
        throw new JobError('IMPORT_DUPLICATE_FILE', {
          file: fileName,
          previousJob: prev.id,
          previousAt: prev.finishedAt,
          previousFile: prev.fileName,
        });
    }

    src = await openSource(opts.file, profile, { encoding: opts.encoding });
    const { indexes } = resolveColumns(profile, src.header);
    const convs: Converter[] = profile.columns.map((c) => compileConverter(IMPORT_FIELDS[profile.kind][c.field]!, c));
    const colOf = new Map(spec.columns.map((c) => [c.field, c.column]));
    const mappedFields = profile.columns.map((c) => c.field);
    const refs = profile.columns.map((c) => IMPORT_FIELDS[profile.kind][c.field]!.ref ?? null);
    const nCols = convs.length;
    const fixed = profile.format === 'fixed';
    const delimited = profile.format === 'delimited';
    let width: number | undefined;
    const vals: Value[] = new Array<Value>(nCols).fill(null);
    const columnOf = (record: SourceRecord, i: number, at: number): number | null => {
      const cols = record.cols;
      return fixed ? (cols?.[i] ?? null) : at >= 0 ? (cols?.[at] ?? null) : null;
    };

    const writer = new Writer(
      db,
      spec,
      jobId,
      mappedFields.map((f) => colOf.get(f)!),
      now().toISOString(),
      profile.kind === 'customers' && mappedFields.includes('name'),
    );
    const resolver = new RefResolver(db);
    const rejectStmt = db.prepare(
      'INSERT INTO import_rejects (job_id, seq, line, col, field, value, reason, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const describe =
      opts.describeReject ??
      ((r: RejectInfo) =>
        `line ${r.line}${r.column ? ` column ${r.column}` : ''} ${r.field ?? ''}: ${r.reason}${r.value !== null ? ` (${r.value})` : ''}`);
    mkdirSync(opts.rejectsDir, { recursive: true });
    const rejectsFile = path.join(
      opts.rejectsDir,
      `job-${jobId}-rejects${profile.format === 'xlsx' ? '.xlsx' : path.extname(fileName) || '.txt'}`,
    );
    const maxRejects = Math.max(opts.tolerance, 0) + 100_000;

    const reject = async (record: SourceRecord, info: RejectInfo) => {
      counts.rejected++;
      rejectStmt.run(jobId, counts.rejected, info.line, info.column, info.field, info.value, info.reason, record.raw);
      if (firstRejects.length < 100) firstRejects.push(info);
      if (!rejectsWriter)
        rejectsWriter = await openRejects<RejectInfo>(rejectsFile, src!, {
          describe,
          reasonHeader: opts.reasonHeader ?? 'reason',
        });
      await rejectsWriter.write(record, info);
      if (counts.rejected > maxRejects)
        throw new JobError('IMPORT_TOO_MANY_REJECTS', {
          rejected: counts.rejected,
          tolerance: opts.tolerance,
          stoppedAtLine: info.line,
        });
    };

    phaseStart = performance.now();
    db.exec('BEGIN IMMEDIATE');
    inTxn = true;
    writer.begin();
    lastTick = 0;
    for await (const batch of src.batches()) {
      if (opts.cancelled?.()) throw new Cancelled();
      for (const record of batch) {
        counts.read++;
        if (record.problem) {
          await reject(record, {
            line: record.line,
            column: record.problem.column ?? null,
            field: null,
            value: null,
            reason: record.problem.reason,
          });
          continue;
        }
        // Hot loop (millions of rows): values go into an array aligned with the profile's columns;
        // a record's column positions are computed only when a row is rejected (record.cols is lazy).
        let bad: RejectInfo | null = null;
        // Delimited: every record has as many fields as the header (or, without one, the first record).
        if (delimited) {
          width ??= src.header?.length ?? record.fields.length;
          if (record.fields.length !== width) {
            await reject(record, {
              line: record.line,
              column: null,
              field: null,
              value: String(record.fields.length),
              reason: 'field_count',
            });
            continue;
          }
        }
        for (let i = 0; i < nCols; i++) {
          const at = indexes[i]!;
          const raw = fixed ? (record.fields[i] ?? '') : at >= 0 ? record.fields[at] : '';
          if (raw === undefined) {
            bad = { line: record.line, column: null, field: mappedFields[i]!, value: null, reason: 'field_count' };
            break;
          }
          const c = convs[i]!(raw);
          if (!c.ok) {
            bad = {
              line: record.line,
              column: columnOf(record, i, at),
              field: mappedFields[i]!,
              value: raw,
              reason: c.reason,
            };
            break;
          }
          let v = c.value;
          const ref = refs[i];
          if (ref && v !== null) {
            const id = resolver.resolve(ref, String(v));
            if (id === null) {
              bad = {
                line: record.line,
                column: columnOf(record, i, at),
                field: mappedFields[i]!,
                value: raw,
                reason: REF_REASON[ref],
              };
              break;
            }
            v = id;
          }
          vals[i] = v;
        }
        if (!bad) bad = writer.write(record.line, vals, resolver);
        if (bad) {
          await reject(record, bad);
          continue;
        }
      }
      counts.inserted = writer.inserted;
      counts.updated = writer.updated;
      counts.unchanged = writer.unchanged;
      opts.afterBatch?.(counts.read);
      const t = performance.now();
      if (t - lastTick > 200) {
        lastTick = t;
        progress('reading', src.bytesRead(), src.totalBytes);
      }
      // Let the worker's message port breathe (progress, cancel) between batches.
      await new Promise<void>((r) => setImmediate(r));
    }
    if (opts.cancelled?.()) throw new Cancelled();
    await finishRejects();
    if (counts.rejected > opts.tolerance) {
      throw new JobError('IMPORT_TOO_MANY_REJECTS', {
        rejected: counts.rejected,
        tolerance: opts.tolerance,
        first: firstRejects.slice(0, 20),
      });
    }
    progress('finishing', src.totalBytes, src.totalBytes);
    timings.rows = Math.round(performance.now() - phaseStart);
    writer.finish(timings);
    phaseStart = performance.now();
    const seconds = (performance.now() - started) / 1000;
    db.prepare(
      `UPDATE import_jobs SET status = 'committed', encoding = ?, detected_encoding = ?, rows_read = ?, rows_inserted = ?, rows_updated = ?,
         rows_unchanged = ?, rows_rejected = ?, rejects_file = ?, finished_at = ? WHERE id = ?`,
    ).run(
      src.encoding,
      src.detected?.encoding ?? null,
      counts.read,
      counts.inserted,
      counts.updated,
      counts.unchanged,
      counts.rejected,
      (rejectsResult as RejectsResult | null)?.file ?? null,
      now().toISOString(),
      jobId,
    );
    audit(db, opts, 'imports.run', 'ok', jobId, {
      kind: profile.kind,
      profile: profile.name,
      file: fileName,
      ...counts,
      seconds: Math.round(seconds),
    });
    db.exec('COMMIT');
    inTxn = false;
    timings.commit = Math.round(performance.now() - phaseStart);
    progress('done', src.totalBytes, src.totalBytes);
    return {
      jobId,
      status: 'committed',
      rowsRead: counts.read,
      rowsInserted: counts.inserted,
      rowsUpdated: counts.updated,
      rowsUnchanged: counts.unchanged,
      rowsRejected: counts.rejected,
      rejects: rejectsResult,
      encoding: src.encoding,
      seconds,
      timings,
    };
  } catch (e) {
    if (inTxn) {
      try {
        db.exec('ROLLBACK');
      } catch {
        /* already rolled back by SQLite (e.g. SQLITE_FULL) */
      }
    }
    await finishRejects();
    const cancelled = e instanceof Cancelled;
    const error = cancelled
      ? { code: 'IMPORT_CANCELLED', details: { rowsRead: counts.read } }
      : toJobError(e, fileName);
    const status = cancelled ? 'cancelled' : 'failed';
    db.prepare(
      `UPDATE import_jobs SET status = ?, error = ?, encoding = ?, rows_read = ?, rows_inserted = 0, rows_updated = 0, rows_unchanged = 0,
         rows_rejected = ?, rejects_file = ?, finished_at = ? WHERE id = ?`,
    ).run(
      status,
      JSON.stringify(error),
      src?.encoding ?? null,
      counts.read,
      counts.rejected,
      (rejectsResult as RejectsResult | null)?.file ?? null,
      now().toISOString(),
      jobId,
    );
    audit(db, opts, 'imports.run', 'failed', jobId, {
      kind: profile.kind,
      profile: profile.name,
      file: fileName,
      code: error.code,
    });
    return {
      jobId,
      status,
      rowsRead: counts.read,
      rowsInserted: 0,
      rowsUpdated: 0,
      rowsUnchanged: 0,
      rowsRejected: counts.rejected,
      error,
      rejects: rejectsResult,
      encoding: src?.encoding ?? null,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await src?.close().catch(() => undefined);
  }
}

function toJobError(e: unknown, file: string): { code: string; details: Record<string, unknown> } {
  if (e instanceof JobError) return { code: e.code, details: { file, ...e.details } };
  if (e instanceof ImportParseError)
    return { code: e.code, details: { file, line: e.line, column: e.column, ...e.details } };
  if (isDiskFull(e)) return { code: 'IMPORT_DISK_FULL', details: { file } };
  const code = (e as { code?: string })?.code;
  if (code === 'SQLITE_BUSY') return { code: 'IMPORT_STORE_BUSY', details: { file } };
  return { code: 'INTERNAL', details: { file, reason: e instanceof Error ? e.message.slice(0, 300) : String(e) } };
}

function audit(
  db: Database,
  opts: RunOptions,
  action: string,
  outcome: 'ok' | 'failed',
  jobId: number,
  details: Record<string, unknown>,
): void {
  db.prepare(
    `INSERT INTO audit_log (user_id, username, role, action, outcome, target_type, target_id, details) VALUES (?, ?, ?, ?, ?, 'import_job', ?, ?)`,
  ).run(
    opts.userId ?? null,
    opts.username ?? (opts.source === 'cli' ? 'cli' : null),
    opts.source === 'cli' ? 'system' : 'admin',
    action,
    outcome,
    String(jobId),
    JSON.stringify({ ...details, source: opts.source ?? 'ui' }),
  );
}

/** Natural key -> id, with small tables cached (branches, staff, products rarely exceed thousands). */
export class RefResolver {
  private readonly stmts: Record<RefKind, Statement>;
  private readonly cache = new Map<RefKind, Map<string, number>>();
  /** customer id of the last resolved account (transactions and term deposits need it). */
  lastAccountCustomer: number | null = null;

  constructor(db: Database) {
    this.stmts = {
      branch: db.prepare('SELECT id FROM branches WHERE code = ?'),
      staff: db.prepare('SELECT id FROM staff WHERE employee_no = ?'),
      product: db.prepare('SELECT id FROM products WHERE code = ?'),
      customer: db.prepare('SELECT id FROM customers WHERE customer_no = ?'),
      account: db.prepare('SELECT id, customer_id AS c FROM accounts WHERE account_no = ?'),
    };
  }

  resolve(kind: RefKind, key: string): number | null {
    if (kind === 'account') {
      const r = this.stmts.account.get(key) as { id: number; c: number } | undefined;
      this.lastAccountCustomer = r?.c ?? null;
      return r?.id ?? null;
    }
    const small = kind === 'branch' || kind === 'staff' || kind === 'product';
    if (small) {
      const hit = this.cache.get(kind)?.get(key);
      if (hit !== undefined) return hit;
    }
    const r = this.stmts[kind].get(key) as { id: number } | undefined;
    if (!r) return null;
    if (small) {
      let m = this.cache.get(kind);
      if (!m) this.cache.set(kind, (m = new Map()));
      m.set(key, r.id);
    }
    return r.id;
  }
}

type Value = string | number | null;

/** Upserts rows of one kind, keeping before-images, history and summary deltas. */
class Writer {
  inserted = 0;
  updated = 0;
  unchanged = 0;
  private readonly select: Statement;
  private readonly insert: Statement;
  private readonly update: Statement;
  private readonly change: Statement;
  private readonly markUnchanged: Statement;
  private readonly isUnchanged: Statement;
  private readonly markAffected: Statement | null;
  private readonly history: Statement | null;
  private readonly balanceChange: Statement | null;
  private readonly delta = new SummaryDelta();
  private readonly keyIdx: number[];
  private readonly groupCols = [
    'branch_id',
    'manager_staff_id',
    'tier',
    'deposit_fen',
    'wealth_fen',
    'loan_fen',
    'aum_fen',
  ];
  private readonly customers: boolean;
  private readonly closeAssignment: Statement | null = null;
  private readonly openAssignment: Statement | null = null;
  private readonly currentAssignment: Statement | null = null;

  constructor(
    private readonly db: Database,
    private readonly spec: KindSpec,
    private readonly jobId: number,
    /** Store columns the profile fills, in profile order (the key among them). */
    private readonly cols: string[],
    private readonly at: string,
    private readonly withInitials: boolean,
  ) {
    this.customers = spec.kind === 'customers';
    const t = spec.table;
    const writeCols = [...cols];
    if (this.withInitials) writeCols.push('name_initials');
    if (spec.kind === 'transactions') writeCols.push('customer_id');
    this.keyIdx = spec.keyColumns.map((k) => writeCols.indexOf(k));
    if (this.keyIdx.some((i) => i < 0))
      throw new JobError('IMPORT_BAD_PROFILE', { reason: 'key_not_mapped', key: spec.keyColumns });
    this.writeCols = writeCols;
    this.params = new Array<Value>(writeCols.length).fill(null);
    this.nameIdx = cols.indexOf('name');
    this.txnCustomerIdx = spec.kind === 'transactions' ? writeCols.length - 1 : -1;
    this.customerIdx = writeCols.indexOf('customer_id');
    this.accountIdx = writeCols.indexOf('account_id');
    this.managerIdx = writeCols.indexOf('manager_staff_id');
    this.branchIdx = writeCols.indexOf('branch_id');
    this.ownerOf = db.prepare('SELECT customer_id AS c FROM accounts WHERE id = ?');
    const where = spec.keyColumns.map((k) => `${k} = ?`).join(' AND ');
    const extra = spec.tracked ? ['id', 'created_job_id', 'last_job_id'] : [];
    const readCols = [...new Set([...extra, ...writeCols, ...(this.customers ? this.groupCols : [])])];
    // Rows come back as arrays (no object per row on a million-row upsert); an object is made only
    // for a row that changed.
    this.select = db.prepare(`SELECT ${readCols.join(', ')} FROM ${t} WHERE ${where}`).raw();
    // Nightly extracts are mostly rows already stored as they are: one look-up that compares every
    // written column in SQL and returns two integers beats fetching the whole row (a dozen strings
    // made per row) to compare in JS. A miss (new or changed row) falls through to the full select.
    if (spec.tracked) {
      const valueCols = writeCols.filter((c) => !spec.keyColumns.includes(c));
      this.sameAt = [...this.keyIdx, ...valueCols.map((c) => writeCols.indexOf(c))];
      this.sameArgs = new Array<Value>(this.sameAt.length).fill(null);
      this.same = db
        .prepare(`SELECT id, last_job_id FROM ${t} WHERE ${where}${valueCols.map((c) => ` AND ${c} IS ?`).join('')}`)
        .raw();
    }
    this.readCols = readCols;
    this.writeAt = writeCols.map((c) => readCols.indexOf(c));
    this.idAt = readCols.indexOf('id');
    this.lastJobAt = readCols.indexOf('last_job_id');
    const insCols = spec.tracked ? [...writeCols, 'created_job_id', 'last_job_id'] : writeCols;
    // Rows the job writes carry its timestamp, bound once: the columns' DEFAULT (strftime of 'now')
    // is evaluated for every row, ~1 s per million inserts measured here.
    const stamped = spec.hasUpdatedAt ? ['created_at', 'updated_at'] : [];
    this.insertTail = [...(spec.tracked ? [jobId, jobId] : []), ...stamped.map(() => at)];
    const allCols = [...insCols, ...stamped];
    this.insert = db.prepare(`INSERT INTO ${t} (${allCols.join(', ')}) VALUES (${allCols.map(() => '?').join(', ')})`);
    const sets = writeCols.filter((c) => !spec.keyColumns.includes(c)).map((c) => `${c} = ?`);
    if (spec.tracked) sets.push('last_job_id = ?');
    if (spec.hasUpdatedAt) sets.push('updated_at = ?');
    this.updateTail = [...(spec.tracked ? [jobId] : []), ...(spec.hasUpdatedAt ? [at] : [])];
    this.update = spec.tracked
      ? db.prepare(`UPDATE ${t} SET ${sets.join(', ')} WHERE id = ?`)
      : db.prepare(`UPDATE ${t} SET ${sets.join(', ')} WHERE ${where}`);
    this.change = db.prepare('INSERT INTO import_changes (job_id, tbl, row_id, before) VALUES (?, ?, ?, ?)');
    db.exec(
      'CREATE TEMP TABLE IF NOT EXISTS import_seen_balances (account_id INTEGER, on_date TEXT, PRIMARY KEY (account_id, on_date)) WITHOUT ROWID',
    );
    db.exec('DELETE FROM temp.import_seen_balances');
    // Rows of tracked tables seen unchanged are remembered by id in memory (a million-row upsert made
    // a temp-table insert and look-up per row); balances (composite key) in a temp table.
    this.markUnchanged = db.prepare('INSERT INTO temp.import_seen_balances VALUES (?, ?)');
    this.isUnchanged = db.prepare('SELECT 1 FROM temp.import_seen_balances WHERE account_id = ? AND on_date = ?');
    this.markAffected = spec.figuresOf ? (beginAffected(db), markAffectedStatement(db)) : null;
    this.history = this.customers
      ? db.prepare(
          'INSERT INTO customer_changes (customer_id, field, old_value, new_value, changed_at, source) VALUES (?, ?, ?, ?, ?, ?)',
        )
      : null;
    this.balanceChange = spec.tracked
      ? null
      : db.prepare('INSERT INTO import_balance_changes (job_id, account_id, on_date, before_fen) VALUES (?, ?, ?, ?)');
    if (this.customers && cols.includes('manager_staff_id')) {
      this.currentAssignment = db.prepare(
        'SELECT id, staff_id, from_date, to_date FROM manager_assignments WHERE customer_id = ? AND to_date IS NULL',
      );
      this.closeAssignment = db.prepare('UPDATE manager_assignments SET to_date = ? WHERE id = ?');
      this.openAssignment = db.prepare(
        `INSERT INTO manager_assignments (customer_id, staff_id, from_date, reason, created_job_id) VALUES (?, ?, ?, ?, ?)`,
      );
    }
  }

  private readonly writeCols: string[];
  private readonly readCols: string[];
  /** Bound after a row's values on insert: the job id twice (tracked kinds), the job's timestamp. */
  private readonly insertTail: Value[];
  /** Bound after the key or id on update (tracked: last_job_id; the timestamp where kept). */
  private readonly updateTail: Value[];
  /** Position in a selected row of each write column, of id, of last_job_id (-1 when not read). */
  private readonly writeAt: number[];
  private readonly idAt: number;
  private readonly lastJobAt: number;
  private readonly params: Value[];
  private readonly nameIdx: number;
  private readonly txnCustomerIdx: number;
  private readonly customerIdx: number;
  private readonly accountIdx: number;
  private readonly managerIdx: number;
  private readonly branchIdx: number;
  private readonly ownerOf: Statement;
  /** Tracked tables: the row by key, only if every written column already holds the value (see constructor). */
  private readonly same: Statement | null = null;
  private readonly sameAt: number[] = [];
  private readonly sameArgs: Value[] = [];

  /** Fresh load into an empty table: no per-row key look-up, secondary indexes rebuilt once at the end. */
  bulk = false;
  private droppedIndexes: SavedIndex[] = [];

  private reporting: JobMark | null = null;

  /** Inside the transaction, before the first row. */
  begin(): void {
    this.reporting = reportingJobBegin(this.db, this.spec.kind, this.jobId);
    if (!this.spec.tracked) return;
    const t = this.spec.table;
    if (this.db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined) return;
    this.bulk = true;
    // Building an index from sorted data once beats millions of random b-tree inserts. DDL is
    // transactional in SQLite: a rollback brings the indexes back untouched.
    this.droppedIndexes = dropIndexes(this.db, t);
  }

  /**
   * Writes one converted row (`vals` aligned with the profile's columns); returns a reject when the
   * row cannot be stored.
   */
  write(line: number, vals: readonly Value[], resolver: RefResolver): RejectInfo | null {
    const n = this.cols.length;
    const params: Value[] = this.params;
    for (let i = 0; i < n; i++) params[i] = vals[i]!;
    if (this.withInitials) params[n] = initialsOf(String(vals[this.nameIdx] ?? ''));
    // Transactions carry their account's owner (denormalised for per-customer history).
    if (this.txnCustomerIdx >= 0) params[this.txnCustomerIdx] = resolver.lastAccountCustomer;
    if (this.spec.kind === 'term_deposits' && params[this.accountIdx] != null && params[this.customerIdx] != null) {
      const owner = this.ownerOf.get(params[this.accountIdx]) as { c: number } | undefined;
      if (owner && owner.c !== params[this.customerIdx])
        return { line, column: null, field: 'account_no', value: null, reason: 'inconsistent' };
    }
    const key = this.keyIdx.length === 1 ? [params[this.keyIdx[0]!]!] : this.keyIdx.map((i) => params[i]!);
    if (this.bulk) return this.bulkInsert(line, params, key);
    if (this.same) {
      const args = this.sameArgs;
      for (let i = 0; i < args.length; i++) args[i] = params[this.sameAt[i]!]!;
      const hit = this.same.get(...args) as [number, number | null] | undefined;
      if (hit) {
        // The same natural key twice in one file: the second row is a reject, whatever it says.
        if (hit[1] === this.jobId || this.seenIds.has(hit[0])) return this.duplicateKey(line, key);
        this.unchanged++;
        this.seenIds.add(hit[0]);
        return null;
      }
    }
    const row = (key.length === 1 ? this.select.get(key[0]) : this.select.get(...key)) as Value[] | undefined;
    try {
      if (!row) {
        if (this.spec.tracked) {
          const info = this.insert.run(...params, ...this.insertTail);
          const id = Number(info.lastInsertRowid);
          if (this.customers) {
            const after = this.groupOf(params, null);
            this.delta.move(null, after);
            const staff = this.managerIdx >= 0 ? params[this.managerIdx] : null;
            if (this.openAssignment && staff != null)
              this.openAssignment.run(id, staff, this.at.slice(0, 10), `import:${this.jobId}`, this.jobId);
          }
          if (this.customerIdx >= 0) this.mark(params[this.customerIdx]);
        } else {
          this.insert.run(...params, ...this.insertTail);
          this.balanceChange!.run(this.jobId, key[0], key[1], null);
          this.markUnchanged.run(key[0], key[1]);
        }
        this.inserted++;
        return null;
      }
      // The same natural key twice in one file: the second row is a reject, whatever it says.
      if (
        this.spec.tracked
          ? row[this.lastJobAt] === this.jobId || this.seenIds.has(row[this.idAt] as number)
          : this.isUnchanged.get(key[0], key[1])
      ) {
        return this.duplicateKey(line, key);
      }
      let differs = false;
      for (let i = 0; i < this.writeAt.length && !differs; i++)
        differs = !sameValue(row[this.writeAt[i]!] ?? null, params[i]!);
      if (!differs) {
        this.unchanged++;
        if (this.spec.tracked) this.seenIds.add(row[this.idAt] as number);
        else this.markUnchanged.run(key[0], key[1]);
        return null;
      }
      const existing: Record<string, Value> = {};
      for (let i = 0; i < this.readCols.length; i++) existing[this.readCols[i]!] = row[i]!;
      const changed = this.writeCols.filter((c, i) => !sameValue(existing[c] ?? null, params[i]!));
      const setParams = this.writeCols
        .map((c, i) => [c, params[i]!] as const)
        .filter(([c]) => !this.spec.keyColumns.includes(c))
        .map(([, p]) => p);
      if (this.spec.tracked) {
        const before: Record<string, Value> = { last_job_id: existing.last_job_id ?? null };
        for (const c of this.writeCols) before[c] = existing[c] ?? null;
        this.change.run(this.jobId, this.spec.table, existing.id, JSON.stringify(before));
        this.update.run(...setParams, ...this.updateTail, existing.id);
        if (this.customers) this.customerChanged(existing, params, changed);
        this.mark(existing.customer_id);
        if (this.customerIdx >= 0) this.mark(params[this.customerIdx]);
      } else {
        this.balanceChange!.run(this.jobId, key[0], key[1], existing.balance_fen ?? null);
        this.update.run(...setParams, ...this.updateTail, ...key);
        this.markUnchanged.run(key[0], key[1]);
      }
      this.updated++;
      return null;
    } catch (e) {
      const code = (e as { code?: string })?.code ?? '';
      if (code.startsWith('SQLITE_CONSTRAINT'))
        return { line, column: null, field: null, value: null, reason: 'inconsistent' };
      throw e;
    }
  }

  private duplicateKey(line: number, key: Value[]): RejectInfo {
    return { line, column: null, field: this.spec.keyColumns.join('+'), value: key.join(' '), reason: 'duplicate_key' };
  }

  /** Empty table at start: a second row with the same key can only come from this file. */
  private bulkInsert(line: number, params: Value[], key: Value[]): RejectInfo | null {
    try {
      this.insert.run(...params, ...this.insertTail);
    } catch (e) {
      const code = (e as { code?: string })?.code ?? '';
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        return this.duplicateKey(line, key);
      }
      if (code.startsWith('SQLITE_CONSTRAINT'))
        return { line, column: null, field: null, value: null, reason: 'inconsistent' };
      throw e;
    }
    if (this.customers) this.delta.move(null, this.groupOf(params, null));
    else if (this.customerIdx >= 0) this.mark(params[this.customerIdx]);
    this.inserted++;
    return null;
  }

  /** Ids of tracked rows this job found unchanged. */
  private readonly seenIds = new IdSet();

  /** Customers already marked affected: a journal names the same customer on many rows (one insert each, 2M rows 1.2 s, before). */
  private readonly marked = new IdSet();

  private mark(customerId: Value | undefined): void {
    if (this.markAffected && typeof customerId === 'number' && this.marked.add(customerId))
      this.markAffected.run(customerId);
  }

  private groupOf(params: Value[], existing: Record<string, Value> | null) {
    // Once per written customer row: positions computed in the constructor, no closure made per call.
    const branch = this.branchIdx >= 0 ? params[this.branchIdx] : existing?.branch_id;
    const manager = this.managerIdx >= 0 ? params[this.managerIdx] : existing?.manager_staff_id;
    return {
      branch_id: Number(branch ?? null),
      manager_staff_id: (manager as number | null | undefined) ?? null,
      tier: (existing?.tier as string | null) ?? null,
      deposit_fen: Number(existing?.deposit_fen ?? 0),
      wealth_fen: Number(existing?.wealth_fen ?? 0),
      loan_fen: Number(existing?.loan_fen ?? 0),
      aum_fen: Number(existing?.aum_fen ?? 0),
    };
  }

  private customerChanged(existing: Record<string, Value>, params: Value[], changed: string[]): void {
    const id = existing.id as number;
    const before = {
      ...this.groupOf([], existing),
      branch_id: Number(existing.branch_id),
      manager_staff_id: (existing.manager_staff_id as number | null) ?? null,
    };
    this.delta.move(before, this.groupOf(params, existing));
    for (const c of changed) {
      if (!CUSTOMER_HISTORY_COLUMNS.has(c)) continue;
      this.history!.run(
        id,
        c,
        existing[c] ?? null,
        params[this.writeCols.indexOf(c)] ?? null,
        this.at,
        `import:${this.jobId}`,
      );
    }
    if (this.openAssignment && changed.includes('manager_staff_id')) {
      const cur = this.currentAssignment!.get(id) as
        | { id: number; staff_id: number; from_date: string; to_date: string | null }
        | undefined;
      if (cur) {
        this.change.run(this.jobId, 'manager_assignments', cur.id, JSON.stringify({ to_date: cur.to_date }));
        this.closeAssignment!.run(this.at.slice(0, 10), cur.id);
      }
      const staff = params[this.writeCols.indexOf('manager_staff_id')];
      if (staff != null) this.openAssignment.run(id, staff, this.at.slice(0, 10), `import:${this.jobId}`, this.jobId);
    }
  }

  /** Inside the transaction, before commit: customer figures and summaries current. */
  finish(timings: JobTimings = {}): void {
    let t = performance.now();
    const lap = (phase: keyof JobTimings) => {
      const n = performance.now();
      timings[phase] = Math.round(n - t);
      t = n;
    };
    buildIndexes(this.db, this.droppedIndexes);
    lap('indexes');
    this.droppedIndexes = [];
    if (this.bulk && this.openAssignment) {
      // Managers of record for the customers this job created, in one statement (on a first load, into
      // the bare table, its indexes built after as the customers' were).
      const first = this.db.prepare('SELECT 1 FROM manager_assignments LIMIT 1').get() === undefined;
      const saved = first ? dropIndexes(this.db, 'manager_assignments') : [];
      this.db
        .prepare(
          `INSERT INTO manager_assignments (customer_id, staff_id, from_date, reason, created_job_id)
           SELECT id, manager_staff_id, ?, ?, ? FROM customers WHERE created_job_id = ? AND manager_staff_id IS NOT NULL`,
        )
        .run(this.at.slice(0, 10), `import:${this.jobId}`, this.jobId, this.jobId);
      buildIndexes(this.db, saved);
    }
    if (this.customers) this.delta.apply(this.db);
    if (this.markAffected) refreshAffected(this.db);
    // Reporting summaries (db/reporting) in the same transaction, from the figures just refreshed.
    if (this.reporting) reportingJobFinish(this.db, this.reporting);
    lap('summaries');
  }
}

/** A set of row ids (dense positive integers) as a bitmap grown as ids come; a Set past 2^32. */
export class IdSet {
  private bits = new Uint32Array(2048);
  private readonly big = new Set<number>();

  /** Ids the bitmap can hold (>>> and & work on 32 bits). */
  private static fits(id: number): boolean {
    return id >= 0 && id <= 0xffffffff && Number.isInteger(id);
  }

  /** Adds the id; true when it was not there yet. */
  add(id: number): boolean {
    if (!IdSet.fits(id)) {
      if (this.big.has(id)) return false;
      this.big.add(id);
      return true;
    }
    const w = id >>> 5;
    if (w >= this.bits.length) {
      const bigger = new Uint32Array(Math.max(w + 1, this.bits.length * 2));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    const m = 1 << (id & 31);
    if ((this.bits[w]! & m) !== 0) return false;
    this.bits[w] = this.bits[w]! | m;
    return true;
  }

  has(id: number): boolean {
    if (!IdSet.fits(id)) return this.big.has(id);
    const w = id >>> 5;
    return w < this.bits.length && (this.bits[w]! & (1 << (id & 31))) !== 0;
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return String(a) === String(b);
}
