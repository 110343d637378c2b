import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { openConnection } from '../../../db/cipher';
import { runAfterImport } from '../../../main/jobs/after-import';
import { runImport } from '../../../main/jobs/engine/run';
import { FollowUps } from '../../../main/jobs/follow-ups';
import { rescoreActive } from '../../../main/lab/rescore';
import { scoreBook } from '../../../main/lab/score';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { LabJobState } from '../../../shared/api';
import type { LabTarget } from '../../../shared/lab';
import { balanceHistory } from '../../../db/lab/history';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';
import { tempDir, writeText } from '../imports/helpers';
import type { ImportProfile } from '../../../shared/imports';

const BAL_PROFILE = {
  name: 'lab-rescore-balances',
  kind: 'daily_balances',
  format: 'delimited',
  encoding: 'auto',
  delimiter: ',',
  header: true,
  columns: [
    { field: 'account_no', source: 'account' },
    { field: 'on_date', source: 'date', format: 'auto' },
    { field: 'balance', source: 'balance' },
  ],
} as ImportProfile;

/**
 * The after-import step 'lab-scores': an active version's scores follow the data. A customer's balance
 * at the latest month end changes (as a committed balance import leaves it), the follow-up steps run,
 * and the stored score, group and factors equal a direct scoring of the new book; with no version
 * active the step touches nothing.
 */
const TODAY = '2026-11-02';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const { ok, signIn } = asUsers(() => registry, s);
const all = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).all(...p) as T[];
const one = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).get(...p) as T;

async function finish(jobId: string): Promise<LabJobState> {
  for (;;) {
    const st = await ok('lab.job', { jobId }, 'president');
    if (st.state !== 'running') return st;
    await new Promise((r) => setTimeout(r, 200));
  }
}

let version = 0;
let demoFile = '';

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 800, seed: 23 });
  demo.close();
  demoFile = demo.file;
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  await signIn('president');
  const trained = await finish(
    (
      await ok(
        'lab.train',
        {
          target: { kind: 'churn', dropShare: 0.5, minBalance: 1000 },
          learner: 'logistic',
          outcomeMonths: 3,
          folds: 3,
        },
        'president',
      )
    ).jobId,
  );
  expect(trained.state).toBe('done');
  version = trained.version!;
  expect((await finish((await ok('lab.activate', { version }, 'president')).jobId)).state).toBe('done');
}, 600_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

type Row = { customer_id: number; score: number; decile: number; factors: string };
const stored = () =>
  all<Row>(
    'SELECT customer_id, score, decile, factors FROM lab_scores WHERE version = ? ORDER BY customer_id',
    version,
  );

function direct(): Row[] {
  const m = one<{ model: string; target: string }>('SELECT model, target FROM lab_models WHERE version = ?', version);
  const on = balanceHistory(services.db).to!;
  const sc = scoreBook(services.db, m.model, JSON.parse(m.target) as LabTarget, on);
  return Array.from(sc.ids, (id, k) => ({
    customer_id: id,
    score: sc.scores[k]!,
    decile: sc.deciles[k]!,
    factors: sc.factorAt(k),
  })).sort((a, b) => a.customer_id - b.customer_id);
}

