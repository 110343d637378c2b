import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../db/migrate';
import { dropEarlierRuns, dropRun, writeRun } from '../../../main/lab/runs';

/**
 * Store migrations 0033-0034: lab_scores becomes a view over lab_score_rows showing each version's current run.
 * The scores a store already holds become each version's first run, unchanged; writes through the view
 * still land; a run written in batches is invisible until its swap; a stopped run's rows go; the
 * readers' per-customer lookup stays on the primary key.
 */
let dir = '';
let db: BetterSqlite3.Database;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-lab-runs-'));
  db = new BetterSqlite3(path.join(dir, 'crm.db'));
  db.pragma('foreign_keys = ON');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function seedCustomers(n: number): void {
  db.exec(`INSERT INTO branches (id, code, name) VALUES (1, '3101', '示范支行');
    INSERT INTO staff (id, employee_no, name, branch_id, position) VALUES (1, 'E1', '李经理', 1, 'manager');`);
  const ins = db.prepare(
    `INSERT INTO customers (id, customer_no, kind, name, id_type, branch_id, opened_on, manager_staff_id, deposit_fen, aum_fen)
     VALUES (?, ?, 'individual', ?, 'resident_id', 1, '2020-01-01', 1, 0, 0)`,
  );
  for (let i = 1; i <= n; i++) ins.run(i, `80000000${String(i).padStart(2, '0')}`, `客户${i}`);
}

function addVersion(version: number): void {
  db.prepare(
    `INSERT INTO lab_models (version, target_key, target, learner, requested, outcome_months, cutoff, window_end, rows,
       positives, figures, model, seconds, created_at) VALUES (?, 'churn', '{"kind":"churn"}', 'logistic', 'logistic', 3,
       '2026-07-31', '2026-10-31', 10, 2, '{}', '{}', 1, '2026-11-01T00:00:00Z')`,
  ).run(version);
}

type Row = { version: number; customer_id: number; score: number; decile: number; factors: string };
const view = (version: number) =>
  db
    .prepare(
      'SELECT version, customer_id, score, decile, factors FROM lab_scores WHERE version = ? ORDER BY customer_id',
    )
    .all(version) as Row[];

/** Seven customers' scores for a run, each `score` plus a hundredth per customer. */
const rows = (score: number) => ({
  ids: Int32Array.from([1, 2, 3, 4, 5, 6, 7]),
  scores: Float64Array.from([1, 2, 3, 4, 5, 6, 7], (i) => score + i / 100),
  deciles: Uint8Array.from([1, 2, 3, 4, 5, 6, 7]),
  factorAt: (k: number) => `[${k}]`,
});

