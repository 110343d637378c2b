/**
 * Runs one export worker in a process of its own so its peak RSS is the export's alone.
 *   node --import tsx test/bench/export-child.ts <input.json>   -> prints {"seconds":..,"peakRssMb":..,"rows":..}
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExportMessage, ExportWorkerInput } from '../../main/exports/worker';

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Omit<ExportWorkerInput, 'cancel'>;
let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const t = performance.now();
const w = new Worker(path.resolve(__dirname, '../../main/exports/worker-tsx.cjs'), {
  workerData: { ...input, cancel: new SharedArrayBuffer(4) },
});
w.on('message', (m: ExportMessage) => {
  if (m.type === 'progress') return;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(
    `${JSON.stringify({ type: m.type, rows: m.type === 'done' ? m.rows : 0, seconds: (performance.now() - t) / 1000, peakRssMb: Math.round(peak / 2 ** 20) })}\n`,
  );
  void w.terminate().then(() => process.exit(m.type === 'done' ? 0 : 1));
});
