/**
 * The reading half of an import job on its own thread (issue 18.4): read, decode, parse, convert each
 * field and run the pure row checks, then hand batches of converted rows to the writer thread, which
 * resolves references and upserts (main/jobs/engine/pipeline.ts is its side, run.ts the job).
 *
 * What crosses: per batch, compact arrays cloned by postMessage (lines and a per-record status in
 * typed arrays; one flat array of converted values for the rows that passed; each record's raw text,
 * which the writer needs only when it rejects the row, but a row found bad by the store must still
 * reach the rejects file as it was). Measured on the 200k-row GB18030 CIF file (2 loaded cores), per
 * 100k rows received by the writer: plain arrays ~240 ms to receive and walk; the same values packed
 * into one string plus typed arrays ~230-290 ms to receive and slice apart, and ~370 ms more to pack on
 * this side; the raw texts alone ~30 ms. So: plain arrays.
 *
 * Same verdicts as the single-thread loop in run.ts, in the same order: a row's first fault in column
 * order wins, and a reference (resolved on the writer) comes before a later column's conversion fault
 * and before the row checks. So a row rejected here carries `upTo`: the writer resolves the references
 * among the columns before it first, and rejects for those if one is unknown.
 *
 * Back-pressure: at most room[2] batches are posted and not yet consumed (counters in shared memory
 * the writer sets and bumps), so memory stays flat whatever the file size.
 */
import type { MessagePort } from 'node:worker_threads';
import { initialsOf } from '../../../db/names';
import { type Encoding, IMPORT_FIELDS, type ImportProfile } from '../../../shared/imports';
import { compileConverter, type Converter } from '../parse/convert';
import type { Detection } from '../parse/encoding';
import { ImportParseError } from '../parse/io';
import { type OpenedSource, openSource, presentColumns, resolveColumns, type SourceDialect } from '../parse/source';
import { compileRowCheck } from './checks';
import type { RejectInfo, Value } from './job';

export interface ParseThreadInput {
  file: string;
  profile: ImportProfile;
  encoding?: Encoding;
  /**
   * Int32Array over it: [0] = batches the writer has consumed, [1] = messages posted (bumped after
   * each), [2] = batches this side may have posted and not yet consumed (set by the writer: a head
   * start while it hashes the file, then a few; pipeline.ts).
   */
  room: SharedArrayBuffer;
  /**
   * Where the messages go: the writer takes each one with receiveMessageOnPort when it is ready for it,
   * so a batch is copied into the writer's heap only then (a 'message' event would copy every queued
   * batch at once, and they would live long enough to be promoted to the old generation).
   */
  port: MessagePort;
}

/** The source's encoding state after a batch (auto detection can settle late in an ASCII-led file). */
export interface EncodingState {
  encoding: Encoding | null;
  detected: Detection | null;
  settled: boolean;
  bytesRead: number;
}

/** A row this side rejected: its fault, and the columns before it whose references the writer checks first. */
export interface ParsedReject {
  info: RejectInfo;
  /** References among columns [0, upTo) are resolved first (0: none). */
  upTo: number;
  /** Converted values of columns [0, upTo) and the raw text of their reference columns (when upTo > 0). */
  vals: Value[] | null;
  refRaws: (string | null)[] | null;
}

export interface ParsedBatch {
  t: 'batch';
  /** Records in the batch (each counts as read). */
  n: number;
  lines: Int32Array;
  /** -1: the row passed (its values are next in `vals`); else its index in `rejects`. */
  status: Int32Array;
  raws: string[];
  /** Records whose raw text is not their exact bytes (undecodable fixed-width lines): where and what. */
  rawBytesAt: number[];
  rawBytes: Uint8Array[];
  /**
   * Converted values of the rows that passed, `nCols` per row, references still natural keys; in a
   * dictionaryColumns column a number is an index in that column's dictionary.
   */
  vals: Value[];
  /** Values added to the columns' dictionaries with this batch, in order: column, then value. */
  dictCols: number[];
  dictVals: string[];
  /** Per passed row and reference column: the field's raw text where it differs from its value. */
  refRaws: (string | null)[];
  /** Per passed row: the name's initials (customers with a name column), or empty. */
  initials: string[];
  rejects: ParsedReject[];
  state: EncodingState;
  /** Milliseconds this thread worked on the batch (read, decode, parse, convert, check). */
  busyMs: number;
}

export type ParseMessage =
  | {
      t: 'opened';
      header: string[] | null;
      dialect: SourceDialect;
      format: OpenedSource['format'];
      totalBytes: number;
      state: EncodingState;
    }
  | ParsedBatch
  | { t: 'end'; state: EncodingState; busyMs: number; waitMs: number }
  | { t: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  line?: number;
  column?: number;
  details?: Record<string, unknown>;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof ImportParseError)
    return { name: e.name, message: e.message, code: e.code, line: e.line, column: e.column, details: e.details };
  const err = e as { name?: string; message?: string; code?: unknown };
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
  };
}

