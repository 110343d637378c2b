import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { runAfterImport, type AfterImportStep } from '../../../main/jobs/after-import';

describe('after-import steps', () => {
  it('runs every step in order with the context, and a failing step neither stops the others nor throws', () => {
    const db = new Database(':memory:');
    const seen: string[] = [];
    const steps: AfterImportStep[] = [
      { name: 'a', run: (_db, ctx) => void seen.push(`a:${ctx.reason}:${ctx.today}:${ctx.jobId}`) },
      {
        name: 'boom',
        run: () => {
          throw new Error('no table');
        },
      },
      { name: 'c', run: () => void seen.push('c') },
    ];
    const results = runAfterImport(db, { today: '2026-12-02', reason: 'import', jobId: 7 }, steps);
    expect(seen).toEqual(['a:import:2026-12-02:7', 'c']);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['a', true],
      ['boom', false],
      ['c', true],
    ]);
    expect(results[1]!.error).toBe('no table');
    db.close();
  });
});
