/**
 * The `crm` commands' lines in both languages (main/cli/i18n.ts: --lang, else CRM_LANG, else zh-CN), on a
 * real store: summaries, extracts, join (its refusals: no hub, no certificate), check's progress lines,
 * audit verify's answer for a store it cannot open, branch-demo's lines and the demo's progress printer. Each answer is the translated text, with no message key, placeholder,
 * error code or the other language left in it. (import, demo and check's verdicts: their own tests.)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { BRANCH_DEMO_PASSWORD, branchDemoLines } from '../../../main/cli/branch';
import { progressPrinter } from '../../../main/cli/demo';
import { openAppStore } from '../../../main/store-key';
import { crm, splitStderr } from '../../support/cli';
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

  it('audit verify: a store that is not there, a store that cannot be opened (what and which file, no code)', async () => {
    const dir = path.dirname(file);
    const missing = path.join(dir, 'no-such-store.db');
    const zh = await crm('audit', 'verify', '--db', missing, '--lang', 'zh-CN');
    expect(zh.code).toBe(2);
    expect(zh.out).toBe(`audit：找不到数据库文件 ${missing}（文件不存在）。请用 --db 指定数据库文件的路径。\n`);
    const en = await crm('audit', 'verify', '--db', missing, '--lang', 'en');
    expect(en.code).toBe(2);
    expect(en.out).toBe(`audit: no store at ${missing} (the file does not exist). Give the store's path with --db.\n`);
    // a folder that does not exist either: the same answer, not the driver's words
    const deeper = path.join(dir, 'no-such-folder', 'crm.db');
    expect((await crm('audit', 'verify', '--db', deeper, '--lang', 'en')).out).toBe(
      `audit: no store at ${deeper} (the file does not exist). Give the store's path with --db.\n`,
    );
    // crm check says the same of a store that is not there
    const zhCheck = await crm('check', '--db', missing, '--lang', 'zh-CN');
    expect(zhCheck.code).toBe(2);
    expect(zhCheck.out).toBe(`数据库不存在：${missing}（没有这个文件），请用 --db 指定数据库文件的路径\n`);
    expect((await crm('check', '--db', missing, '--lang', 'en')).out).toBe(
      `store missing: ${missing} (no such file); give the store's path with --db\n`,
    );
    // a copy given as anchor that is not there: the same words, naming the copy and its option
    const noCopy = path.join(dir, 'no-such-backup.db');
    const copy = await crm('audit', 'verify', '--db', file, '--anchor-from', noCopy, '--lang', 'en');
    expect(copy.code).toBe(2);
    expect(copy.out).toBe(
      `audit: no store at ${noCopy} (the file does not exist). Give the store's path with --anchor-from.\n`,
    );
    // without --lang, as audit verify's findings: zh-CN, then en
    expect((await crm('audit', 'verify', '--db', missing)).out).toBe(zh.out + en.out);

    // a file that is there but cannot be opened (encrypted-looking bytes without a key file beside it)
    const keyless = path.join(dir, 'keyless.db');
    writeFileSync(keyless, randomBytes(8192));
    const zhKey = await crm('audit', 'verify', '--db', keyless, '--lang', 'zh-CN');
    expect(zhKey.code).toBe(2);
    expect(zhKey.out).toMatch(/^audit：无法打开数据库 .*keyless\.db：.*密钥文件 .*keyless\.db\.key 不存在/);
    clean(zhKey.out, 'zh-CN');
    const enKey = await crm('audit', 'verify', '--db', keyless, '--lang', 'en');
    expect(enKey.out).toMatch(
      /^audit: the store .*keyless\.db cannot be opened: .*key file .*keyless\.db\.key is missing/,
    );
    clean(enKey.out, 'en');
    // a file that is not a store at all
    const junk = path.join(dir, 'junk.db');
    writeFileSync(junk, Buffer.alloc(8192, 7));
    const zhJunk = await crm('audit', 'verify', '--db', junk, '--lang', 'zh-CN');
    expect(zhJunk.code).toBe(2);
    expect(zhJunk.out).toBe(
      `audit：数据库 ${junk} 已损坏，或不是本程序的数据库文件，无法读取。请从备份恢复，或联系系统管理员。\n`,
    );
    const enJunk = await crm('audit', 'verify', '--db', junk, '--lang', 'en');
    expect(enJunk.out).toBe(
      `audit: the store ${junk} is damaged or is not a store of this program, so it cannot be read. Restore it from a backup, or contact your administrator.\n`,
    );
    for (const r of [zh, en, zhKey, enKey, zhJunk, enJunk])
      expect(r.out).not.toMatch(/SQLITE_|STORE_|unable to open|\n\s+at /);
    // the error itself is in the log (main/log.ts: a JSON line on stderr), with the file
    const logged = splitStderr(enKey.err).log;
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', file: keyless, code: 'STORE_KEY_MISSING' }),
    );
  });

  it("branch-demo's lines once the hub and both PCs run", () => {
    expect(BRANCH_DEMO_PASSWORD).toBe(DEMO_PASSWORD);
    const o = {
      hubUrl: 'http://127.0.0.1:41880',
      hubDir: '/data/branch/hub',
      branch: 'DEMO',
      pcs: [
        { name: 'PC-A', url: 'http://127.0.0.1:5001/' },
        { name: 'PC-B', url: 'http://127.0.0.1:5002/' },
      ],
    };
    const zh = branchDemoLines('zh-CN', o);
    expect(zh).toBe(
      [
        '协同服务器：http://127.0.0.1:41880（内置 PostgreSQL，数据在 /data/branch/hub；网点 DEMO）',
        '网点客户关系管理 PC-A（浏览器模式）：http://127.0.0.1:5001/',
        '网点客户关系管理 PC-B（浏览器模式）：http://127.0.0.1:5002/',
        '演示用户可在任一台电脑登录（密码 Demo@2026）；按 Ctrl+C 结束全部三个程序。',
        '',
      ].join('\n'),
    );
    clean(zh, 'zh-CN');
    const en = branchDemoLines('en', o);
    expect(en).toBe(
      [
        'Branch hub: http://127.0.0.1:41880 (PostgreSQL embedded, data in /data/branch/hub; branch DEMO)',
        'Branch CRM PC-A (browser mode): http://127.0.0.1:5001/',
        'Branch CRM PC-B (browser mode): http://127.0.0.1:5002/',
        'Demo users sign in on either PC (password Demo@2026); Ctrl+C stops all three.',
        '',
      ].join('\n'),
    );
    clean(en, 'en');
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
