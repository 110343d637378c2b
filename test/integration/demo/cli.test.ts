import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../db/open';
import { runDemoCommand } from '../../../main/cli/demo';
import { openExistingStore } from '../../../main/store-key';
import { storeFormat } from '../../../db/cipher';

const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out: string[];
let err: string[];
beforeEach(() => {
  // the default language is zh-CN unless CRM_LANG says otherwise: not the developer's own setting
  vi.stubEnv('CRM_LANG', '');
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const customersIn = (file: string): number => {
  const db = openExistingStore(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) n FROM customers').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('crm demo', () => {
  const file = path.join(dir, 'sub', 'demo.db');

  it('creates a store and prints one summary line', async () => {
    expect(await runDemoCommand(['--customers', '120', '--db', file, '--seed', '5', '--lang', 'en'])).toBe(0);
    // The WAL was folded back into the main file: one file to copy around.
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(customersIn(file)).toBe(120);
    // Encrypted at rest, like every app store (its key beside it).
    expect(storeFormat(file)).toBe('encrypted');
    expect(out.join('')).toMatch(
      /^demo store ready: .*120 customers.*\ndemo extracts written to .*inbox: branches\.csv, .*transactions\.dat\n$/,
    );
    expect(out.join('')).toMatch(/ \| [\d.]+ s \| sign in as manager1 \/ /);
    expect(out.join('')).toContain('Demo@2026');
    // The branch as nightly extract files, in the store's import folder, to try the import path.
    for (const f of ['customers.csv', 'transactions.dat', 'wealth_holdings.xlsx'])
      expect(existsSync(path.join(path.dirname(file), 'inbox', f))).toBe(true);
  });

  it('writes no extracts with --no-extracts', async () => {
    const other = path.join(path.dirname(file), 'sub', 'no-extracts.db');
    expect(await runDemoCommand(['--customers', '50', '--db', other, '--no-extracts'])).toBe(0);
    expect(existsSync(path.join(path.dirname(other), 'inbox'))).toBe(false);
  });

  it('reuses a store that already holds customers', async () => {
    expect(await runDemoCommand(['--customers', '300', '--db', file])).toBe(0);
    expect(out.join('')).toMatch(/^沿用演示数据库：.* 已有 120 位客户（加 --fresh 重新生成）\n$/);
    out.length = 0;
    expect(await runDemoCommand(['--customers', '300', '--db', file, '--lang=en'])).toBe(0);
    expect(out.join('')).toMatch(
      /^demo store reused: .* already holds 120 customers \(pass --fresh to regenerate\)\n$/,
    );
    expect(customersIn(file)).toBe(120);
  });

  it('regenerates with --fresh', async () => {
    expect(await runDemoCommand(['--customers', '150', '--db', file, '--fresh'])).toBe(0);
    expect(customersIn(file)).toBe(150);
    // the summary line in the default language: every figure named, nothing left as a key or placeholder
    expect(out.join('')).toMatch(
      /^演示数据库已就绪：.* \| \d+ 个机构，\d+ 名员工，\d+ 个用户，150 位客户，[\d,]+ 个账户，[\d,]+ 笔交易，.* \| [\d.]+ 秒 \| 登录：manager1 \/ Demo@2026\n演示数据文件已写入 .*inbox：branches\.csv, /,
    );
    expect(out.join('')).not.toMatch(/\{\{|undefined|NaN|\bcli\./);
  });

  it('refuses a store that holds other data, pointing at --fresh', async () => {
    const used = path.join(dir, 'used.db');
    const { db } = await openStore(used);
    db.prepare("INSERT INTO branches (id, code, name) VALUES (1, '9999', '别的支行')").run();
    db.close();
    expect(await runDemoCommand(['--customers', '50', '--db', used])).toBe(1);
    expect(err.join('')).toMatch(
      /^demo：数据库 .*used\.db 中已有数据（机构、用户或客户），.*（加 --fresh 从新文件开始）$/m,
    );
    expect(await runDemoCommand(['--customers', '50', '--db', used, '--lang', 'en'])).toBe(1);
    expect(err.join('')).toMatch(
      /^demo: the store .*used\.db already holds data .*\(pass --fresh to start from a new file\)$/m,
    );
    expect(await runDemoCommand(['--customers', '50', '--db', used, '--fresh'])).toBe(0);
    expect(customersIn(used)).toBe(50);
  });

  it('rejects bad arguments with usage and exit code 64', async () => {
    expect(await runDemoCommand(['--customers', 'lots'])).toBe(64);
    expect(err.join('')).toMatch(/^demo：--customers 需要一个整数，收到 lots\n用法：crm demo/);
    err.length = 0;
    expect(await runDemoCommand(['--customers', '0', '--lang', 'en'])).toBe(64);
    expect(err.join('')).toMatch(/^demo: --customers must be at least 1, got 0\nUsage: crm demo/);
    expect(await runDemoCommand(['--frsh'])).toBe(64);
  });

  it('reports progress on stderr no more than about once a second', async () => {
    // The heartbeat's lines (main/cli/heartbeat.ts) go through process.stderr.write, so the spy above sees
    // each one as it is written: the time of each write, on the clock the printer throttles with.
    const seen: { at: number; line: string }[] = [];
    vi.mocked(process.stderr.write).mockImplementation((chunk: string | Uint8Array) => {
      const at = performance.now();
      // the log's JSON lines (main/log.ts), if any, are not progress lines
      for (const line of String(chunk).split('\n')) if (line && !line.startsWith('{"at":')) seen.push({ at, line });
      return true;
    });
    const big = path.join(dir, 'big.db');
    expect(await runDemoCommand(['--customers', '3000', '--db', big])).toBe(0);
    expect(customersIn(big)).toBe(3000);
    // Every line a progress line of the chosen language (zh-CN, the default), its phase named in words.
    const phaseNames: Record<string, string> = {
      机构和员工: 'organisation',
      客户: 'customers',
      汇总: 'summaries',
      索引: 'indexes',
      查询统计: 'analyze',
      报表汇总: 'reporting',
    };
    const parsed = seen.map(({ at, line }) => {
      const m = /^demo：(\S+) (\d+\.\d)%（([\d,]+)\/([\d,]+)）(，.*)?$/.exec(line);
      expect(m, line).not.toBeNull();
      const phase = phaseNames[m![1]!];
      expect(phase, line).toBeDefined();
      return { at, line, phase: phase!, ends: m![3] === m![4] };
    });
    // Each phase reports, from its start to its end (100%), in the generator's order.
    const order = parsed.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(order).toEqual(['organisation', 'customers', 'summaries', 'indexes', 'analyze', 'reporting']);
    for (const phase of order) expect(parsed.findLast((p) => p.phase === phase)!.ends).toBe(true);
    // Between a phase's first line and its end, a line comes at least a second after the one before it
    // (less by a margin: the printer reads its clock a moment before the write is seen, longer on a busy
    // machine); only a phase starting or ending is told at once.
    const TOLERANCE_MS = 150;
    for (let i = 1; i < parsed.length; i++) {
      const p = parsed[i]!;
      const starts = p.phase !== parsed[i - 1]!.phase;
      if (starts || p.ends) continue;
      expect(p.at - parsed[i - 1]!.at, `${parsed[i - 1]!.line} → ${p.line}`).toBeGreaterThanOrEqual(
        1000 - TOLERANCE_MS,
      );
    }
  }, 180_000);
});
