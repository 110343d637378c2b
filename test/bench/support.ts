/**
 * What the benchmarks share: percentiles, their one-line summary, and demo users signed in through the
 * registry with a timer for their calls (the API as the window calls it).
 */
import { DEMO_PASSWORD } from '../../db/demo';
import type { createRegistry } from '../../main/registry';
import type { Input, MethodName } from '../../shared/api';

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (n=${xs.length})`;

type Registry = ReturnType<typeof createRegistry>;

/** Signs the demo users in; `timed(who, method, input)` returns the call's milliseconds and throws on an error result. */
export async function signedIn(registry: Registry, users: readonly string[]) {
  const sessions: Record<string, string> = {};
  for (const u of users) {
    const r = await registry.dispatch({ method: 'auth.signIn', input: { username: u, password: DEMO_PASSWORD } }, { adapter: 'test' });
    if (!r.ok) throw new Error(`sign-in of ${u} failed`);
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