describe('lab score runs (migrations 0033, 0034)', () => {
  it('carries the stored scores over as each version’s first run; the view and its triggers behave as the table did', () => {
    migrate(db, { upTo: 32 });
    seedCustomers(3);
    addVersion(1);
    addVersion(2);
    const old: Row[] = [
      { version: 1, customer_id: 1, score: 0.9, decile: 1, factors: '[{"feature":"aum"}]' },
      { version: 1, customer_id: 3, score: 0.1, decile: 10, factors: '[]' },
    ];
    const ins = db.prepare(
      'INSERT INTO lab_scores (version, customer_id, score, decile, factors) VALUES (@version, @customer_id, @score, @decile, @factors)',
    );
    for (const r of old) ins.run(r);
    migrate(db);
    expect(view(1)).toEqual(old);
    expect(db.prepare('SELECT version, customers FROM lab_score_runs').all()).toEqual([{ version: 1, customers: 2 }]);
    expect(db.prepare('SELECT version FROM lab_score_current').all()).toEqual([{ version: 1 }]);
    // Writes through the view: version 2 gets a run of its own, visible at once.
    ins.run({ version: 2, customer_id: 2, score: 0.5, decile: 5, factors: '[]' });
    expect(view(2)).toEqual([{ version: 2, customer_id: 2, score: 0.5, decile: 5, factors: '[]' }]);
    expect(view(1)).toEqual(old);
    db.prepare('DELETE FROM lab_scores WHERE version = ? AND customer_id = ?').run(1, 3);
    expect(view(1)).toEqual([old[0]]);
    // A customer removed takes the scores with it (the cascade of the old table).
    db.prepare('DELETE FROM customers WHERE id = 1').run();
    expect(view(1)).toEqual([]);
  });

  it('a run is invisible until its swap, replaces the previous run whole, and a stopped run leaves nothing', () => {
    migrate(db);
    seedCustomers(7);
    addVersion(1);
    const first = writeRun(db, rows(0), { version: 1, on: '2026-10-31', at: 'a', batch: 3 });
    expect(first).toMatchObject({ customers: 7, current: true });
    const firstRows = view(1);
    expect(firstRows.map((r) => r.score)).toEqual([0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07]);
    const seen: string[] = [];
    const second = writeRun(db, rows(0.5), {
      version: 1,
      on: '2026-11-30',
      at: 'b',
      batch: 3,
      afterCommit: (phase) => {
        const v = view(1);
        seen.push(`${phase}:${v.length}:${v[0]!.score}`);
      },
    });
    // Three batches of rows (3, 3, 1) with the first run still shown whole, then the second run whole.
    expect(seen).toEqual([
      'rows:7:0.01',
      'rows:7:0.01',
      'rows:7:0.01',
      'swap:7:0.51',
      'cleanup:7:0.51',
      'cleanup:7:0.51',
      'cleanup:7:0.51',
    ]);
    expect(second.transactions).toBe(1 + 3 + 1 + 3);
    expect(db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows').get()).toEqual({ n: 7 });
    expect(db.prepare('SELECT scored_on, scored_customers FROM lab_models WHERE version = 1').get()).toEqual({
      scored_on: '2026-11-30',
      scored_customers: 7,
    });
    // A run stopped after its first batch: dropped, the current one untouched.
    let stopped = 0;
    expect(() =>
      writeRun(db, rows(0.8), {
        version: 1,
        on: '2026-12-31',
        at: 'c',
        batch: 3,
        onRun: (r) => {
          stopped = r;
        },
        afterCommit: () => {
          throw new Error('stop');
        },
      }),
    ).toThrow('stop');
    expect(db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows WHERE run = ?').get(stopped)).toEqual({ n: 3 });
    expect(view(1)[0]!.score).toBe(0.51);
    dropRun(db, 1, stopped);
    expect(db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows').get()).toEqual({ n: 7 });
    expect(view(1)[0]!.score).toBe(0.51);
    // An older run finishing after a newer one became current does not go back: it drops its own rows.
    const stale = writeRun(db, rows(0.9), {
      version: 1,
      on: '2026-12-31',
      at: 'd',
      onRun: () => db.prepare('UPDATE lab_score_current SET run = run + 1000 WHERE version = 1').run(),
    });
    expect(stale.current).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows WHERE run = ?').get(stale.run)).toEqual({ n: 0 });
  });

  it('with the clean-up left for later, the new run is shown whole at once and the old rows go after, in batches', () => {
    migrate(db);
    seedCustomers(7);
    addVersion(1);
    writeRun(db, rows(0), { version: 1, on: '2026-10-31', at: 'a', batch: 3 });
    const second = writeRun(db, rows(0.5), { version: 1, on: '2026-11-30', at: 'b', batch: 3, cleanup: 'later' });
    expect(second).toMatchObject({ current: true, transactions: 1 + 3 + 1 });
    expect(view(1).map((r) => r.score)).toEqual(Array.from(rows(0.5).scores));
    expect(db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows').get()).toEqual({ n: 14 });
    const seen: string[] = [];
    dropEarlierRuns(
      db,
      { version: 1, run: second.run, current: true, ids: rows(0).ids, batch: 3, share: true },
      undefined,
      (phase, done, total) => {
        const n = (db.prepare('SELECT COUNT(*) AS n FROM lab_score_rows').get() as { n: number }).n;
        seen.push(`${phase}:${done}/${total}:${n}:${view(1)[0]!.score}`);
      },
    );
    expect(seen).toEqual(['cleanup:1/3:11:0.51', 'cleanup:2/3:8:0.51', 'cleanup:3/3:7:0.51']);
  });

  it('the grid’s per-customer lookup through the view searches the primary key', () => {
    migrate(db);
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT c.id, (SELECT s.decile FROM lab_active a JOIN lab_scores s ON s.version = a.version
             AND s.customer_id = c.id WHERE a.target_key = 'churn') FROM customers c`,
        )
        .all() as { detail: string }[]
    ).map((r) => r.detail);
    expect(plan.some((d) => /SEARCH r USING PRIMARY KEY \(version=\? AND customer_id=\?\)/.test(d))).toBe(true);
    expect(plan.some((d) => /SCAN r\b/.test(d))).toBe(false);
  });

  it('a condition on the group reads one range of the group index (migration 0035)', () => {
    migrate(db);
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT c.id FROM customers c WHERE c.id IN (SELECT s.customer_id FROM lab_scores s
             WHERE s.version = (SELECT a.version FROM lab_active a WHERE a.target_key = 'churn') AND s.decile <= 2)`,
        )
        .all() as { detail: string }[]
    ).map((r) => r.detail);
    expect(
      plan.some((d) => /SEARCH r USING COVERING INDEX lab_score_rows_group \(version=\? AND decile<\?\)/.test(d)),
    ).toBe(true);
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'lab_score_rows_rank'").get()).toBeUndefined();
  });
});
