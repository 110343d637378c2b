/**
 * The writer's side of the import pipeline (issue 18.4): starts the parse thread
 * (engine/parse-thread.ts) for a job and hands its batches to run.ts in file order, acknowledging each
 * one once written so the thread reads at most a few batches ahead.
 *
 * When it is used (pipelineFor): a real import (not a preview's dry run) of a delimited or fixed-width
 * file of at least PIPELINE_MIN_BYTES on a machine with two or more cores. xlsx stays on the job's
 * thread (its cells carry per-row column numbers and exact-number flags; a sheet of a million rows is
 * rare), nor while the machine's cores are already busy (load average). CRM_IMPORT_THREADS=1 keeps
 * every job on one thread, =2 uses the pipeline whenever it can (the bench compares both paths in one
 * run that way); RunOptions.pipeline decides for tests.
 */
import os from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
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
  waitAsync,
} from './parse-thread';

/** Below this a file is read on the job's thread: starting a thread costs more than it saves. */
export const PIPELINE_MIN_BYTES = 4 * 2 ** 20;
/** Batches (of 2000 records) the parse thread may run ahead of the writer. */
const AHEAD = 3;
/**
 * Until the writer takes its first batch (it hashes the whole file first: ~0.5 s for a 1M-row CIF
 * file), the parse thread may run this many batches ahead, so the second core parses meanwhile
 * instead of idling; then the limit drops back to AHEAD (the thread waits until the queue is down to
 * it). At ~1.2 MB a queued customer batch, up to ~40 MB held in the port at the start of a job.
 */
const HEAD_START = 32;
/**
 * The parse thread's young generation: a batch being read and converted is live across scavenges.
 * Measured (200k-row CIF file, loaded box): 16 MB -> the thread's GC 4.3 s, 64 MB -> 0.7 s; peak RSS
 * of a 400k-row journal load 235 MB on one thread, 300 / 321 / 346 MB with 16 / 24 / 64 MB. Again on a
 * quiet box (2026-12-07, same files, pipeline forced): a 1M-row CIF first load 16.5 s at 32 MB (parse
 * thread busy 7.3 s), 15.2-15.6 s at 64 MB (busy 5.1 s; peak RSS 404-414 MB against 360); a 2M-row
 * journal 25.3 s / 327 MB at 32 MB, 22.1 s / 362 MB at 64 MB. Letting it run 8 batches ahead instead
 * of AHEAD saved ~0.5 s more on the CIF file but took the journal to 373 MB, too near its 400 MB target.
 */
const YOUNG_MB = 64;

export function pipelineFor(
  profile: ImportProfile,
  fileBytes: number,
  opts: { pipeline?: boolean; dryRun: boolean },
): boolean {
  if (opts.dryRun || opts.pipeline === false) return false;
  if (profile.format !== 'delimited' && profile.format !== 'fixed') return false;
  if (!checksArePure(profile)) return false;
  if (opts.pipeline === true || process.env.CRM_IMPORT_THREADS === '2') return true;
  if (process.env.CRM_IMPORT_THREADS === '1') return false;
  // A second thread pays only with a core to run on: not on a box whose cores are already busy
  // (measured on the shared 2-core bench box at load 4-5: slower than one thread). Windows reports
  // no load average (0), so there the core count decides.
  const cores = os.availableParallelism();
  return cores >= 2 && fileBytes >= PIPELINE_MIN_BYTES && (os.loadavg()[0] ?? 0) <= cores - 1;
}

type Opened = Extract<ParseMessage, { t: 'opened' }>;

export function startParseThread(file: string, profile: ImportProfile, encoding: Encoding | undefined): ParseThread {
  return new ParseThread(file, profile, encoding);
}

/** The job's view of the parse thread. */
export class ParseThread {
  private readonly worker: Worker;
  private readonly consumed: Int32Array;
  private readonly port: MessagePort;
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private ended = false;
  private stopped = false;
  /** Latest encoding state and bytes read, as of the last batch handed out. */
  state: EncodingState = { encoding: null, detected: null, settled: false, bytesRead: 0 };
  /** The thread's own figures at the end: milliseconds working and waiting for room. */
  busyMs = 0;
  waitMs = 0;
  /** Milliseconds the writer waited for a batch (rows phase only: not for the file to open). */
  writerWaitMs = 0;

  constructor(file: string, profile: ImportProfile, encoding: Encoding | undefined) {
    const room = new SharedArrayBuffer(12);
    this.consumed = new Int32Array(room);
    Atomics.store(this.consumed, 2, HEAD_START);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const input: ParseThreadInput = { file, profile, encoding, room, port: port2 };
    this.worker = new Worker(workerScript('importParseWorker.js', 'jobs/parse-worker-tsx.cjs'), {
      workerData: input,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: YOUNG_MB },
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (!this.ended && !this.stopped) this.fail(new Error(`import parse thread exited (${code})`));
    });
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

  /** The next message, copied into this heap only now; waits (letting events through) while there is none. */
  private async take(timed = true): Promise<ParseMessage> {
    const t = performance.now();
    for (;;) {
      const seen = Atomics.load(this.consumed, 1);
      const r = receiveMessageOnPort(this.port);
      if (r) {
        if (timed) this.writerWaitMs += performance.now() - t;
        const m = r.message as ParseMessage;
        if (m.t === 'error') throw deserializeError(m.error);
        return m;
      }
      if (this.failure) throw this.failure;
      // Woken by the next post, or by the thread's error or exit (fail); a timer keeps this thread's
      // event loop alive meanwhile (a pending waitAsync does not).
      const w = waitAsync(this.consumed, 1, seen);
      if (!w.async) continue;
      const alive = setInterval(() => undefined, 60_000);
      try {
        await Promise.race([
          w.value,
          new Promise<void>((res) => {
            this.waiter = res;
          }),
        ]);
      } finally {
        clearInterval(alive);
        this.waiter = null;
      }
    }
  }

  /** The file opened (header, dialect, encoding): the parse layer's file errors are thrown from here. */
  async opened(): Promise<Opened> {
    const m = await this.take(false);
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

  /** The writer is done with a batch: room for one more (and no more head start). */
  done(): void {
    Atomics.store(this.consumed, 2, AHEAD);
    Atomics.add(this.consumed, 0, 1);
    Atomics.notify(this.consumed, 0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.port.close();
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
