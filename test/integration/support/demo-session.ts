import { DEMO_PASSWORD } from '../../../db/demo';
import type { CallResult } from '../../../shared/errors';
import type { Registry } from '../../../main/registry';

/** Signs a demo user in through the registry (the demo password) and returns the session token. */
export async function demoSignIn(registry: Registry, username: string): Promise<string> {
  const r = (await registry.dispatch(
    { method: 'auth.signIn', input: { username, password: DEMO_PASSWORD } },
    { adapter: 'test' },
  )) as CallResult<{ session: string }>;
  if (!r.ok) throw new Error(`sign-in of ${username}: ${JSON.stringify(r.error)}`);
  return r.value.session;
}
