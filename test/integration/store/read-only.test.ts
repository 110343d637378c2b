/**
 * Issue 19.8: a read-only store gave a raw stack trace and left -wal/-shm files behind. It is now
 * refused before SQLite touches it, with EACCES (which the start-up text explains). The open runs in
 * a child process as a user who may not write the file: as root (CI), the unprivileged `nobody`
 * (root writes anything); otherwise the current user after chmod 444.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/open';
import { tempDir } from '../support/store';

const ROOT = path.resolve(__dirname, '../../..');
let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir('crm-ro-');
  chmodSync(t.dir, 0o755);
});
afterEach(() => t.cleanup());

function openAsReader(file: string): string {
  const script = path.join(t.dir, 'open.ts');
  writeFileSync(
    script,
    `import { openStore } from ${JSON.stringify(path.join(ROOT, 'db/open'))};
openStore(${JSON.stringify(file)}).then(
  (r) => { r.db.close(); console.log('opened'); },
  (e) => console.log('refused ' + e.code),
);`,
  );
  chmodSync(script, 0o644);
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    encoding: 'utf8',
    ...(asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: t.dir } } : {}),
  });
  return `${r.stdout}${r.stderr}`.trim();
}

describe('a store the user may not write', () => {
  it('is refused with EACCES before anything is created beside it', async () => {
    const file = path.join(t.dir, 'crm.db');
    (await openStore(file)).db.close();
    const before = readdirSync(t.dir).sort();
    chmodSync(file, 0o444);
    expect(openAsReader(file)).toContain('refused EACCES');
    expect(readdirSync(t.dir).sort()).toEqual([...before, 'open.ts'].sort());
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
