import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../../main/cli/heartbeat';
import { progressPrinter } from '../../../main/cli/demo';
import { stillWorking } from '../../../main/cli/i18n';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Blocks this thread as one long SQL statement would: no timer of ours can fire meanwhile. */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

describe('progress lines for long CLI jobs', () => {
  it('keep coming while the main thread is blocked, repeating the last step with the time since it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-heartbeat-'));
    dirs.push(dir);
    const file = path.join(dir, 'progress.log');
    const fd = openSync(file, 'w');
    const beat = startHeartbeat({ fd, quietMs: 300 });
    // The watcher thread needs a moment to start before the block (as the real jobs give it).
    await new Promise((r) => setTimeout(r, 300));
    beat.line('demo: reporting 20.0% (1/5)');
    block(1600);
    beat.line('demo: reporting 40.0% (2/5)');
    await beat.stop();
    closeSync(fd);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('demo: reporting 20.0% (1/5)');
    expect(lines.at(-1)).toBe('demo: reporting 40.0% (2/5)');
    const still = lines.slice(1, -1);
    expect(still.length).toBeGreaterThanOrEqual(2);
    for (const l of still)
      expect(l).toMatch(/^demo: reporting 20\.0% \(1\/5\) - still working, \d+ s since the last figure$/);
  });

  it("in the command's language: the 'still working' words and the time (main/cli/i18n.ts)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-heartbeat-'));
    dirs.push(dir);
    const file = path.join(dir, 'progress.log');
    const fd = openSync(file, 'w');
    const beat = startHeartbeat({ fd, quietMs: 300, ...stillWorking('zh-CN') });
    await new Promise((r) => setTimeout(r, 300));
    beat.line('check：1/2 完整性 20%');
    block(1200);
    await beat.stop();
    closeSync(fd);
    const still = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    expect(still.length).toBeGreaterThanOrEqual(1);
    for (const l of still) expect(l).toMatch(/^check：1\/2 完整性 20% ——仍在进行，距上一个数字已 \d+ 秒$/);
  });

  it('the demo printer says when a phase starts and ends, and estimates what is left in between', () => {
    let now = 0;
    const lines: string[] = [];
    const print = progressPrinter(
      (l) => lines.push(l),
      () => now,
    );
    print({ phase: 'indexes', done: 0, total: 4 });
    now = 500;
    print({ phase: 'indexes', done: 1, total: 4 }); // under a second since the last line: quiet
    now = 2000;
    print({ phase: 'indexes', done: 2, total: 4 });
    now = 4000;
    print({ phase: 'indexes', done: 4, total: 4 });
    now = 4100;
    print({ phase: 'reporting', done: 0, total: 10 });
    expect(lines).toEqual([
      'demo: indexes 0.0% (0/4)',
      'demo: indexes 50.0% (2/4), about 2 s left',
      'demo: indexes 100.0% (4/4), 4 s',
      'demo: reporting 0.0% (0/10)',
    ]);
  });
});
