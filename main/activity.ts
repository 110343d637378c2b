/**
 * Whether the window is asking for something (issue 18.1): the registry notes each call, and the
 * background work that would compete with it (the follow-up steps after start-up and imports) waits for
 * a quiet moment before it starts and between its steps. Shared memory, so a worker thread reads the
 * same cells without a message: [0] calls in flight (int32), [1] when the last one ended (ms since the
 * epoch, int64 at byte 8).
 */
const shared = new SharedArrayBuffer(16);

/** How long the window must have asked for nothing before deferred background work starts or goes on. */
export const QUIET_MS = 750;

export type ActivityCells = SharedArrayBuffer;

/** The cells to hand to a worker (workerData). */
export function activityCells(): ActivityCells {
  return shared;
}

/** Around each call (main/registry.ts): returns the function that notes its end. */
export function noteCall(cells: ActivityCells = shared): () => void {
  const inFlight = new Int32Array(cells, 0, 1);
  Atomics.add(inFlight, 0, 1);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    Atomics.store(new BigInt64Array(cells, 8, 1), 0, BigInt(Date.now()));
    Atomics.sub(inFlight, 0, 1);
  };
}

/** Milliseconds since the window last asked for something (0 while a call is in flight). */
export function quietFor(cells: ActivityCells = shared): number {
  if (Atomics.load(new Int32Array(cells, 0, 1), 0) > 0) return 0;
  const last = Number(Atomics.load(new BigInt64Array(cells, 8, 1), 0));
  return last === 0 ? Number.POSITIVE_INFINITY : Math.max(0, Date.now() - last);
}

/**
 * Blocks this (worker) thread until the window has been quiet for `quietMs`, for `maxMs` at most;
 * returns how long it waited. Only for worker threads: the main thread must never block.
 */
export function waitForQuietSync(cells: ActivityCells, quietMs: number, maxMs: number): number {
  const t0 = Date.now();
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const q = quietFor(cells);
    const waited = Date.now() - t0;
    if (q >= quietMs || waited >= maxMs) return waited;
    Atomics.wait(sleeper, 0, 0, Math.min(quietMs - q, maxMs - waited, 250));
  }
}

/** The main thread's wait: resolves once quiet for `quietMs` or after `maxMs`, whichever is first. */
export async function quietMoment(quietMs: number, maxMs: number, cells: ActivityCells = shared): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const q = quietFor(cells);
    const waited = Date.now() - t0;
    if (q >= quietMs || waited >= maxMs) return waited;
    await new Promise((r) => setTimeout(r, Math.min(quietMs - q, maxMs - waited, 250)));
  }
}
