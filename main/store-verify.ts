/**
 * The background page check of a big store (main/store-verify-worker.ts), started after open when the
 * store skipped the full check there. Damage found quarantines the store through `onDamage`.
 */
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { log } from './log';
import type { VerifyMessage } from './store-verify-worker';
import { startWorker } from './workers';

export function verifyInBackground(
  dbPath: string,
  fullCheckMaxBytes: number,
  onDamage: (sqlite: string) => void,
  /** Start this much later (issue 18.1: minutes of page reads stay out of the window's first seconds). */
  delayMs = 0,
): { terminate(): Promise<unknown> } | null {
  let size = 0;
  try {
    size = statSync(dbPath).size;
  } catch {
    return null;
  }
  if (size <= fullCheckMaxBytes) return null;
  if (delayMs <= 0) return startVerify(dbPath, size, onDamage);
  let worker: Worker | null = null;
  let stopped = false;
  const timer = setTimeout(() => {
    if (!stopped) worker = startVerify(dbPath, size, onDamage);
  }, delayMs);
  timer.unref();
  return {
    terminate: async () => {
      stopped = true;
      clearTimeout(timer);
      return worker?.terminate();
    },
  };
}

function startVerify(dbPath: string, size: number, onDamage: (sqlite: string) => void): Worker {
  return startWorker<VerifyMessage>(
    'storeVerifyWorker.js',
    'store-verify-worker-tsx.cjs',
    { dbPath },
    {
      message: (m) => {
        if (m.type === 'failed') log.warn('store pages not verified', { reason: m.message.slice(0, 200) });
        else if (m.ok) log.info('store pages verified', { mb: Math.round(size / 2 ** 20), ms: m.ms });
        else {
          log.error('store pages failed verification', { sqlite: m.sqlite, problems: m.problems });
          onDamage(m.sqlite);
        }
        return true;
      },
      error: (e) => log.warn('store verification worker failed', { error: e.message }),
    },
  );
}
