import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertJob } from '../../../main/jobs/engine/revert';
import { runImport, type RunOptions } from '../../../main/jobs/engine/run';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import { type DemoStore, makeDemoStore, removeTempDirs } from '../demo/helpers';
import { CIF_HEADER, CIF_PROFILE, tempDir, writeText } from './helpers';

// The engine writes its audit entries through db/repos/audit.ts inside its own transaction: who ran
// the job (a UI user as admin, the CLI as system), the job as target, the counts or the error code.

let store: DemoStore;
let dir: string;
let n = 0;

const id = (body17: string) => body17 + residentIdCheckChar(body17);

function cif(rows: string[]): string {
  return writeText(dir, `audit-cif-${++n}.csv`, `${[CIF_HEADER, ...rows].join('\r\n')}\r\n`, 'utf-8');
}

function opts(file: string, extra: Partial<RunOptions> = {}): RunOptions {
  return { file, profile: CIF_PROFILE, tolerance: 0, rejectsDir: path.join(dir, 'rejects'), ...extra };
}

interface Entry {
  user_id: number | null;
  username: string | null;
  role: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  at: string;
}

function entries(action: string, jobId: number): Entry[] {
  const rows = store.db
    .prepare('SELECT * FROM audit_log WHERE action = ? AND target_id = ? ORDER BY id')
    .all(action, String(jobId)) as (Omit<Entry, 'details'> & { details: string })[];
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

beforeAll(async () => {
  store = await makeDemoStore({ customers: 60, seed: 11 });
  dir = tempDir();
});
afterAll(() => {
  store.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

describe('import audit entries', () => {
  it('records a committed UI job with its user, counts and source, and its revert', async () => {
    const before = Date.now();
    const out = await runImport(
      store.db,
      opts(cif([`9900000301,个人,曾敏,身份证,${id('11010119900307123')},13800138000,地址1,310101,20240131,`]), {
        userId: 1,
        username: 'admin',
      }),
    );
    expect(out.status).toBe('committed');
    const [entry, ...more] = entries('imports.run', out.jobId);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      user_id: 1,
      username: 'admin',
      role: 'admin',
      outcome: 'ok',
      target_type: 'import_job',
      target_id: String(out.jobId),
    });
    expect(entry!.details).toMatchObject({
      kind: 'customers',
      profile: CIF_PROFILE.name,
      file: `audit-cif-${n}.csv`,
      read: 1,
      inserted: 1,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      source: 'ui',
    });
    expect(Date.parse(entry!.at)).toBeGreaterThanOrEqual(before - 1000);
    // The initials stored for search read 曾 as a surname.
    expect(
      store.db.prepare('SELECT name_initials AS i FROM customers WHERE customer_no = ?').get('9900000301'),
    ).toEqual({ i: 'zm' });

    const r = revertJob(store.db, out.jobId, { userId: 1, username: 'admin', role: 'admin' });
    expect(entries('imports.revert', out.jobId)).toEqual([
      expect.objectContaining({
        user_id: 1,
        username: 'admin',
        role: 'admin',
        outcome: 'ok',
        target_type: 'import_job',
        details: { kind: 'customers', deleted: r.deleted, restored: r.restored },
      }),
    ]);
  });

  it('records a failed CLI job as the system, with the error code, and nothing of its rows', async () => {
    const out = await runImport(
      store.db,
      opts(cif([`9900000302,个人,钱二,身份证,${id('11010119900307323')},13800138002,地址2,999999,20240105,`]), {
        source: 'cli',
      }),
    );
    expect(out.status).toBe('failed');
    expect(entries('imports.run', out.jobId)).toEqual([
      expect.objectContaining({
        user_id: null,
        username: 'cli',
        role: 'system',
        outcome: 'failed',
        target_type: 'import_job',
        details: {
          kind: 'customers',
          profile: CIF_PROFILE.name,
          file: `audit-cif-${n}.csv`,
          code: 'IMPORT_TOO_MANY_REJECTS',
          source: 'cli',
        },
      }),
    ]);
    expect(store.db.prepare('SELECT COUNT(*) AS c FROM customers WHERE customer_no = ?').get('9900000302')).toEqual({
      c: 0,
    });
  });
});
