import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread's script: the bundled file beside the main process (out/main/<bundled>, inside
 * app.asar when packaged: Electron initialises asar support in worker threads since v18,
 * electron/electron#33216), or in development and tests the TypeScript source through its tsx
 * bootstrap (`devBootstrap`, relative to main/).
 */
export function workerScript(bundled: string, devBootstrap: string): string {
  // Bundled, this module sits in out/main/chunks or out/main itself.
  for (const p of [path.join(__dirname, bundled), path.join(__dirname, '..', bundled)]) if (existsSync(p)) return p;
  return path.join(__dirname, devBootstrap);
}

export interface WorkerHandlers<M> {
  /** Each message; return true when it is the worker's last word (its result or its failure). */
  message(m: M): boolean | undefined;
  /** The worker threw or could not start. */
  error(e: Error): void;
  /** Exactly once: after the last word, an error or the worker's exit, whichever comes first. */
  end?(): void;
}

/**
 * Starts a one-shot worker thread (512 MB heap at most) on `workerScript(bundled, devBootstrap)` and
 * routes what it reports: the export, the grid's columns and the follow-up steps all run this way.
 */
export function startWorker<M>(
  bundled: string,
  devBootstrap: string,
  workerData: unknown,
  on: WorkerHandlers<M>,
): Worker {
  const worker = new Worker(workerScript(bundled, devBootstrap), {
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    on.end?.();
  };
  worker.on('message', (m: M) => {
    if (on.message(m) === true) end();
  });
  worker.on('error', (e) => {
    on.error(e);
    end();
  });
  worker.on('exit', end);
  return worker;
}
