/**
 * `crm import` when a step after a committed import fails (main/jobs/after-import.ts): the clerk's line
 * says in words which step did not complete, that the import itself is committed, and what happens next,
 * in the command's language; the internal error text stays in the log (main/log.ts: the JSON lines on
 * stderr) with the step and the job. The reminders step is made to fail here; the others run as usual.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import { openAppStore } from '../../../main/store-key';
import { crm, splitStderr as split } from '../../support/cli';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

const fail = vi.hoisted(() => ({
  reminders: false,
  raw: 'SQLITE_ERROR: no such column: r.rule_key (reminder-rules.ts:42)',
}));
vi.mock('../../../db/relationship/reminder-rules', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../db/relationship/reminder-rules')>();
  return {
    ...original,
    generateReminders: (...args: Parameters<typeof original.generateReminders>) => {
      if (fail.reminders) throw new Error(fail.raw);
      return original.generateReminders(...args);
    },
  };
});

let file: string;
let journal: string;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 120, seed: 6 });
  file = demo.file;
  const dir = path.join(path.dirname(file), 'x');
  await writeExtracts(demo.db, dir, { kinds: ['transactions'] });
  journal = path.join(dir, 'transactions.dat');
  // the command works on app stores, which are encrypted: convert it, with the generator's handle closed
  demo.close();
  (await openAppStore(file)).db.close();
}, 60_000);
afterAll(() => removeTempDirs());
afterEach(() => {
  fail.reminders = false;
  vi.unstubAllEnvs();
});

const importArgs = () => ['import', '--profile', 'journal', '--file', journal, '--db', file, '--allow-duplicate'];

describe('crm import: a step after the import fails', { timeout: 120_000 }, () => {
  it('says which step, that the import is committed and what happens next; the error only in the log', async () => {
    vi.stubEnv('CRM_LANG', '');
    vi.stubEnv('CRM_LOG', 'silent');
    fail.reminders = true;
    const zh = await crm(...importArgs());
    // the import stands: committed, exit 0, its line on stdout as always
    expect(zh.code).toBe(0);
    const job = /^导入已提交：任务 (\d+) transactions\.dat/.exec(zh.out)?.[1];
    expect(job, zh.out).toBeDefined();
    const { log, text } = split(zh.err);
    const followUp = text.filter((l) => !/^import：[\d.?]+%/.test(l));
    expect(followUp).toEqual([
      `import：导入已提交（任务 ${job}），但其后的“消息提醒”没有完成（其余步骤照常进行）。程序下次启动或下次导入后会自动重做这一步；如果一直不成功，请把日志交给系统管理员。`,
    ]);
    expect(text.join('\n')).not.toMatch(/\{\{|undefined|\bcli\./);
    // the raw text is in the log line (kept with CRM_LOG=silent), with the step and the job, and nowhere else
    const entry = log.find((l) => l.msg === 'after-import step failed');
    expect(entry).toMatchObject({ level: 'error', step: 'reminders', jobId: Number(job), error: fail.raw });
    for (const l of [...text, zh.out]) expect(l).not.toContain('SQLITE_ERROR');

    const en = await crm(...importArgs(), '--lang', 'en');
    expect(en.code).toBe(0);
    const enJob = /^import committed: job (\d+) transactions\.dat/.exec(en.out)?.[1];
    expect(enJob, en.out).toBeDefined();
    const enText = split(en.err).text.filter((l) => !/^import: [\d.?]+%/.test(l));
    expect(enText).toEqual([
      `import: the import is committed (job ${enJob}), but the step after it, "reminders", did not complete (the other steps ran). It runs again when the app next starts or after the next import; if it keeps failing, give the log to your administrator.`,
    ]);
    expect(en.err.replace(/^\{.*$/gm, '')).not.toMatch(/SQLITE_ERROR|[\u4e00-\u9fff]/);
  });

  it('says nothing of the kind when every step completes', async () => {
    vi.stubEnv('CRM_LOG', 'silent');
    const r = await crm(...importArgs(), '--lang', 'en');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^import committed: /);
    const { log, text } = split(r.err);
    expect(text.filter((l) => !/^import: [\d.?]+%/.test(l))).toEqual([]);
    expect(log.filter((l) => l.msg === 'after-import step failed')).toEqual([]);
  });
});
