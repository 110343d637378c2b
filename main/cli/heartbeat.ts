/**
 * Progress lines for long command-line jobs whose steps block the main thread for minutes (one SQL
 * statement building an index over 20M rows, the integrity check of a 5 GB store): a timer on the main
 * thread cannot fire then, so a small worker thread watches a shared buffer and, when no line has been
 * written for `quietMs`, writes "still working" with the time spent on the step straight to the file
 * descriptor (fs.writeSync: no trip through the blocked main thread's stream).
 *
 * The main thread calls `line(text)` for its own progress lines (written at once, and remembered as the
 * step the heartbeat repeats) and `stop()` at the end. On stderr (the default) those lines go through
 * process.stderr.write, the main thread's own stream, so whoever holds it sees them as they are written
 * (the in-process runner of the tests, test/support/cli.ts). Node writes stderr synchronously to files and
 * pipes (a scheduled task's log), and to terminals on Linux, so they keep their order with the watcher's
 * lines. Another `fd` takes both directly.
 */
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const TEXT_BYTES = 2048;
// Int32 slots: 0 = text length, 1 = when the last line was written, 2 = when the last progress line was, 3 = stop
// (times in ms since the heartbeat started).
const SLOTS = 4;

const WORKER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { sab, fd, quietMs, t0, still, seconds, minutes } = workerData;
const meta = new Int32Array(sab, 0, ${SLOTS});
const text = new Uint8Array(sab, ${SLOTS * 4});
const dec = new TextDecoder();
const secs = (ms) => { const s = Math.round(ms / 1000); return s < 60 ? seconds.replace('{{s}}', s) : minutes.replace('{{m}}', Math.floor(s / 60)).replace('{{s}}', s % 60); };
function tick() {
  if (Atomics.load(meta, 3) === 1) return;
  const now = Date.now() - t0;
  const last = Atomics.load(meta, 1);
  if (now - last >= quietMs) {
    const len = Atomics.load(meta, 0);
    const step = Atomics.load(meta, 2);
    if (len > 0) {
      const line = dec.decode(text.slice(0, len));
      try { writeSync(fd, line + ' ' + still.replace('{t}', secs(now - step)) + '\\n'); } catch (e) {}
      Atomics.store(meta, 1, now);
    }
  }
  setTimeout(tick, 500);
}
setTimeout(tick, 500);
`;

export interface Heartbeat {
  /** Writes a progress line now (and restarts the clock of "no news for …"). */
  line(text: string): void;
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  /** File descriptor to write to (2: stderr). */
  fd?: number;
  /** Silence after which "still working" is written (default 5 s). */
  quietMs?: number;
  /** What is added to the repeated line; `{t}` is the time since the last progress line. */
  still?: string;
  /** How `{t}` is worded: under a minute (`{{s}}` seconds) and from a minute (`{{m}}` and `{{s}}`). */
  time?: { seconds: string; minutes: string };
}

export function startHeartbeat(opts: HeartbeatOptions = {}): Heartbeat {
  const fd = opts.fd ?? 2;
  const write = fd === 2 ? (s: string) => void process.stderr.write(s) : (s: string) => void writeSync(fd, s);
  const sab = new SharedArrayBuffer(SLOTS * 4 + TEXT_BYTES);
  const meta = new Int32Array(sab, 0, SLOTS);
  const text = new Uint8Array(sab, SLOTS * 4);
  const t0 = Date.now();
  const enc = new TextEncoder();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      sab,
      fd,
      quietMs: opts.quietMs ?? 5000,
      t0,
      still: opts.still ?? '- still working, {t} since the last figure',
      seconds: opts.time?.seconds ?? '{{s}} s',
      minutes: opts.time?.minutes ?? '{{m}} min {{s}} s',
    },
  });
  worker.unref();
  return {
    line(s) {
      const now = Date.now() - t0;
      write(`${s}\n`);
      const bytes = enc.encode(s).subarray(0, TEXT_BYTES);
      // Length 0 while the text changes: the watcher skips a tick rather than read half a line.
      Atomics.store(meta, 0, 0);
      text.set(bytes);
      Atomics.store(meta, 2, now);
      Atomics.store(meta, 1, now);
      Atomics.store(meta, 0, bytes.length);
    },
    async stop() {
      Atomics.store(meta, 3, 1);
      await worker.terminate();
    },
  };
}
