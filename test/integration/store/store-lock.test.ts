/**
 * Issue 19.8: browser mode started two hosts on one store without a word. The app and the host take
 * the store's lock; a second one is refused while the first lives, a dead owner's lock is taken over.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../../main/services';
import { tempDir } from '../support/store';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir('crm-lock-');
});
afterEach(() => t.cleanup());

describe('one workstation process per store', () => {
  it('refuses a second host on the same store, naming the holder, and frees the store on close', async () => {
    const dbPath = path.join(t.dir, 'crm.db');
    const first = await createServices({ dbPath, mode: 'browser', exclusive: true });
    try {
      await expect(createServices({ dbPath, mode: 'browser', exclusive: true })).rejects.toMatchObject({
        code: 'STORE_IN_USE',
        details: { pid: process.pid, mode: 'browser' },
      });
    } finally {
      await first.close();
    }
    expect(existsSync(`${dbPath}.lock`)).toBe(false);
    const again = await createServices({ dbPath, mode: 'browser', exclusive: true });
    await again.close();
  });

  it('takes over the lock of a process that is gone (a crash or kill -9)', async () => {
    const dbPath = path.join(t.dir, 'crm.db');
    // A process id that certainly exited: a child that has already finished.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(
      `${dbPath}.lock`,
      JSON.stringify({ pid: dead, host: os.hostname(), mode: 'browser', since: '2026-12-01T00:00:00Z' }),
    );
    const s = await createServices({ dbPath, mode: 'browser', exclusive: true });
    await s.close();
  });
});
