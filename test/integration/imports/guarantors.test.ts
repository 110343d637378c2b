import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/open';
import { runImport } from '../../../main/jobs/engine/run';
import { describer } from '../../../main/jobs/engine/reasons';
import { BUILTIN } from '../../../main/jobs/profiles/builtin';
import { writeExtracts, type ExtractResult } from '../../../main/jobs/profiles/extracts';
import type { ImportKind } from '../../../shared/imports';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { tempDir, writeText } from './helpers';

/**
 * 担保信息 through the import path: the demo's guarantors written to the loan extract (保证人客户号) and
 * read back exactly; a guarantor the store does not know, or the borrower named as their own guarantor,
 * rejected with the file's line and column and the reason in words, nothing stored; an older extract
 * without the column leaves the stored guarantors as they are.
 */
const KINDS: ImportKind[] = ['branches', 'staff', 'products', 'customers', 'loans'];
let demo: DemoStore;
let dir: string;
let extracts: ExtractResult[];
let target: Awaited<ReturnType<typeof openStore>>['db'];
const loansProfile = BUILTIN.find((b) => b.profile.kind === 'loans')!.profile;

const LOANS = `SELECT l.loan_no, c.customer_no, g.customer_no AS guarantor FROM loans l JOIN customers c ON c.id = l.customer_id
  LEFT JOIN customers g ON g.id = l.guarantor_customer_id ORDER BY l.loan_no`;

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 400, seed: 11 });
  dir = tempDir();
  extracts = await writeExtracts(demo.db, path.join(dir, 'extracts'), { kinds: KINDS });
  target = (await openStore(path.join(dir, 'fresh.db'))).db;
  for (const kind of KINDS) {
    const b = BUILTIN.find((bb) => bb.profile.kind === kind)!;
    const o = await runImport(target, {
      file: extracts.find((e) => e.kind === kind)!.file,
      profile: b.profile,
      tolerance: 0,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(o.status, `${kind}: ${JSON.stringify(o.error)}`).toBe('committed');
  }
}, 180_000);
afterAll(() => {
  target?.close();
  demo.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

/** The loan extract as lines, and the 1-based column of a title in its header. */
function loanLines(): { lines: string[]; col: (title: string) => number } {
  const text = iconv.decode(readFileSync(extracts.find((e) => e.kind === 'loans')!.file), 'gb18030');
  const lines = text.split('\r\n').filter(Boolean);
  const header = lines[0]!.split('|');
  return { lines, col: (title) => header.indexOf(title) + 1 };
}

describe('guarantors in the loan extract', () => {
  it('the demo names a guarantor on every guaranteed loan, and the extract round-trips them', () => {
    const g = demo.db
      .prepare(
        `SELECT COUNT(*) AS n, COUNT(guarantor_customer_id) AS g, SUM(guarantor_customer_id = customer_id) AS self
         FROM loans WHERE guarantee_type = 'guarantee'`,
      )
      .get() as { n: number; g: number; self: number };
    expect(g.n).toBeGreaterThan(3);
    expect(g.g).toBe(g.n);
    expect(g.self).toBe(0);
    expect(
      demo.db
        .prepare(
          `SELECT COUNT(*) AS n FROM loans WHERE guarantee_type <> 'guarantee' AND guarantor_customer_id IS NOT NULL`,
        )
        .get(),
    ).toEqual({ n: 0 });
    const { lines, col } = loanLines();
    expect(col('保证人客户号')).toBeGreaterThan(0);
    // by customer number: the same borrowers and guarantors in a store whose ids came from the imports
    const here = target.prepare(LOANS).raw().all();
    expect(here).toEqual(demo.db.prepare(LOANS).raw().all());
    expect(here.filter((r) => (r as unknown[])[2] !== null)).toHaveLength(g.g);
    expect(lines.length - 1).toBe(here.length);
  });

  it('rejects an unknown guarantor and a self-guarantee with line, column and reason; nothing is stored', async () => {
    const { lines, col } = loanLines();
    const at = col('保证人客户号');
    const borrowerAt = col('客户号');
    const edit = (line: string, guarantor: string) => {
      const f = line.split('|');
      f[at - 1] = guarantor;
      return f.join('|');
    };
    const changed = [...lines];
    changed[3] = edit(lines[3]!, '8199999999'); // line 4 of the file
    changed[6] = edit(lines[6]!, lines[6]!.split('|')[borrowerAt - 1]!); // line 7: the borrower himself
    // a reject's column is where the field starts on its line (1-based characters), as an editor shows it
    const charCol = (line: string) =>
      line
        .split('|')
        .slice(0, at - 1)
        .join('|').length + 2;
    const c4 = charCol(changed[3]!);
    const c7 = charCol(changed[6]!);
    const file = writeText(dir, 'loans-bad.csv', `${changed.join('\r\n')}\r\n`);
    const before = target.prepare(LOANS).raw().all();
    const failed = await runImport(target, {
      file,
      profile: loansProfile,
      tolerance: 0,
      allowDuplicate: true,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('IMPORT_TOO_MANY_REJECTS');
    const first = (
      failed.error!.details as { first: { line: number; column: number; field: string; reason: string }[] }
    ).first;
    expect(first.map(({ line, column, field, reason }) => ({ line, column, field, reason }))).toEqual([
      { line: 4, column: c4, field: 'guarantor_customer_no', reason: 'unknown_customer' },
      { line: 7, column: c7, field: 'guarantor_customer_no', reason: 'self_guarantee' },
    ]);
    expect(target.prepare(LOANS).raw().all()).toEqual(before);
    // the clerk's words, as the rejects file and the job's message carry them
    const zh = describer('zh-CN', loansProfile);
    expect(zh({ line: 7, column: c7, field: 'guarantor_customer_no', value: 'x', reason: 'self_guarantee' })).toBe(
      `第 7 行 第 ${c7} 列 保证人客户号：保证人不能是借款人本人（x）`,
    );
    expect(
      describer(
        'en',
        loansProfile,
      )({
        line: 4,
        column: c4,
        field: 'guarantor_customer_no',
        value: '8199999999',
        reason: 'unknown_customer',
      }),
    ).toBe(`line 4, column ${c4}, 保证人客户号: Unknown customer (8199999999)`);
    // within a tolerance the other rows load, the two are listed as rejected
    const tolerated = await runImport(target, {
      file,
      profile: loansProfile,
      tolerance: 2,
      allowDuplicate: true,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(tolerated).toMatchObject({ status: 'committed', rowsRejected: 2 });
    expect(
      target
        .prepare('SELECT line, col, field, reason FROM import_rejects WHERE job_id = ? ORDER BY line')
        .all(tolerated.jobId),
    ).toEqual([
      { line: 4, col: c4, field: 'guarantor_customer_no', reason: 'unknown_customer' },
      { line: 7, col: c7, field: 'guarantor_customer_no', reason: 'self_guarantee' },
    ]);
    expect(target.prepare(LOANS).raw().all()).toEqual(before);
  });

  it('an extract without the 保证人客户号 column keeps the guarantors the store holds', async () => {
    const { lines, col } = loanLines();
    const at = col('保证人客户号') - 1;
    const without = lines.map((l) =>
      l
        .split('|')
        .filter((_v, i) => i !== at)
        .join('|'),
    );
    const file = writeText(dir, 'loans-old.csv', `${without.join('\r\n')}\r\n`);
    const before = target.prepare(LOANS).raw().all();
    expect(before.some((r) => (r as unknown[])[2] !== null)).toBe(true);
    const o = await runImport(target, {
      file,
      profile: loansProfile,
      tolerance: 0,
      allowDuplicate: true,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(o).toMatchObject({ status: 'committed', rowsRejected: 0 });
    expect(target.prepare(LOANS).raw().all()).toEqual(before);
  });
});