describe('lab scores after imports', () => {
  it('a balance import, then the follow-ups in the worker: the moved customer’s stored score equals a direct re-score', async () => {
    const on = balanceHistory(services.db).to!;
    const before = stored();
    expect(before.length).toBeGreaterThan(100);
    // A scored customer with a demand balance at the latest month end: a balance extract for that day
    // halves it (the customer stays eligible: well above the target's minimum).
    const pick = one<{ account_no: string; customer_id: number; balance_fen: number }>(
      `SELECT a.account_no, a.customer_id, b.balance_fen FROM daily_balances b JOIN accounts a ON a.id = b.account_id
       JOIN lab_scores s ON s.version = ? AND s.customer_id = a.customer_id
       WHERE b.on_date = ? AND b.balance_fen > 100000000 ORDER BY b.balance_fen DESC LIMIT 1`,
      version,
      on,
    );
    expect(pick).toBeTruthy();
    const was = before.find((r) => r.customer_id === pick.customer_id)!;
    const dir = tempDir('crm-lab-rescore-');
    const halved = (Math.round(pick.balance_fen / 2) / 100).toFixed(2);
    const file = writeText(
      dir,
      'balances.csv',
      ['account,date,balance', `${pick.account_no},${on},${halved}`].join('\n'),
      'utf-8',
    );
    const out = await runImport(services.db, {
      file,
      profile: BAL_PROFILE,
      tolerance: 0,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(out).toMatchObject({ status: 'committed', rowsUpdated: 1, rowsRejected: 0 });
    // Stale until the follow-ups run.
    expect(stored().find((r) => r.customer_id === pick.customer_id)!.score).toBe(was.score);
    // The follow-up steps as a big book runs them: in the worker, on its own connection.
    const followUps = new FollowUps(services.db, demoFile, { workerFromCustomers: 1 });
    followUps.schedule({ today: TODAY, reason: 'import', jobId: out.jobId });
    await followUps.idle();
    expect(followUps.last.find((r) => r.name === 'lab-scores')).toMatchObject({ ok: true });
    const after = stored();
    const now = after.find((r) => r.customer_id === pick.customer_id)!;
    expect(now.score).not.toBe(was.score);
    const want = direct();
    expect(now).toEqual(want.find((r) => r.customer_id === pick.customer_id));
    expect(after).toEqual(want);
    // The factors' JSON is written by hand (main/lab/score.ts): exactly what JSON.stringify gives for them.
    for (const r of after) {
      const parsed = JSON.parse(r.factors) as Record<string, unknown>[];
      expect(JSON.stringify(parsed)).toBe(r.factors);
      for (const f of parsed) expect(Object.keys(f)).toEqual(['feature', 'value', 'effect']);
    }
    expect(after.some((r) => JSON.parse(r.factors).length === 3)).toBe(true);
    const m = one<{ scored_on: string; scored_customers: number }>(
      'SELECT scored_on, scored_customers FROM lab_models WHERE version = ?',
      version,
    );
    expect(m).toEqual({ scored_on: on, scored_customers: want.length });
  }, 120_000);

  it('a later month re-scores on its month end while monitoring keeps comparing the activation’s scores', async () => {
    const activatedOn = balanceHistory(services.db).to!;
    const activated = (await ok('lab.version', { version }, 'president')).scoredCustomers;
    // November arrives: the top group's demand balances collapse, the others' stay as they were.
    services.db.transaction(() => {
      services.db.prepare("INSERT INTO report_months (month) VALUES ('2026-11')").run();
      services.db
        .prepare(
          `INSERT INTO daily_balances (account_id, on_date, balance_fen)
           SELECT b.account_id, '2026-11-30', CASE WHEN s.decile = 1 THEN 0 ELSE b.balance_fen END
           FROM daily_balances b JOIN accounts a ON a.id = b.account_id
           LEFT JOIN lab_scores s ON s.customer_id = a.customer_id AND s.version = ?
           WHERE b.on_date = ?`,
        )
        .run(version, activatedOn);
    })();
    const r = runAfterImport(services.db, { today: TODAY, reason: 'import', jobId: null, only: ['lab-scores'] });
    expect(r).toEqual([expect.objectContaining({ name: 'lab-scores', ok: true })]);
    expect(one<{ scored_on: string }>('SELECT scored_on FROM lab_models WHERE version = ?', version).scored_on).toBe(
      '2026-11-30',
    );
    expect(stored()).toEqual(direct());
    const mon = await ok('lab.monitoring', { version }, 'president');
    expect(mon.scoredOn).toBe(activatedOn);
    expect(mon.observedTo).toBe('2026-11-30');
    expect(mon.elapsed).toBeGreaterThan(0.3);
    expect(mon.groups.reduce((a, g) => a + g.customers, 0)).toBe(activated);
    expect(mon.groups[0]!.rate).toBeGreaterThan(mon.groups[9]!.rate);
  }, 120_000);

  it('writes in batches as a new run: a reader on another connection sees the old run whole until one commit shows the new run whole', () => {
    const on = balanceHistory(services.db).to!;
    const before = stored();
    // The book moves: every third demand balance at the month end halves, so most scores change.
    services.db
      .prepare('UPDATE daily_balances SET balance_fen = balance_fen / 2 WHERE on_date = ? AND account_id % 3 = 0')
      .run(on);
    const want = direct();
    expect(want).not.toEqual(before);
    const reader = openConnection(demoFile, { readonly: true, fileMustExist: true });
    const seen: ('old' | 'new')[] = [];
    const phases: string[] = [];
    try {
      const read = reader.transaction(() => ({
        rows: reader
          .prepare('SELECT customer_id, score, decile, factors FROM lab_scores WHERE version = ? ORDER BY customer_id')
          .all(version) as Row[],
        count: (
          reader.prepare('SELECT scored_customers AS n FROM lab_models WHERE version = ?').get(version) as {
            n: number;
          }
        ).n,
        grid: (
          reader
            .prepare(
              `SELECT COUNT(*) AS n FROM customers c WHERE (SELECT s.decile FROM lab_active a JOIN lab_scores s
               ON s.version = a.version AND s.customer_id = c.id WHERE a.target_key = 'churn') IS NOT NULL`,
            )
            .get() as { n: number }
        ).n,
      }));
      const look = (phase: string) => {
        const r = read();
        // Whole and one run: exactly the old rows or exactly the new ones, with the count stored beside them.
        const which = JSON.stringify(r.rows) === JSON.stringify(before) ? 'old' : 'new';
        expect(r.rows).toEqual(which === 'old' ? before : want);
        expect(r.count).toBe(r.rows.length);
        expect(r.grid).toBe(r.rows.length);
        seen.push(which);
        phases.push(phase);
      };
      look('start');
      const res = rescoreActive(services.db, {
        reason: 'import',
        batch: 97,
        afterCommit: (v, phase) => {
          expect(v).toBe(version);
          look(phase);
        },
      });
      expect(res).toEqual([expect.objectContaining({ version, customers: want.length, current: true })]);
      expect(res[0]!.transactions).toBeGreaterThan(2 * Math.ceil(want.length / 97));
    } finally {
      reader.close();
    }
    // Old until the swap, new from it on; several batches were seen in between.
    const swap = phases.indexOf('swap');
    expect(phases.filter((p) => p === 'rows').length).toBe(Math.ceil(want.length / 97));
    expect(seen.slice(0, swap)).toEqual(Array(swap).fill('old'));
    expect(seen.slice(swap)).toEqual(Array(seen.length - swap).fill('new'));
    // The result is a direct full re-score, and only its run is left in the table.
    expect(stored()).toEqual(want);
    expect(
      all<{ run: number }>('SELECT DISTINCT run FROM lab_score_rows WHERE version = ?', version).map((r) => r.run),
    ).toEqual([one<{ run: number }>('SELECT run FROM lab_score_current WHERE version = ?', version).run]);
  }, 120_000);

  it('at start-up with the scores up to date, and with no version active, the step leaves the scores alone', () => {
    const at = () =>
      one<{ scored_at: string }>('SELECT scored_at FROM lab_models WHERE version = ?', version).scored_at;
    const before = stored();
    const t0 = at();
    services.db
      .prepare('UPDATE daily_balances SET balance_fen = balance_fen + 500000 WHERE on_date = ? AND account_id % 7 = 0')
      .run(balanceHistory(services.db).to!);
    runAfterImport(services.db, { today: TODAY, reason: 'startup', jobId: null, only: ['lab-scores'] });
    expect(at()).toBe(t0);
    services.db.prepare('DELETE FROM lab_active WHERE version = ?').run(version);
    const r = runAfterImport(services.db, { today: TODAY, reason: 'import', jobId: null, only: ['lab-scores'] });
    expect(r).toEqual([expect.objectContaining({ name: 'lab-scores', ok: true })]);
    expect(at()).toBe(t0);
    expect(stored()).toEqual(before);
    expect(stored()).not.toEqual(direct());
  }, 120_000);
});
