import { existsSync } from 'node:fs';
import path from 'node:path';

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
