/**
 * The preview and the import reach the same verdict on every row (issue 15 item 2): random CIF files
 * (good rows, wrong check characters, bad mobiles, impossible dates, unknown branches, empty required
 * fields, extra or missing columns, keys repeated inside the file) are previewed, then imported, and
 * each line's verdict and reason compared.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewImport } from '../../../main/jobs/engine/preview';
import { runImport } from '../../../main/jobs/engine/run';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { CIF_HEADER, CIF_PROFILE, storeDigest, tempDir, writeText } from './helpers';

let store: DemoStore;
let dir: string;
let n = 0;

beforeAll(async () => {
  store = await makeDemoStore({ customers: 100, seed: 21 });
  dir = tempDir();
});
afterAll(() => {
  store.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

const body17 = fc
  .tuple(
    fc.constantFrom('110108', '310101', '440305'),
    fc.date({ min: new Date('1940-01-01'), max: new Date('2005-12-31'), noInvalidDate: true }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([r, d, s]) => `${r}${d.toISOString().slice(0, 10).replace(/-/g, '')}${String(s).padStart(3, '0')}`);

const idNo = fc.oneof(
  body17.map((b) => b + residentIdCheckChar(b)),
  body17.map((b) => b + (residentIdCheckChar(b) === '0' ? '1' : '0')), // wrong check character
  fc.constant(''),
);
const mobile = fc.oneof(
  fc.integer({ min: 0, max: 99_999_999 }).map((v) => `138${String(v).padStart(8, '0')}`),
  fc.constantFrom('1735576581X', '12345', ''),
);
const opened = fc.constantFrom('20240131', '2024-02-29', '20240230', '2023-02-29', '');
const branch = fc.constantFrom('310101', '310102', '999999');
const name = fc.constantFrom('王喆', '𠮷祥', '张·三', '', '李"镕"');
const shape = fc.constantFrom('ok', 'ok', 'ok', 'extra', 'short');

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = fc.record({ key: fc.integer({ min: 0, max: 12 }), name, idNo, mobile, opened, branch, shape });

describe('preview and import agree row by row', () => {
  it('same verdict and reason for every line of random files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 25 }), async (rows) => {
        const run = ++n;
        const lines = rows.map((r) => {
          const cells = [
            `99${String(run).padStart(4, '0')}${String(r.key).padStart(4, '0')}`,
            '个人',
            r.name,
            '身份证',
            r.idNo,
            r.mobile,
            '上海市,浦东',
            r.branch,
            r.opened,
            '',
          ].map(csvCell);
          if (r.shape === 'extra') cells.push('12.00');
          if (r.shape === 'short') cells.pop();
          return cells.join(',');
        });
        const file = writeText(dir, `parity-${run}.csv`, `${[CIF_HEADER, ...lines].join('\r\n')}\r\n`, 'gb18030');
        const before = storeDigest(store.db);
        const preview = await previewImport(store.db, file, CIF_PROFILE, 1000);
        expect(storeDigest(store.db)).toEqual(before); // the preview leaves nothing behind
        const out = await runImport(store.db, {
          file,
          profile: CIF_PROFILE,
          tolerance: 1000,
          allowDuplicate: true,
          rejectsDir: path.join(dir, 'rejects'),
        });
        expect(out.status).toBe('committed');
        const imported = new Map(
          (
            store.db.prepare('SELECT line, reason FROM import_rejects WHERE job_id = ?').all(out.jobId) as {
              line: number;
              reason: string;
            }[]
          ).map((r) => [r.line, r.reason]),
        );
        const previewed = new Map(preview.rows.map((r) => [r.line, r.reject?.reason ?? null]));
        expect(previewed.size).toBe(rows.length);
        expect(preview.counts).toEqual({ read: rows.length, good: rows.length - imported.size, bad: imported.size });
        for (const [line, reason] of previewed) expect([line, reason]).toEqual([line, imported.get(line) ?? null]);
        // bad rows first
        const firstGood = preview.rows.findIndex((r) => r.reject === null);
        if (firstGood >= 0) expect(preview.rows.slice(firstGood).every((r) => r.reject === null)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
