import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { activityCells, noteCall, quietFor, waitForQuietSync } from '../../../main/activity';

/** Runs lowerThreadPriority() in a worker thread and returns what it reported. */
function lowerInWorker(): Promise<{ result: number | null; own: number }> {
  const file = path.resolve(__dirname, '../../../main/background-priority.ts');
  const code = `
    require('tsx/cjs/api').register();
    const { parentPort } = require('node:worker_threads');
    const os = require('node:os');
    const { lowerThreadPriority } = require(${JSON.stringify(file)});
    const result = lowerThreadPriority();
    parentPort.postMessage({ result, own: os.getPriority(0) });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, env: { ...process.env, CRM_BACKGROUND_NICE: '' } });
    w.once('message', (m) => {
      resolve(m as { result: number | null; own: number });
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('background work gives way to the window (issue 18.1)', () => {
  it('a worker thread lowers its own priority on Linux, never the window thread’s', async () => {
    const before = os.getPriority(0);
    const got = await lowerInWorker();
    if (process.platform === 'linux') {
      expect(got.result).toBeGreaterThanOrEqual(10);
      expect(got.own).toBe(got.result);
    } else expect(got.result).toBeNull();
    // This thread (the window's in the app) keeps its priority.
    expect(os.getPriority(0)).toBe(before);
  });

  it('a call in flight is activity; quiet is measured from the end of the last call', () => {
    const cells = new SharedArrayBuffer(16);
    expect(quietFor(cells)).toBe(Number.POSITIVE_INFINITY); // never asked
    const end = noteCall(cells);
    const inner = noteCall(cells);
    expect(quietFor(cells)).toBe(0);
    inner();
    inner(); // ending twice counts once
    expect(quietFor(cells)).toBe(0); // the other call is still in flight
    end();
    const q = quietFor(cells);
    expect(q).toBeGreaterThanOrEqual(0);
    expect(q).toBeLessThan(60_000);
    expect(activityCells()).toBeInstanceOf(SharedArrayBuffer);
  });

  it('waitForQuietSync returns at once when quiet and gives up after its maximum while a call runs', () => {
    const cells = new SharedArrayBuffer(16);
    expect(waitForQuietSync(cells, 500, 10_000)).toBeLessThan(500); // never asked: quiet
    const end = noteCall(cells);
    const waited = waitForQuietSync(cells, 500, 300);
    expect(waited).toBeGreaterThanOrEqual(300); // the call never ended: the maximum
    end();
  });
});
