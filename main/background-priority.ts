import os from 'node:os';

/**
 * The nice value of background worker threads (follow-up steps, the page check of a big store, the
 * refill after an upgrade): the window's requests on the main thread come first on a busy 2-core PC
 * (issue 18.1, the first seconds after start-up and after an import). 10, not 19: the follow-ups hold
 * the store's write lock for their short inserts, and a thread that barely runs would hold it longer.
 */
export const BACKGROUND_NICE = 10;

/** CRM_BACKGROUND_NICE=0 turns the lowering off (the bench's same-run comparison with the way it was). */
function configured(): number {
  const raw = process.env.CRM_BACKGROUND_NICE;
  if (raw === undefined || raw.trim() === '') return BACKGROUND_NICE;
  const v = Number(raw);
  return Number.isInteger(v) && v >= 0 && v <= 19 ? v : BACKGROUND_NICE;
}

/**
 * Lowers the calling thread's CPU priority, on Linux only: there setpriority(PRIO_PROCESS, 0) names the
 * calling thread (threads have their own nice values), so a worker thread can lower itself without the
 * window's thread. On Windows and macOS the same call would lower the whole process (the window too), so
 * nothing is done there. Returns the thread's nice value afterwards, or null when nothing was done.
 */
export function lowerThreadPriority(nice = configured()): number | null {
  if (process.platform !== 'linux' || nice === 0) return null;
  try {
    if (os.getPriority(0) < nice) os.setPriority(0, nice);
    return os.getPriority(0);
  } catch {
    return null; // not allowed (a sandbox): the thread keeps its priority
  }
}
