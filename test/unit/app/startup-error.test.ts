import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { describeStartupError, EXIT_STARTUP_FAILED } from '../../../main/app/startup-error';

const DB = 'C:\\Users\\张三\\AppData\\Roaming\\Branch CRM\\crm.db';

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeStartupError', () => {
  it('explains a damaged store in both languages and names the file from the error', () => {
    const t = describeStartupError(
      new AppError('STORE_DAMAGED', { file: 'D:\\crm\\crm.db', reason: 'integrity_check' }),
      DB,
    );
    expect(t.title).toMatch(/无法启动/);
    expect(t.title).toMatch(/cannot start/);
    expect(t.message).toContain('已损坏');
    expect(t.message).toContain('damaged');
    expect(t.message).toContain('backups');
    expect(t.message).toContain('D:\\crm\\crm.db');
    expect(t.message).toContain('STORE_DAMAGED');
  });

  it('falls back to the path we tried when the error names none', () => {
    expect(
      describeStartupError(new AppError('STORE_TOO_NEW', { storeVersion: 9, appVersion: 3 }), DB).message,
    ).toContain(DB);
  });

  it.each([
    ['STORE_TOO_NEW', /更新版本/, /newer version/],
    ['STORE_MIGRATION_MISMATCH', /结构版本/, /structure/],
    ['STORE_MIGRATION_FAILED', /升级数据文件失败/, /Upgrading/],
  ] as const)('has a specific message for %s', (code, zh, en) => {
    const t = describeStartupError(new AppError(code), DB);
    expect(t.message).toMatch(zh);
    expect(t.message).toMatch(en);
  });

  it.each([
    ['EACCES', /没有权限/],
    ['EPERM', /没有权限/],
    ['SQLITE_CANTOPEN', /没有权限/],
    ['EBUSY', /占用/],
    ['SQLITE_BUSY', /占用/],
    ['ENOSPC', /磁盘空间不足/],
  ])('maps the OS/SQLite error %s', (code, zh) => {
    const t = describeStartupError(nodeError(code), DB);
    expect(t.message).toMatch(zh);
    expect(t.message).toContain(code);
    expect(t.message).toContain(DB);
  });

  it('recognises better-sqlite3 built for the wrong ABI and does not blame the data file', () => {
    const err = nodeError(
      'ERR_DLOPEN_FAILED',
      "The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 139.",
    );
    const t = describeStartupError(err, DB);
    expect(t.message).toContain('重新安装');
    expect(t.message).toContain('reinstall');
    expect(t.message).not.toContain(DB);
  });

  it('never shows raw error text or stacks', () => {
    const t = describeStartupError(new Error('SELECT * FROM customers WHERE id_number = 110101199003074512'), DB);
    expect(t.message).not.toContain('SELECT');
    expect(t.message).not.toContain('110101');
    expect(t.message).toContain('INTERNAL');
    expect(describeStartupError('a string', DB).message).toContain('INTERNAL');
    expect(describeStartupError(null, DB).message).toContain('INTERNAL');
  });

  it('uses an exit code distinct from success and generic failure', () => {
    expect(EXIT_STARTUP_FAILED).not.toBe(0);
    expect(EXIT_STARTUP_FAILED).not.toBe(1);
  });
});
