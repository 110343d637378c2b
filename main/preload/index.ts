/**
 * The sandboxed preload: exposes exactly one object, `window.crm`, implementing CrmClient over the single
 * 'crm:call' channel. Nothing else crosses into the page: no ipcRenderer, no generic invoke(channel),
 * no Node. If the page is ever compromised, the worst it can do is make calls the registry would accept
 * from the signed-in user anyway, and the registry checks permission on each of them.
 *
 * Imports from shared/ are type-only (erased), so the bundle is this file plus the channel constant;
 * a sandboxed preload may require() nothing but 'electron' (electron.vite.config.ts bundles the rest).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { CallEnvelope, CrmClient } from '../../shared/api';
import type { CallResult } from '../../shared/errors';
import { CRM_CALL_CHANNEL } from '../ipc/channel';

// The renderer hands the session over after sign-in (and again after a reload, from sessionStorage);
// the preload attaches it to every call so the page never builds an envelope itself.
let session: string | null = null;

/** The bridge answers every call with a CallResult; anything else means the message never arrived. */
function transportFailure(): CallResult<never> {
  return { ok: false, error: { code: 'INTERNAL', details: { reason: 'ipc_transport' } } };
}

const client: CrmClient = {
  mode: 'electron',
  call(method, input) {
    const envelope: CallEnvelope = { method, input, session };
    // invoke() rejects when the input cannot be structured-cloned (a function, a DOM node) or the main
    // process is gone; turn that into a value so callers handle one shape only.
    return ipcRenderer.invoke(CRM_CALL_CHANNEL, envelope).catch(transportFailure);
  },
  setSession(next) {
    session = typeof next === 'string' && next.length > 0 ? next : null;
  },
};

contextBridge.exposeInMainWorld('crm', client);
