/**
 * What the benchmarks share: percentiles, their one-line summary, and demo users signed in through the
 * registry with a timer for their calls (the API as the window calls it).
 */
import type { Database } from 'better-sqlite3';
import { DEMO_PASSWORD } from '../../db/demo';
import { freshColumns } from '../../db/customer-columns';
import type { createRegistry } from '../../main/registry';
import type { Input, MethodName } from '../../shared/api';

/**
 * The p-th percentile by nearest rank: the smallest sample with at least p% of the samples at or below
 * it (the 19th of 20 for p95). Before 2026-12-07 this took the sample after it whenever p% of n was a
 * whole number, so a p95 of 20 samples was their largest.
 */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (n=${xs.length})`;

type Registry = ReturnType<typeof createRegistry>;

/** Signs the demo users in; `timed(who, method, input)` returns the call's milliseconds and throws on an error result. */
export async function signedIn(registry: Registry, users: readonly string[]) {
  const sessions: Record<string, string> = {};
  for (const u of users) {
    const r = await registry.dispatch(
      { method: 'auth.signIn', input: { username: u, password: DEMO_PASSWORD } },
      { adapter: 'test' },
    );
    if (!r.ok) throw new Error(`sign-in of ${u} failed: ${JSON.stringify(r.error)}`);
    sessions[u] = (r.value as { session: string }).session;
  }
  const timed = async <M extends MethodName>(who: string, method: M, input: Input<M>): Promise<number> => {
    const t = performance.now();
    const r = await registry.dispatch({ method, input, session: sessions[who]! }, { adapter: 'test' });
    const ms = performance.now() - t;
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return ms;
  };
  return { sessions, timed };
}

/**
 * Waits until the app's in-memory columns are built (books of 50,000 customers and more get them after
 * start-up; until then the SQL path answers, with a worker busy building). Benches measure the app as
 * it runs once built, and print how long that took.
 */
export async function columnsReady(db: Database, print: (s: string) => void): Promise<void> {
  const n = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
  if (n < 50_000) return;
  const t0 = performance.now();
  while (!freshColumns(db)) {
    if (performance.now() - t0 > 300_000) throw new Error('columns not built in 5 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  print(
    `  (in-memory columns built ${((performance.now() - t0) / 1000).toFixed(1)} s after start-up; measured from then on)`,
  );
}
