import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceHistory } from '../../../db/lab/history';
import { writeScores } from '../../../main/lab/jobs';
import { rescoreActive } from '../../../main/lab/rescore';
import { type Scored, scoreBook, scoreBookBlocks } from '../../../main/lab/score';
import { trainLab } from '../../../main/lab/train';
import { type LabTarget, targetKey } from '../../../shared/lab';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * Scoring in blocks of the book (issue 20: memory O(block), not O(book)): with a block of 37 customers
 * (many blocks, cut inside runs of eligible and ineligible customers) every customer's score, decile
 * (ranked over the whole book) and factors equal the one-block scoring and the whole-book scoreBook,
 * for a logistic and a boosted model and for a churn and a take-up target; the activation and the
 * after-import re-score write exactly those rows with a small block.
 */
let db: Database;
let on = '';
const models: { modelText: string; target: LabTarget; version: number }[] = [];

type Row = { customer_id: number; score: number; decile: number; factors: string };
const rowsOf = (s: Scored): Row[] =>
  Array.from(s.ids, (id, k) => ({
    customer_id: id,
    score: s.scores[k]!,
    decile: s.deciles[k]!,
    factors: s.factorAt(k),
  }));

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 900, seed: 29 });
  db = demo.db;
  on = balanceHistory(db).to!;
  const specs: [LabTarget, 'logistic' | 'boosted'][] = [
    [{ kind: 'churn', dropShare: 0.5, minBalance: 1000 }, 'logistic'],
    [{ kind: 'churn', dropShare: 0.5, minBalance: 1000 }, 'boosted'],
    [{ kind: 'wealth' }, 'logistic'],
  ];
  for (const [target, learner] of specs) {
    const r = trainLab(db, { target, learner, outcomeMonths: 3, cutoff: null, folds: 3, seed: 7 }, () => {});
    const version = Number(
      db
        .prepare(
          `INSERT INTO lab_models (target_key, target, learner, requested, outcome_months, cutoff, window_end, rows, positives,
             figures, model, seconds, created_at) VALUES (?, ?, ?, ?, 3, ?, ?, ?, ?, '{}', ?, 1, '2026-11-01T00:00:00Z')`,
        )
        .run(
          targetKey(target),
          JSON.stringify(target),
          r.learner,
          learner,
          r.cutoff,
          r.windowEnd,
          r.rows,
          r.positives,
          r.model,
        ).lastInsertRowid,
    );
    models.push({ modelText: r.model, target, version });
  }
}, 600_000);
afterAll(() => {
  db.close();
  removeTempDirs();
});

describe('lab scoring in blocks', () => {
  it('37 customers a block, one block and the whole-book snapshot give every customer the same score, decile and factors', () => {
    const customers = (db.prepare('SELECT COUNT(*) AS n FROM customers WHERE opened_on <= ?').get(on) as { n: number })
      .n;
    expect(customers).toBeGreaterThan(37 * 10);
    const small = scoreBookBlocks(db, models, on, 37);
    const one = scoreBookBlocks(db, models, on, customers + 1);
    models.forEach((m, x) => {
      const whole = rowsOf(scoreBook(db, m.modelText, m.target, on));
      expect(whole.length).toBeGreaterThan(100);
      // every decile present and factors named: the comparison is not between empty rows
      expect(new Set(whole.map((r) => r.decile)).size).toBe(10);
      expect(whole.filter((r) => r.factors.includes('"feature"')).length).toBeGreaterThan(whole.length / 2);
      expect(rowsOf(small[x]!)).toEqual(whole);
      expect(rowsOf(one[x]!)).toEqual(whole);
      // bit-identical scores, not merely equal under toEqual's number comparison
      expect(Buffer.from(small[x]!.scores.buffer).equals(Buffer.from(one[x]!.scores.buffer))).toBe(true);
    });
  });

  it('the activation and the re-score write those rows with 37 customers a block', () => {
    const stored = (version: number) =>
      db
        .prepare('SELECT customer_id, score, decile, factors FROM lab_scores WHERE version = ? ORDER BY customer_id')
        .all(version) as Row[];
    const m = models[1]!;
    const input = {
      kind: 'score' as const,
      dbPath: '',
      version: m.version,
      key: targetKey(m.target),
      modelText: m.modelText,
      target: m.target,
      on,
      at: '2026-11-02T00:00:00Z',
      block: 37,
    };
    const { cleanup } = writeScores(db, db, input, () => {});
    cleanup();
    const whole = rowsOf(scoreBook(db, m.modelText, m.target, on));
    expect(stored(m.version)).toEqual(whole);
    // The re-score of every active version (another target's version made active too), in blocks.
    const other = models[2]!;
    db.prepare('INSERT INTO lab_active (target_key, version) VALUES (?, ?)').run(
      targetKey(other.target),
      other.version,
    );
    const done = rescoreActive(db, { reason: 'import', block: 37, at: '2026-11-03T00:00:00Z' });
    expect(done.map((d) => d.version).sort()).toEqual([m.version, other.version].sort());
    expect(stored(m.version)).toEqual(whole);
    expect(stored(other.version)).toEqual(rowsOf(scoreBook(db, other.modelText, other.target, on)));
  });
});
