/**
 * Shape check for what arrives on the IPC channel, before the registry sees it (pure; no 'electron').
 * The registry validates `input` against the method's zod schema; this only makes sure the envelope
 * itself is what the preload sends, so a malformed message is refused cheaply and never logged in full.
 */
import type { CallEnvelope } from '../../shared/api';

/** Method names are `domain.verbNoun`; anything longer than this is not one of ours. */
const MAX_METHOD_LENGTH = 100;
/** Session tokens are short random strings; a megabyte "session" is an attack or a bug. */
const MAX_SESSION_LENGTH = 512;

export type EnvelopeCheck = { ok: true; envelope: CallEnvelope } | { ok: false; reason: string };

export function checkEnvelope(raw: unknown): EnvelopeCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not_object' };
  const r = raw as Record<string, unknown>;
  const { method, session } = r;
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH) {
    return { ok: false, reason: 'method' };
  }
  if (session !== undefined && session !== null && typeof session !== 'string') return { ok: false, reason: 'session' };
  if (typeof session === 'string' && session.length > MAX_SESSION_LENGTH) return { ok: false, reason: 'session' };
  // Rebuild rather than pass `raw` on: only the three known fields reach the registry.
  return { ok: true, envelope: { method, input: r.input, session: typeof session === 'string' ? session : null } };
}
