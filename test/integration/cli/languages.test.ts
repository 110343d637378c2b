/**
 * The `crm` commands' lines in both languages (main/cli/i18n.ts: --lang, else CRM_LANG, else zh-CN), on a
 * real store: summaries, extracts, join (its refusals: no hub, no certificate), check's progress lines
 * and the demo's progress printer. Each answer is the translated text, with no message key, placeholder,
 * error code or the other language left in it. (import, demo and check's verdicts: their own tests.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { progressPrinter } from '../../../main/cli/demo';
import { openAppStore } from '../../../main/store-key';
import { crm } from '../../support/cli';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let file: string;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 120, seed: 4 });
  file = demo.file;
  // the commands work on app stores, which are encrypted: convert it, with the generator's handle closed
  demo.close();
  (await openAppStore(file)).db.close();
}, 60_000);
afterAll(() => removeTempDirs());
afterEach(() => vi.unstubAllEnvs());

/** Nothing of the machinery shows: no key, placeholder, code, or a word of the other language. */
function clean(text: string, lang: 'zh-CN' | 'en'): void {
  expect(text).not.toMatch(/\bcli\.[a-z]|\bsync\.[a-z]|\{\{|undefined|NaN|\b[A-Z]{3,}_[A-Z_]+\b/);
  if (lang === 'en') expect(text).not.toMatch(/[\u4e00-\u9fff]/);
  else expect(text).toMatch(/[\u4e00-\u9fff]/);
}

describe('crm commands in both languages', { timeout: 120_000 }, () => {
  it('summaries --rebuild', async () => {
    const zh = await crm('summaries', '--rebuild', '--db', file, '--lang', 'zh-CN');
    expect(zh.code).toBe(0);
    expect(zh.out).toMatch(/^汇总已重建：.* \| 客户 120 位，报表月份 \d+ 个 \| 客户数字 [\d.]+ 秒，报表 [\d.]+ 秒\n$/);
    clean(zh.out, 'zh-CN');
    vi.stubEnv('CRM_LANG', 'en');
    const en = await crm('summaries', '--rebuild', '--db', file);
    expect(en.code).toBe(0);
    expect(en.out).toMatch(
      /^summaries rebuilt: .* \| customers 120, reporting months \d+ \| figures [\d.]+ s, reporting [\d.]+ s\n$/,
    );
    clean(en.out, 'en');
  });

  it('extracts --out', async () => {
    const out = path.join(path.dirname(file), 'extracts');
    const zh = await crm('extracts', '--db', file, '--out', out);
    expect(zh.code).toBe(0);
    expect(zh.out).toMatch(
      /^数据文件已写入：.*extracts \| branches\.csv \d+ 行、.*customers\.csv 120 行.* \| 共 [\d,]+ 行 \| [\d.]+ 秒\n$/,
    );
    clean(zh.out, 'zh-CN');
    expect(existsSync(path.join(out, 'customers.csv'))).toBe(true);
    const en = await crm('extracts', '--db', file, '--out', out, '--lang=en');
    expect(en.out).toMatch(
      /^extracts written: .*extracts \| branches\.csv \d+, .*customers\.csv 120.* \| [\d,]+ rows \| [\d.]+ s\n$/,
    );
    clean(en.out, 'en');
  });

  it('join: a hub that cannot be reached, a certificate that cannot be read', async () => {
    const args = [
      'join',
      '--db',
      file,
      '--hub',
      'http://127.0.0.1:9',
      '--branch',
      'B01',
      '--code',
      'X',
      '--name',
      'PC',
    ];
    const zh = await crm(...args, '--lang', 'zh-CN');
    expect(zh.code).toBe(1);
    expect(zh.err).toBe('加入失败：连不上协同服务器，请检查地址、网络和证书\n');
    expect(zh.out).toBe('');
    const en = await crm(...args, '--lang', 'en');
    expect(en.code).toBe(1);
    expect(en.err).toBe('Joining failed: Cannot reach the hub: check the address, the network and the certificate\n');
    const ca = path.join(path.dirname(file), 'no-such-root.pem');
    const noCa = await crm(...args, '--ca', ca);
    expect(noCa.code).toBe(1);
    expect(noCa.err).toBe(`无法读取证书文件 ${ca}\n`);
    expect((await crm(...args, '--ca', ca, '--lang', 'en')).err).toBe(`The certificate file ${ca} cannot be read\n`);
  });

  it("check's progress lines (stderr) follow the language", () => {
    const run = (lang: 'zh-CN' | 'en') =>
      spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/index.ts', 'check', '--db', file, '--offline'], {
        cwd: ROOT,
        env: { ...process.env, CRM_LOG: 'silent', CRM_LANG: lang },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const zh = run('zh-CN');
    expect(zh.status).toBe(0);
    expect(zh.stdout).toMatch(/^数据库完好：/);
    expect(zh.stderr).toMatch(/^check：1\/2 逐表检查每个页面和索引的完整性（\d+ MiB）$/m);
    expect(zh.stderr).toMatch(/^check：1\/2 完整性 100%（第 \d+ \/ \d+ 张表，[\d,]+ \/ [\d,]+ 页）$/m);
    expect(zh.stderr).toMatch(/^check：2\/2 审计日志检查完成，用时 [\d.]+ 秒$/m);
    clean(zh.stdout + zh.stderr, 'zh-CN');
    const en = run('en');
    expect(en.stdout).toMatch(/^store ok: /);
    expect(en.stderr).toMatch(/^check: 2\/2 audit log done in [\d.]+ s$/m);
    clean(en.stdout + en.stderr, 'en');
  });

  it("the demo's progress lines, phase names in words", () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      let now = 0;
      const lines: string[] = [];
      const print = progressPrinter(
        (l) => lines.push(l),
        () => now,
        lang,
      );
      print({ phase: 'customers', done: 0, total: 2000 });
      now = 2000;
      print({ phase: 'customers', done: 1000, total: 2000 });
      now = 70_000;
      print({ phase: 'customers', done: 2000, total: 2000 });
      print({ phase: 'analyze', done: 0, total: 1 });
      expect(lines).toEqual(
        lang === 'en'
          ? [
              'demo: customers 0.0% (0/2,000)',
              'demo: customers 50.0% (1,000/2,000), 500 customers/s, about 2 s left',
              'demo: customers 100.0% (2,000/2,000), 29 customers/s, 1 min 10 s',
              'demo: statistics 0.0% (0/1)',
            ]
          : [
              'demo：客户 0.0%（0/2,000）',
              'demo：客户 50.0%（1,000/2,000），每秒 500 位客户，约剩 2 秒',
              'demo：客户 100.0%（2,000/2,000），每秒 29 位客户，用时 1 分 10 秒',
              'demo：查询统计 0.0%（0/1）',
            ],
      );
    }
  });
});
