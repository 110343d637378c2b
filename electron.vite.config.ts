import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** The store's SQL migrations are read from disk at start-up; ship them beside the main bundle. */
function copyMigrations(): Plugin {
  return {
    name: 'crm-copy-migrations',
    closeBundle() {
      cpSync(resolve(__dirname, 'db/migrations'), resolve(__dirname, 'out/main/migrations'), { recursive: true });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [copyMigrations()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // Electron main process
          index: resolve(__dirname, 'main/index.ts'),
          // Browser mode: the same services behind a loopback HTTP host, run with plain Node
          host: resolve(__dirname, 'main/host/index.ts'),
          // Command line: demo seeding, unattended jobs
          cli: resolve(__dirname, 'main/cli/index.ts'),
          // Import jobs run in a worker thread, off the main event loop
          importWorker: resolve(__dirname, 'main/jobs/worker.ts'),
          // ...and read and convert a big file on a second thread while that worker writes (issue 18.4)
          importParseWorker: resolve(__dirname, 'main/jobs/parse-worker.ts'),
          // Excel/CSV exports stream in a worker thread too
          exportWorker: resolve(__dirname, 'main/exports/worker.ts'),
          // The customer grid's in-memory columns are read in a worker as well
          columnsWorker: resolve(__dirname, 'main/grid/columns-worker.ts'),
          // Reminders and opportunity rules after imports, for big books
          afterImportWorker: resolve(__dirname, 'main/jobs/after-import-worker.ts'),
          // Reads every page of a big store once after start-up (encrypted pages authenticate as read)
          storeVerifyWorker: resolve(__dirname, 'main/store-verify-worker.ts'),
          // The model lab trains and scores in a worker thread (main/lab/worker.ts)
          labWorker: resolve(__dirname, 'main/lab/worker.ts'),
          // A store upgrade (check, backup, migrations) and the refill after it, off the main thread
          upgradeWorker: resolve(__dirname, 'main/upgrade/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() anything but 'electron': bundle everything else.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'main/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      minify: true,
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});