export function deserializeError(s: SerializedError): Error {
  if (s.name === 'ImportParseError')
    return new ImportParseError(s.code as ImportParseError['code'], s.line ?? 0, s.column, s.details ?? {});
  const e = new Error(s.message) as Error & { code?: string };
  e.name = s.name;
  if (s.code !== undefined) e.code = s.code;
  return e;
}

/**
 * Per profile column: whether its converted values are always strings or null (text, date, datetime
 * and enum fields). Such a column's repeated values cross to the writer as numbers: each distinct
 * value is sent once (ParsedBatch.dictCols / dictVals, in order) and then as its index in the
 * column's dictionary, so no string is cloned for it on either side (a CIF row's kind, ID type,
 * gender, status, branch, manager, occupation...). The writer (run.ts) puts the same string back
 * before it resolves references and binds the row.
 */
export function dictionaryColumns(profile: ImportProfile): boolean[] {
  const specs = IMPORT_FIELDS[profile.kind];
  return profile.columns.map((c) => {
    const type = specs[c.field]?.type;
    return type === 'text' || type === 'date' || type === 'datetime' || type === 'enum';
  });
}

/**
 * Distinct values a column's dictionary takes; a column with more (an identifier, a name, an
 * address) stops being looked up and its values cross as strings.
 */
export const DICTIONARY_MAX = 4096;

/** Fields the row checks read, per kind (engine/checks.ts): the pipeline needs them free of references. */
const CHECKED_FIELDS: Partial<Record<ImportProfile['kind'], readonly string[]>> = {
  customers: ['mobile', 'id_no', 'id_type'],
  staff: ['mobile'],
  accounts: ['account_no', 'kind'],
};

/** Whether the row checks of this profile can run before its references are resolved. */
export function checksArePure(profile: ImportProfile): boolean {
  const specs = IMPORT_FIELDS[profile.kind];
  const checked = CHECKED_FIELDS[profile.kind] ?? [];
  return !profile.columns.some((c) => checked.includes(c.field) && specs[c.field]?.ref !== undefined);
}

function stateOf(src: OpenedSource): EncodingState {
  return {
    encoding: src.encoding,
    detected: src.detected,
    settled: src.encodingSettled,
    bytesRead: src.bytesRead(),
  };
}

