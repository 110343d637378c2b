/**
 * The IPC adapter: one invoke channel in front of the registry. Only *types* come from 'electron', and
 * ipcMain is passed in, so the whole adapter runs under vitest with fakes (test/unit/app/bridge.test.ts).
 *
 * Order of checks, cheapest and most fundamental first:
 *   1. who is calling (our window's main frame, showing our page) -> FORBIDDEN otherwise;
 *   2. is the envelope well-formed -> VALIDATION otherwise;
 *   3. registry.dispatch: method exists, input schema, session, permission, handler.
 * Every outcome is a CallResult value: a thrown error would reach the renderer as an Error whose message
 * Electron prefixes and mangles, and might carry text we never meant to show.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { CallResult } from '../../shared/errors';
import { isTrustedSender, type SenderFrameInfo } from '../app/policy';
import { log } from '../log';
import type { Registry } from '../registry';
import { CRM_CALL_CHANNEL } from './channel';
import { checkEnvelope } from './envelope';

export interface BridgeOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  registry: Pick<Registry, 'dispatch'>;
  /** The page our window loads; calls from any other document are refused. */
  appUrl: string;
  /** True when `contents` is the main window's webContents (and not, say, a devtools window). */
  isAppWebContents: (contents: WebContents) => boolean;
}

type Refusal = 'no_frame' | 'frame_disposed' | 'sub_frame' | 'other_window' | 'other_document';

/**
 * Reads what the trust decision needs from the event. WebFrameMain getters throw once the frame is
 * disposed (the page navigated between send and handle), so any throw means "not trusted".
 */
export function senderInfo(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  isAppWebContents: BridgeOptions['isAppWebContents'],
): SenderFrameInfo | Refusal {
  const frame = event.senderFrame;
  if (!frame) return 'no_frame';
  try {
    return { url: frame.url, isMainFrame: frame.parent === null, fromAppWindow: isAppWebContents(event.sender) };
  } catch {
    return 'frame_disposed';
  }
}

function refusalReason(info: SenderFrameInfo): Refusal {
  if (!info.isMainFrame) return 'sub_frame';
  if (!info.fromAppWindow) return 'other_window';
  return 'other_document';
}

function origin(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? 'file:' : u.origin;
  } catch {
    return 'unparseable';
  }
}

const FORBIDDEN: CallResult<never> = { ok: false, error: { code: 'FORBIDDEN' } };

/** One call, start to finish. Exported for tests; registerBridge wires it to the channel. */
export async function handleCall(
  opts: BridgeOptions,
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  raw: unknown,
): Promise<CallResult<unknown>> {
  const info = senderInfo(event, opts.isAppWebContents);
  if (typeof info === 'string') {
    log.warn('ipc: refused sender', { reason: info });
    return FORBIDDEN;
  }
  if (!isTrustedSender(info, opts.appUrl)) {
    // Log the origin only: the full URL of a hostile frame is attacker-chosen text.
    log.warn('ipc: refused sender', { reason: refusalReason(info), origin: origin(info.url) });
    return FORBIDDEN;
  }

  const checked = checkEnvelope(raw);
  if (!checked.ok) {
    log.warn('ipc: malformed envelope', { reason: checked.reason });
    return { ok: false, error: { code: 'VALIDATION', details: { reason: `envelope_${checked.reason}` } } };
  }

  try {
    return await opts.registry.dispatch(checked.envelope, { adapter: 'ipc' });
  } catch (err) {
    // dispatch promises never to throw; if it does anyway, the stack stays here and the renderer gets a code.
    log.error('ipc: dispatch threw', {
      method: checked.envelope.method,
      error: err instanceof Error ? err.stack : String(err),
    });
    return { ok: false, error: { code: 'INTERNAL' } };
  }
}

/** Registers the channel; returns an unregister function (used on quit and by tests). */
export function registerBridge(opts: BridgeOptions): () => void {
  opts.ipcMain.handle(CRM_CALL_CHANNEL, (event, raw: unknown) => handleCall(opts, event, raw));
  return () => opts.ipcMain.removeHandler(CRM_CALL_CHANNEL);
}
