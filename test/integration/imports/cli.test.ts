import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { storeDigest } from './helpers';
import { openAppStore } from '../../../main/store-key';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let demo: DemoStore;
let dir: string;

function crm(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main/cli/index.ts'), ...args], {
    cwd: ROOT,
    // the default language is zh-CN unless CRM_LANG says otherwise: not the developer's own setting
    env: { ...process.env, CRM_LANG: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 200, seed: 9 });
  dir = path.join(path.dirname(demo.file), 'x');
  await writeExtracts(demo.db, dir, { kinds: ['customers', 'transactions'] });
  // The CLI works on app stores, which are encrypted: convert it here, with this handle closed first.
  demo.close();
  const opened = await openAppStore(demo.file);
  demo = { ...demo, db: opened.db, close: () => opened.db.close() };
}, 60_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('crm import (unattended)', () => {
  it('loads a file by profile alias, prints one line, exits 0; the same file again exits 3', () => {
    const r = crm(
      'import',
      '--profile',
      'journal',
      '--file',
      path.join(dir, 'transactions.dat'),
      '--db',
      demo.file,
      '--allow-duplicate',
      '--lang',
      'en',
    );
    // stderr carries nothing but progress lines (printed every 2 s, so only on a slow machine here).
    for (const line of r.err.split('\n').filter(Boolean))
      expect(line).toMatch(/^import: [\d.]+% [\d,]+ rows read, [\d,]+ rejected$/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^import committed: job \d+ transactions\.dat \| read [\d,]+, inserted 0, updated 0, unchanged [\d,]+, rejected 0 \| [\d.]+ s\n$/,
    );
    // the default language (zh-CN): the same file again is refused in words, naming the earlier job
    const again = crm(
      'import',
      '--profile',
      'journal',
      '--file',
      path.join(dir, 'transactions.dat'),
      '--db',
      demo.file,
    );
    expect(again.code).toBe(3);
    expect(again.out).toMatch(
      /^导入失败：任务 \d+ transactions\.dat \| 读取 0，新增 0，更新 0，未变 0，拒绝 0 \| [\d.]+ 秒 \| .*\d+.*\n$/,
    );
    expect(again.out).not.toMatch(/IMPORT_|\{\{|undefined|\bcli\./);
  });

  it('a bad file exits 4 with the line named, the store unchanged, and a rejects file written', () => {
    const before = storeDigest(demo.db);
    const text = iconv.decode(readFileSync(path.join(dir, 'customers.csv')), 'gb18030').split('\r\n');
    text[5] = text[5]!.replace(/,(\d{8}),/, ',20241301,'); // month 13 somewhere in the row
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, iconv.encode(text.join('\r\n'), 'gb18030'));
    for (const lang of ['zh-CN', 'en'] as const) {
      const r = crm('import', '--profile', 'cif', '--file', bad, '--db', demo.file, '--lang', lang);
      expect(r.code).toBe(4);
      // the failure in the screens' words, no code; the rejects file names the row, line and column
      expect(r.out).toMatch(
        lang === 'en'
          ? /^import failed: job \d+ bad\.csv \| .* \| bad\.csv: Rows rejected in the file: 1, more than the 0 allowed; nothing was imported \| rejects file: /
          : /^导入失败：任务 \d+ bad\.csv \| .* \| 文件 bad\.csv：.*1.*0.* \| 拒绝行文件：/,
      );
      expect(r.out).not.toMatch(/IMPORT_|\{\{|undefined|\bcli\./);
      const m = (lang === 'en' ? /rejects file: (.+)$/m : /拒绝行文件：(.+)$/m).exec(r.out);
      expect(m && existsSync(m[1]!.trim())).toBe(true);
      // the reason column is in the command's language too, with the line and column of the bad date
      const rejects = iconv.decode(readFileSync(m![1]!.trim()), 'gb18030');
      expect(rejects).toMatch(lang === 'en' ? /Line 6, column \d+.*Invalid date/i : /第 6 行 第 \d+ 列.*日期无效/);
      expect(storeDigest(demo.db)).toEqual(before);
    }
  });

  it('usage errors exit 64 with the usage text', () => {
    const r = crm('import', '--profile', 'cif', '--lang', 'en');
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/^import: --file is required\nUsage: crm import/);
    expect(crm('import', '--profile', 'cif', '--lang', 'zh-CN').err).toMatch(/^import：缺少 --file\n用法：crm import/);
    const none = crm('import', '--profile', 'nope', '--file', path.join(dir, 'customers.csv'), '--db', demo.file);
    expect(none.code).toBe(64);
    expect(none.err).toMatch(/^import：没有名为 nope 的导入方案\n用法：crm import/);
  });
});