/** Atomics.waitAsync (Node 16+; the TypeScript lib here predates it). Also the pipeline's (pipeline.ts). */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** The thread's work; `post` sends one message (with its transfer list). */
export async function runParseThread(
  input: ParseThreadInput,
  post: (m: ParseMessage, transfer?: ArrayBuffer[]) => void,
): Promise<void> {
  const consumed = new Int32Array(input.room);
  const sent = (m: ParseMessage, transfer?: ArrayBuffer[]) => {
    post(m, transfer);
    Atomics.add(consumed, 1, 1);
    Atomics.notify(consumed, 1);
  };
  let src: OpenedSource | null = null;
  let busy = 0;
  let wait = 0;
  try {
    let t = performance.now();
    const profile = input.profile;
    src = await openSource(input.file, profile, { encoding: input.encoding });
    sent({
      t: 'opened',
      header: src.header,
      dialect: src.dialect,
      format: src.format,
      totalBytes: src.totalBytes,
      state: stateOf(src),
    });
    const used = presentColumns(profile, src.header);
    const { indexes } = resolveColumns(used, src.header);
    const fieldSpecs = IMPORT_FIELDS[profile.kind];
    const convs: Converter[] = used.columns.map((c) => compileConverter(fieldSpecs[c.field]!, c));
    const mappedFields = used.columns.map((c) => c.field);
    const isRef = used.columns.map((c) => fieldSpecs[c.field]!.ref !== undefined);
    const dicts = dictionaryColumns(used).map((d) => (d ? new Map<string, number>() : null));
    const refCols = isRef.flatMap((r, i) => (r ? [i] : []));
    const nCols = convs.length;
    const fixed = profile.format === 'fixed';
    const delimited = profile.format === 'delimited';
    const rowCheck = compileRowCheck(used);
    const nameAt = profile.kind === 'customers' ? mappedFields.indexOf('name') : -1;
    let width: number | undefined;
    const row: Value[] = new Array<Value>(nCols).fill(null);
    const rowRaw: (string | null)[] = new Array<string | null>(nCols).fill(null);
    let produced = 0;
    for await (const batch of src.batches()) {
      const n = batch.length;
      const lines = new Int32Array(n);
      const status = new Int32Array(n).fill(-1);
      const raws = new Array<string>(n);
      const rawBytesAt: number[] = [];
      const rawBytes: Uint8Array[] = [];
      const vals: Value[] = [];
      const dictCols: number[] = [];
      const dictVals: string[] = [];
      const refRaws: (string | null)[] = [];
      const initials: string[] = [];
      const rejects: ParsedReject[] = [];
      for (let r = 0; r < n; r++) {
        const record = batch[r]!;
        lines[r] = record.line;
        raws[r] = record.raw;
        if (record.rawBytes) {
          rawBytesAt.push(r);
          rawBytes.push(record.rawBytes);
        }
        if (record.problem) {
          status[r] = rejects.length;
          rejects.push({
            info: {
              line: record.line,
              column: record.problem.column ?? null,
              field: null,
              value: null,
              reason: record.problem.reason,
            },
            upTo: 0,
            vals: null,
            refRaws: null,
          });
          continue;
        }
        if (delimited) {
          width ??= src.header?.length ?? record.fields.length;
          if (record.fields.length !== width) {
            status[r] = rejects.length;
            rejects.push({
              info: {
                line: record.line,
                column: null,
                field: null,
                value: String(record.fields.length),
                reason: 'field_count',
              },
              upTo: 0,
              vals: null,
              refRaws: null,
            });
            continue;
          }
        }
        // As run.ts's loop, less the references (resolved by the writer).
        let bad: RejectInfo | null = null;
        let upTo = nCols;
        for (let i = 0; i < nCols; i++) {
          const at = indexes[i]!;
          const raw = fixed ? (record.fields[i] ?? '') : at < 0 ? '' : record.fields[at];
          if (raw === undefined) {
            bad = { line: record.line, column: null, field: mappedFields[i]!, value: null, reason: 'field_count' };
            upTo = i;
            break;
          }
          const c = convs[i]!(raw);
          if (!c.ok) {
            const cols = record.cols;
            bad = {
              line: record.line,
              column: fixed ? (cols?.[i] ?? null) : at >= 0 ? (cols?.[at] ?? null) : null,
              field: mappedFields[i]!,
              value: raw,
              reason: c.reason,
            };
            upTo = i;
            break;
          }
          row[i] = c.value;
          if (isRef[i]) rowRaw[i] = raw === c.value ? null : raw;
        }
        if (!bad && rowCheck) {
          const f = rowCheck(row);
          if (f) {
            const at = indexes[f.index]!;
            const cols = record.cols;
            bad = {
              line: record.line,
              column: fixed ? (cols?.[f.index] ?? null) : at >= 0 ? (cols?.[at] ?? null) : null,
              field: mappedFields[f.index]!,
              value: fixed ? (record.fields[f.index] ?? '') : at >= 0 ? (record.fields[at] ?? '') : '',
              reason: f.reason,
            };
          }
        }
        if (bad) {
          status[r] = rejects.length;
          const refsBefore = refCols.some((i) => i < upTo);
          rejects.push({
            info: bad,
            upTo: refsBefore ? upTo : 0,
            vals: refsBefore ? row.slice(0, upTo) : null,
            refRaws: refsBefore ? rowRaw.slice(0, upTo) : null,
          });
          continue;
        }
        for (let i = 0; i < nCols; i++) {
          const v = row[i]!;
          const dict = dicts[i];
          if (dict && typeof v === 'string') {
            let k = dict.get(v);
            if (k === undefined) {
              if (dict.size >= DICTIONARY_MAX) {
                dicts[i] = null; // not a column of repeated values: strings from here on
                vals.push(v);
                continue;
              }
              k = dict.size;
              dict.set(v, k);
              dictCols.push(i);
              dictVals.push(v);
            }
            vals.push(k);
          } else vals.push(v);
        }
        for (const i of refCols) refRaws.push(rowRaw[i]!);
        if (nameAt >= 0) initials.push(initialsOf(String(row[nameAt] ?? '')));
      }
      const now = performance.now();
      busy += now - t;
      sent(
        {
          t: 'batch',
          n,
          lines,
          status,
          raws,
          rawBytesAt,
          rawBytes,
          vals,
          dictCols,
          dictVals,
          refRaws,
          initials,
          rejects,
          state: stateOf(src),
          busyMs: now - t,
        },
        [lines.buffer as ArrayBuffer, status.buffer as ArrayBuffer],
      );
      produced++;
      // Bounded queue: wait while room[2] batches are still with the writer.
      const w0 = performance.now();
      for (
        let seen = Atomics.load(consumed, 0);
        produced - seen >= Atomics.load(consumed, 2);
        seen = Atomics.load(consumed, 0)
      ) {
        const w = waitAsync(consumed, 0, seen);
        if (!w.async) continue;
        // A pending waitAsync does not keep a thread's event loop alive: a timer does meanwhile.
        const alive = setInterval(() => undefined, 60_000);
        try {
          await w.value;
        } finally {
          clearInterval(alive);
        }
      }
      t = performance.now();
      wait += t - w0;
    }
    sent({ t: 'end', state: stateOf(src), busyMs: busy, waitMs: wait });
  } catch (e) {
    sent({ t: 'error', error: serializeError(e) });
  } finally {
    await src?.close().catch(() => undefined);
  }
}
