/**
 * One import job, start to finish, on the connection it is given (the worker's own): read the file
 * through the parse layer, convert each field, resolve references, upsert by natural key, keep
 * before-images for revert and history for customers, bring the customer figures and summaries up
 * to date, and commit, all in ONE transaction. Any failure (file error, too many rejects, cancel,
 * disk full, a crash) leaves the store exactly as it was.
 *
 * The job ledger row is written in its own short transaction first (status 'running'), so a job
 * that dies still shows up; start-up marks such rows as interrupted (markInterrupted).
 *
 * The rest of the engine: job.ts (the job's types, errors and up-front checks), writer.ts (the upsert
 * side), ref-resolver.ts (natural keys of referenced rows to ids), kinds.ts (what each kind writes),
 * revert.ts, preview.ts.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { writeAudit } from '../../../db/repos/audit';
import type { StoreKey } from '../../../db/cipher';
import type { ColumnData } from '../../../db/customer-columns';
import { captureColumnChanges, type ColumnsCapture, columnsAfterImport } from '../../../db/customer-columns-delta';
import { removeColumnsDeltas, writeColumnsCache, writeColumnsDelta } from '../../../db/customer-columns-cache';
import { SORT_SQL } from '../../../db/customer-field-sql';
import { maskRejectValue } from '../../../shared/import-preview-mask';
import {
  IMPORT_FIELDS,
  type Encoding,
  type ImportKind,
  type ImportProfile,
  profileSchema,
} from '../../../shared/imports';
import { compileConverter, type Converter } from '../parse/convert';
import { columnsOf } from '../parse/delimited';
import { openRejects, type RejectsResult, type RejectsWriter } from '../parse/rejects';
import { type OpenedSource, openSource, presentColumns, resolveColumns, type SourceRecord } from '../parse/source';
import {
  checkProfile,
  JobError,
  sha256File,
  toJobError,
  type JobOutcome,
  type JobProgress,
  type JobTimings,
  type JobWarning,
  type RejectInfo,
  type Value,
} from './job';
import { compileRowCheck } from './checks';
import { KINDS, REF_REASON } from './kinds';
import { dictionaryColumns } from './parse-thread';
import { type ParseThread, pipelineFor, startParseThread } from './pipeline';
import { describer } from './reasons';
import { RefResolver } from './ref-resolver';
import { Writer } from './writer';

// The engine's entry point is this module: callers (handlers, CLI, queue, tests) take the job's types
// and checks from here too.
export { checkProfile, JobError } from './job';
export type { JobOutcome, JobProgress, JobTimings, RejectInfo } from './job';

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
  /**
   * Preview: the job runs exactly as an import would (same reading, conversion, checks, references and
   * upserts, so duplicate keys inside the file are found the same way), every row's verdict is reported
   * here, and the transaction is rolled back at the end: no ledger row, rejects, file, audit or summaries
   * remain. No checksum or duplicate-file check; rejects never stop it. File errors are thrown.
   */
  dryRun?: (record: SourceRecord, reject: RejectInfo | null) => void;
  /** Called once the file is open (header, encoding, sheet known). */
  onOpened?: (src: OpenedSource) => void;
  /** Test hook: called after each written batch, inside the transaction. */
  afterBatch?: (rowsRead: number) => void;
  /**
   * The grid columns' cache of this store (db/customer-columns-cache.ts): when given, the job records
   * which customers it wrote as a delta beside it, so the grid's columns are updated from it instead
   * of built again (db/customer-columns-delta.ts).
   */
  columnsCache?: { path: string; key: StoreKey | null };
  /**
   * With `columnsCache`: the grid's columns of the book this job commits, computed in its transaction
   * (db/customer-columns-delta.ts columnsAfterImport) and handed over once it has committed, with the
   * book's token (the window's process installs them: no moment without columns). Also written to the
   * cache, so a start-up after a command-line load reads them directly.
   */
  onColumns?: (data: ColumnData, token: string) => void;
  /**
   * Read and convert on a second thread while this one writes (engine/pipeline.ts): true or false
   * decides; unset, big delimited and fixed-width files on two or more cores use it.
   */
  pipeline?: boolean;
}

