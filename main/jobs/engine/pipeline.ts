/**
 * The writer's side of the import pipeline (issue 18.4): starts the parse thread
 * (engine/parse-thread.ts) for a job and hands its batches to run.ts in file order, acknowledging each
 * one once written so the thread reads at most a few batches ahead.
 *
 * When it is used (pipelineFor): a real import (not a preview's dry run) of a delimited or fixed-width
 * file of at least PIPELINE_MIN_BYTES on a machine with two or more cores. xlsx stays on the job's
 * thread (its cells carry per-row column numbers and exact-number flags; a sheet of a million rows is
 * rare). The environment variable CRM_IMPORT_THREADS=1 keeps every job on one thread (the bench
 * compares both paths in one run that way); RunOptions.pipeline decides for tests.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Encoding, ImportProfile } from '../../../shared/imports';
import type { OpenedSource } from '../parse/source';
import { workerScript } from '../../workers';
import {
  checksArePure,
  deserializeError,
  type EncodingState,
  type ParseMessage,
  type ParsedBatch,
  type ParseThreadInput,
} from './parse-thread';

/** Below this a file is read on the job's thread: starting a thread costs more than it saves. */
export const PIPELINE_MIN_BYTES = 4 * 2 ** 20;
/** Batches (of 2000 records) the parse thread may run ahead of the writer. */
const AHEAD = 3;
/**
 * The parse thread's young generation: a batch being read and converted is live across scavenges.
 * Measured (200k-row CIF file, loaded box): 16 MB -> the thread's GC 4.3 s, 64 MB -> 0.7 s; peak RSS
 * of a 400k-row journal load 235 MB on one thread, 300 / 321 / 346 MB with 16 / 24 / 64 MB.
 */
const YOUNG_MB = 32;

export function pipelineFor(
  profile: ImportProfile,
  fileBytes: number,
  opts: { pipeline?: boolean; dryRun: boolean },
): boolean {
  if (opts.dryRun || opts.pipeline === false) return false;
  if (profile.format !== 'delimited' && profile.format !== 'fixed') return false;
  if (!checksArePure(profile)) return false;
  if (opts.pipeline === true) return true;
  if (process.env.CRM_IMPORT_THREADS === '1') return false;
  return os.availableParallelism() >= 2 && fileBytes >= PIPELINE_MIN_BYTES;
}

type Opened = Extract<ParseMessage, { t: 'opened' }>;

export function startParseThread(file: string, profile: ImportProfile, encoding: Encoding | undefined): ParseThread {
  return new ParseThread(file, profile, encoding);
}

/** The job's view of the parse thread. */
export class ParseThread {
  private readonly worker: Worker;
  private readonly consumed: Int32Array;
  private readonly queue: ParseMessage[] = [];
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private ended = false;
  private stopped = false;
  /** Latest encoding state and bytes read, as of the last batch handed out. */
  state: EncodingState = { encoding: null, detected: null, settled: false, bytesRead: 0 };
  /** The thread's own figures at the end: milliseconds working and waiting for room. */
  busyMs = 0;
  waitMs = 0;
  /** Milliseconds the writer waited for a batch. */
  writerWaitMs = 0;

  constructor(file: string, profile: ImportProfile, encoding: Encoding | undefined) {
    const room = new SharedArrayBuffer(4);
    this.consumed = new Int32Array(room);
    const input: ParseThreadInput = { file, profile, encoding, room, ahead: AHEAD };
    this.worker = new Worker(workerScript('importParseWorker.js', 'jobs/parse-worker-tsx.cjs'), {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: YOUNG_MB },
    });
    this.worker.on('message', (m: ParseMessage) => this.push(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (!this.ended && !this.stopped) this.fail(new Error(`import parse thread exited (${code})`));
    });
  }

  private push(m: ParseMessage): void {
    this.queue.push(m);
    this.wake();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async take(): Promise<ParseMessage> {
    const t = performance.now();
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
    this.writerWaitMs += performance.now() - t;
    const m = this.queue.shift()!;
    if (m.t === 'error') throw deserializeError(m.error);
    return m;
  }

  /** The file opened (header, dialect, encoding): the parse layer's file errors are thrown from here. */
  async opened(): Promise<Opened> {
    const m = await this.take();
    if (m.t !== 'opened') throw new Error(`import parse thread: unexpected ${m.t}`);
    this.state = m.state;
    return m;
  }

  /** The next batch in file order, or null at the end; a file error found mid-way is thrown here. */
  async next(): Promise<ParsedBatch | null> {
    const m = await this.take();
    this.state = m.t === 'batch' || m.t === 'end' ? m.state : this.state;
    if (m.t === 'end') {
      this.ended = true;
      this.busyMs = m.busyMs;
      this.waitMs = m.waitMs;
      return null;
    }
    if (m.t !== 'batch') throw new Error(`import parse thread: unexpected ${m.t}`);
    return m;
  }

  /** The writer is done with a batch: room for one more. */
  done(): void {
    Atomics.add(this.consumed, 0, 1);
    Atomics.notify(this.consumed, 0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.worker.terminate();
  }

  /** An OpenedSource for the rest of the job (rejects file, ledger, progress), kept current per batch. */
  source(o: Opened): OpenedSource {
    const self = this;
    return {
      format: o.format,
      get encoding() {
        return self.state.encoding;
      },
      get detected() {
        return self.state.detected;
      },
      get encodingSettled() {
        return self.state.settled;
      },
      header: o.header,
      dialect: o.dialect,
      sheet: null,
      totalBytes: o.totalBytes,
      bytesRead: () => self.state.bytesRead,
      close: () => self.stop(),
      batches: () => {
        throw new Error('read through the parse thread');
      },
    };
  }
}