class Cancelled extends Error {}
const cancelledJob = (e: unknown) => e instanceof Cancelled;

/** Rejects kept for a failed job's rejects view (all of them are in its rejects file). */
const KEPT_REJECTS = 1000;
/** Rejects named in a failed job's message. */
const WHERE_REJECTS = 10;

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

  const dryRun = opts.dryRun !== undefined;
  // A preview's ledger row (the writer marks rows with the job's id) lives only inside its transaction.
  if (dryRun) db.exec('BEGIN IMMEDIATE');
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
  /** The first rejects with their text: shown in a failed job's message and kept in its rejects view. */
  const firstRejects: { info: RejectInfo; raw: string }[] = [];
  let inTxn = dryRun;
  let capture: ColumnsCapture | null = null;
  let thread: ParseThread | null = null;

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
    // The parse thread starts reading while this one hashes the file (its errors wait their turn).
    if (pipelineFor(profile, fileBytes, { pipeline: opts.pipeline, dryRun }))
      thread = startParseThread(opts.file, profile, opts.encoding);
    let lastTick = 0;
    let phaseStart = performance.now();
    const checksum = dryRun
      ? ''
      : await sha256File(opts.file, (n) => {
          const t = performance.now();
          if (t - lastTick > 200) {
            lastTick = t;
            progress('checksum', n, fileBytes);
          }
        });
    timings.checksum = Math.round(performance.now() - phaseStart);
    db.prepare('UPDATE import_jobs SET checksum = ? WHERE id = ?').run(checksum, jobId);
    // The same file loaded again into the same kind of data; one file read by two profiles of different
    // kinds (customers, then their accounts) is not a duplicate.
    if (!opts.allowDuplicate && !dryRun) {
      const prev = db
        .prepare(
          `SELECT id, finished_at AS finishedAt, file_name AS fileName FROM import_jobs
           WHERE checksum = ? AND kind = ? AND status = 'committed' AND id <> ? ORDER BY id DESC LIMIT 1`,
        )
        .get(checksum, profile.kind, jobId) as { id: number; finishedAt: string; fileName: string } | undefined;
      if (prev)
        throw new JobError('IMPORT_DUPLICATE_FILE', {
          file: fileName,
          previousJob: prev.id,
          previousAt: prev.finishedAt,
          previousFile: prev.fileName,
        });
    }

    src = thread
      ? thread.source(await thread.opened())
      : await openSource(opts.file, profile, { encoding: opts.encoding });
    opts.onOpened?.(src);
    // Optional columns the file lacks are neither read nor written (stored values stay).
    const used = presentColumns(profile, src.header);
    const { indexes } = resolveColumns(used, src.header);
    const convs: Converter[] = used.columns.map((c) => compileConverter(IMPORT_FIELDS[profile.kind][c.field]!, c));
    const colOf = new Map(spec.columns.map((c) => [c.field, c.column]));
    const mappedFields = used.columns.map((c) => c.field);
    const refs = used.columns.map((c) => IMPORT_FIELDS[profile.kind][c.field]!.ref ?? null);
    const nCols = convs.length;
    const fixed = profile.format === 'fixed';
    const delimited = profile.format === 'delimited';
    const xlsx = profile.format === 'xlsx';
    let width: number | undefined;
    const rowCheck = compileRowCheck(used);
    const inexactOf = (record: SourceRecord, at: number) => record.inexact?.includes(at) === true;
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
    // The reason column is read by a clerk: in words, Chinese unless the caller says otherwise.
    const describe = opts.describeReject ?? describer('zh-CN', used);
    if (!dryRun) mkdirSync(opts.rejectsDir, { recursive: true });
    const rejectsFile = path.join(
      opts.rejectsDir,
      `job-${jobId}-rejects${profile.format === 'xlsx' ? '.xlsx' : path.extname(fileName) || '.txt'}`,
    );
    const maxRejects = Math.max(opts.tolerance, 0) + 100_000;

    const reject = async (record: SourceRecord, info: RejectInfo) => {
      counts.rejected++;
      if (opts.dryRun) return opts.dryRun(record, info);
      rejectStmt.run(jobId, counts.rejected, info.line, info.column, info.field, info.value, info.reason, record.raw);
      if (firstRejects.length < KEPT_REJECTS) firstRejects.push({ info, raw: record.raw });
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
          first: whereOf(profile.kind, firstRejects),
        });
    };

    phaseStart = performance.now();
    if (!dryRun) db.exec('BEGIN IMMEDIATE');
    inTxn = true;
    writer.begin();
    // A first load into an empty table is all new rows: nothing to update, the columns are built. No
    // cache, no columns a delta could update (a book below the columns' size, the cache turned off).
    if (opts.columnsCache && !dryRun && !writer.bulk && existsSync(opts.columnsCache.path))
      capture = captureColumnChanges(db);
    lastTick = 0;
    const opened = src;
    /** After each written batch, on either path: the writer's counts, the test hook, progress, a breath. */
    const endBatch = async () => {
      counts.inserted = writer.inserted;
      counts.updated = writer.updated;
      counts.unchanged = writer.unchanged;
      opts.afterBatch?.(counts.read);
      const t = performance.now();
      if (t - lastTick > 200) {
        lastTick = t;
        progress('reading', opened.bytesRead(), opened.totalBytes);
      }
      // Let the worker's message port breathe (progress, cancel) between batches.
      await new Promise<void>((r) => setImmediate(r));
    };
    if (thread) {
      // Pipeline (engine/pipeline.ts): the rows arrive converted and checked; references are
      // resolved and rows written here, in file order, with the same verdicts as the loop below.
      const refCols = refs.flatMap((r, i) => (r ? [i] : []));
      // Repeated string values arrive as indexes in their column's dictionary (parse-thread.ts).
      const dictCols = dictionaryColumns(used).flatMap((d, i) => (d ? [i] : []));
      const dicts: string[][] = used.columns.map(() => []);
      const fixedCols = fixed ? used.columns.map((c) => c.start ?? 0) : null;
      const D = (profile.delimiter ?? ',').charCodeAt(0);
      const Q = (profile.quote ?? '"').charCodeAt(0);
      const withInitials = profile.kind === 'customers' && mappedFields.includes('name');
      for (let b = await thread.next(); b; b = await thread.next()) {
        if (opts.cancelled?.()) throw new Cancelled();
        const batch = b;
        for (let k = 0; k < batch.dictCols.length; k++) dicts[batch.dictCols[k]!]!.push(batch.dictVals[k]!);
        // Only a rejected row needs its record (raw text for the rejects file, columns for the reason).
        const recordAt = (r: number): SourceRecord => {
          const k = batch.rawBytesAt.indexOf(r);
          const raw = batch.raws[r]!;
          return {
            line: batch.lines[r]!,
            fields: [],
            raw,
            ...(fixedCols ? { cols: fixedCols } : {}),
            ...(k >= 0 ? { rawBytes: batch.rawBytes[k]! } : {}),
          };
        };
        const columnAt = (r: number, i: number): number | null => {
          if (fixedCols) return fixedCols[i] ?? null;
          const at = indexes[i]!;
          return at >= 0 ? (columnsOf(batch.raws[r]!, D, Q)[at] ?? null) : null;
        };
        /**
         * References of columns before `upTo` in column order, as the loop below resolves them. A
         * reference's raw text: `raws(k)`, or for a passed row batch.refRaws[refBase + k] (no closure
         * made per row).
         */
        const resolveRefs = (
          r: number,
          row: Value[],
          raws: ((k: number) => string | null) | null,
          refBase: number,
          upTo: number,
        ) => {
          for (let k = 0; k < refCols.length; k++) {
            const i = refCols[k]!;
            if (i >= upTo) break;
            const v = row[i]!;
            if (v === null) continue;
            const id = resolver.resolve(refs[i]!, String(v));
            if (id === null) {
              return {
                line: batch.lines[r]!,
                column: columnAt(r, i),
                field: mappedFields[i]!,
                value: (raws ? raws(k) : (batch.refRaws[refBase + k] ?? null)) ?? String(v),
                reason: REF_REASON[refs[i]!],
              } satisfies RejectInfo;
            }
            row[i] = id;
          }
          return null;
        };
        let ok = 0;
        for (let r = 0; r < batch.n; r++) {
          counts.read++;
          const st = batch.status[r]!;
          if (st >= 0) {
            const pr = batch.rejects[st]!;
            const bad =
              pr.upTo > 0 ? resolveRefs(r, pr.vals!, (k) => pr.refRaws![refCols[k]!] ?? null, 0, pr.upTo) : null;
            await reject(recordAt(r), bad ?? pr.info);
            continue;
          }
          const base = ok * nCols;
          for (let i = 0; i < nCols; i++) vals[i] = batch.vals[base + i]!;
          for (let k = 0; k < dictCols.length; k++) {
            const i = dictCols[k]!;
            const v = vals[i];
            if (typeof v === 'number') vals[i] = dicts[i]![v]!;
          }
          const refBase = ok * refCols.length;
          const initials = withInitials ? batch.initials[ok] : undefined;
          ok++;
          let bad: RejectInfo | null = resolveRefs(r, vals, null, refBase, nCols);
          if (!bad) bad = writer.write(batch.lines[r]!, vals, resolver, initials);
          if (bad) await reject(recordAt(r), bad);
        }
        thread.done();
        await endBatch();
      }
      timings.parseBusy = Math.round(thread.busyMs);
      timings.parseWait = Math.round(thread.waitMs);
      timings.writerWait = Math.round(thread.writerWaitMs);
    } else
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
            // Excel stores no blank cells: a row whose last cells are empty ends early, and a missing
            // trailing cell of an .xlsx row is an empty field, not a short row.
            const raw = fixed
              ? (record.fields[i] ?? '')
              : at < 0
                ? ''
                : xlsx
                  ? (record.fields[at] ?? '')
                  : record.fields[at];
            if (raw === undefined) {
              bad = { line: record.line, column: null, field: mappedFields[i]!, value: null, reason: 'field_count' };
              break;
            }
            if (inexactOf(record, at)) {
              bad = {
                line: record.line,
                column: columnOf(record, i, at),
                field: mappedFields[i]!,
                value: raw,
                reason: 'numeric_cell',
              };
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
          if (!bad && rowCheck) {
            const f = rowCheck(vals);
            if (f) {
              const at = indexes[f.index]!;
              bad = {
                line: record.line,
                column: columnOf(record, f.index, at),
                field: mappedFields[f.index]!,
                value: fixed ? (record.fields[f.index] ?? '') : at >= 0 ? (record.fields[at] ?? '') : '',
                reason: f.reason,
              };
            }
          }
          if (!bad) bad = writer.write(record.line, vals, resolver);
          if (bad) await reject(record, bad);
          else opts.dryRun?.(record, null);
        }
        await endBatch();
      }
    if (opts.cancelled?.()) throw new Cancelled();
    if (dryRun) {
      db.exec('ROLLBACK');
      inTxn = false;
      return {
        jobId: 0,
        status: 'committed',
        rowsRead: counts.read,
        rowsInserted: 0,
        rowsUpdated: 0,
        rowsUnchanged: 0,
        rowsRejected: counts.rejected,
        rejects: null,
        encoding: src.encoding,
        seconds: (performance.now() - started) / 1000,
      };
    }
    await finishRejects();
    if (counts.rejected > opts.tolerance) {
      throw new JobError('IMPORT_TOO_MANY_REJECTS', {
        rejected: counts.rejected,
        tolerance: opts.tolerance,
        first: whereOf(profile.kind, firstRejects),
      });
    }
    progress('finishing', src.totalBytes, src.totalBytes);
    timings.rows = Math.round(performance.now() - phaseStart);
    writer.finish(timings);
    const warnings = treeWarnings(db, profile.kind);
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
      ...(warnings.length ? { warnings: warnings.map((w) => w.code) } : {}),
    });
    let columnsAfter: { data: ColumnData; token: string; schema: number } | null = null;
    if (capture && opts.columnsCache) {
      // Last: after every write to what the columns read. The file exists before the commit that makes
      // its token real; a failed write leaves the book dirty as the triggers set it (a full build).
      const c = capture;
      capture = null;
      db.exec('SAVEPOINT columns_delta');
      try {
        const delta = c.finish();
        if (delta) {
          writeColumnsDelta(
            opts.columnsCache.path,
            delta.token,
            delta.schema,
            { base: delta.base, job: jobId, ids: delta.ids },
            opts.columnsCache.key,
          );
          const t = performance.now();
          const data = columnsAfterImport(db, opts.columnsCache.path, opts.columnsCache.key, delta);
          timings.columns = Math.round(performance.now() - t);
          if (data) columnsAfter = { data, token: delta.token, schema: delta.schema };
        }
        db.exec('RELEASE columns_delta');
      } catch {
        db.exec('ROLLBACK TO columns_delta');
        db.exec('RELEASE columns_delta');
        c.stop();
      }
    }
    db.exec('COMMIT');
    if (columnsAfter && opts.columnsCache) {
      // Committed: the token is the book's. The cache first (it survives this process), then the hand-over.
      const { data, token, schema } = columnsAfter;
      try {
        const before = Date.now();
        writeColumnsCache(
          opts.columnsCache.path,
          data,
          { token, dirty: false, schema },
          SORT_SQL,
          opts.columnsCache.key,
        );
        removeColumnsDeltas(opts.columnsCache.path, before);
      } catch {
        /* the delta file is there for the next start-up */
      }
      opts.onColumns?.(data, token);
    }
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
      ...(warnings.length ? { warnings } : {}),
    };
  } catch (e) {
    try {
      capture?.stop();
    } catch {
      /* gone with the rollback */
    }
    if (inTxn) {
      try {
        db.exec('ROLLBACK');
      } catch {
        /* already rolled back by SQLite (e.g. SQLITE_FULL) */
      }
    }
    if (dryRun) throw e instanceof Cancelled ? new JobError('IMPORT_CANCELLED') : e;
    // The rows were rolled back with everything else: keep the first rejects, so the failed job's
    // rejects view says which lines failed (its rejects file has them all).
    if (firstRejects.length > 0 && !cancelledJob(e)) {
      try {
        const keep = db.prepare(
          'INSERT OR IGNORE INTO import_rejects (job_id, seq, line, col, field, value, reason, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        );
        db.transaction(() => {
          firstRejects.forEach(({ info, raw }, i) => {
            keep.run(jobId, i + 1, info.line, info.column, info.field, info.value, info.reason, raw);
          });
        })();
      } catch {
        /* the ledger update below still records the failure */
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
    await thread?.stop().catch(() => undefined);
  }
}

/**
 * The first rejects for a job's error details (file, line, column, field, value, reason), identifiers
 * masked as in the preview: the message is shown to the administrator, who has no customer access.
 */
function whereOf(kind: ImportKind, rejects: { info: RejectInfo }[]): RejectInfo[] {
  return rejects
    .slice(0, WHERE_REJECTS)
    .map(({ info }) => ({ ...info, value: maskRejectValue(kind, info.field, info.value) }));
}

/** After a branches load: more than one top branch means the file carried no (or few) parents. */
function treeWarnings(db: Database, kind: ImportKind): JobWarning[] {
  if (kind !== 'branches') return [];
  const r = db.prepare('SELECT SUM(parent_id IS NULL) AS roots, COUNT(*) AS branches FROM branches').get() as {
    roots: number | null;
    branches: number;
  };
  const roots = r.roots ?? 0;
  return roots > 1 ? [{ code: 'flat_branch_tree', roots, branches: r.branches }] : [];
}

/** The job's own audit entry, in its transaction on success (it commits with the rows). */
function audit(
  db: Database,
  opts: RunOptions,
  action: string,
  outcome: 'ok' | 'failed',
  jobId: number,
  details: Record<string, unknown>,
): void {
  writeAudit(
    db,
    {
      userId: opts.userId ?? null,
      username: opts.username ?? (opts.source === 'cli' ? 'cli' : null),
      role: opts.source === 'cli' ? 'system' : 'admin',
    },
    {
      action,
      outcome,
      targetType: 'import_job',
      targetId: jobId,
      details: { ...details, source: opts.source ?? 'ui' },
    },
  );
}
