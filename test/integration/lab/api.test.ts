import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { labService } from '../../../main/lab/service';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { LabJobState } from '../../../shared/api';
import { factorText, LAB_FEATURES } from '../../../shared/lab';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';

/**
 * The model lab through the registry, as the president and the administrator would use it: targets,
 * training in the worker with progress, a busy refusal, cancel, versions with their figures,
 * activation scoring the book, per-customer scores in scope, pushes as a campaign or opportunities
 * (audited, deduplicated), and monitoring of realised outcomes after later data arrive.
 */
const TODAY = '2026-11-02';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const { call, ok, signIn } = asUsers(() => registry, s);
const one = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).get(...p) as T;

async function finish(jobId: string, who = 'president'): Promise<LabJobState> {
  for (;;) {
    const st = await ok('lab.job', { jobId }, who);
    if (st.state !== 'running') return st;
    await new Promise((r) => setTimeout(r, 200));
  }
}

let version = 0;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1500, seed: 41 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  await signIn('president', 'admin', 'manager1');
}, 120_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('model lab API', () => {
  it('lists the targets with the history and the cut-offs it allows, and counts them in the background', async () => {
    const t = await ok('lab.targets', {}, 'admin');
    expect(t.history).toEqual({ from: '2025-11-30', to: '2026-10-31' });
    expect(t.cutoffs.find((c) => c.outcomeMonths === 3)).toEqual({
      outcomeMonths: 3,
      earliest: '2026-02-28',
      latest: '2026-07-31',
    });
    expect(t.cutoffs.find((c) => c.outcomeMonths === 12)).toEqual({ outcomeMonths: 12, earliest: null, latest: null });
    expect(t.targets.map((x) => x.key)).toContain('product:card');
    await labService(services).settleCounts();
    const counted = await ok('lab.targets', {}, 'admin');
    const churn = counted.targets.find((x) => x.key === 'churn')!;
    expect(churn.eligible).toBeGreaterThan(1000);
    expect(churn.positives).toBeGreaterThan(50);
  }, 120_000);

  it('refuses a cut-off the history cannot hold, with a code saying so', async () => {
    const r = await call(
      'lab.train',
      { target: { kind: 'loan' }, cutoff: '2026-09-30', outcomeMonths: 3 },
      'president',
    );
    expect(r.ok ? null : r.error.code).toBe('LAB_NO_HISTORY');
    const bad = await call('lab.train', { target: { kind: 'loan' }, cutoff: '2026-07-15' }, 'president');
    expect(bad.ok ? null : bad.error.code).toBe('LAB_NO_HISTORY');
  });

  it('trains in the worker with progress, refuses a second job meanwhile, and stores a version with its figures', async () => {
    const started = await ok(
      'lab.train',
      { target: { kind: 'churn', dropShare: 0.5, minBalance: 1000 }, learner: 'logistic', outcomeMonths: 3, folds: 3 },
      'president',
    );
    expect(started.state).toBe('running');
    const busy = await call('lab.train', { target: { kind: 'loan' } }, 'admin');
    expect(busy.ok ? null : busy.error.code).toBe('LAB_BUSY');
    const done = await finish(started.jobId);
    expect(done.state).toBe('done');
    expect(done.version).toBeGreaterThan(0);
    version = done.version!;
    const list = await ok('lab.versions', {}, 'admin');
    expect(list[0]!.version).toBe(version);
    expect(list[0]!.createdBy).toBe('陈志华');
    const d = await ok('lab.version', { version }, 'president');
    expect(d.cutoff).toBe('2026-07-31');
    expect(d.windowEnd).toBe('2026-10-31');
    expect(d.folds).toHaveLength(3);
    expect(d.folds.reduce((a, f) => a + f.rows, 0)).toBe(d.cvRows);
    expect(d.groups.reduce((a, g) => a + g.customers, 0)).toBe(d.cvRows);
    expect(d.groups.reduce((a, g) => a + g.positives, 0)).toBe(d.positives);
    expect(d.auc).toBeGreaterThan(0.6);
    expect(d.holdout?.trainCutoff).toBe('2026-04-30');
    expect(d.weights.length).toBeGreaterThan(3);
    for (const w of d.weights) expect(LAB_FEATURES).toContain(w.feature);
    const audit = one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM audit_log WHERE action = 'lab.train' AND target_id = ?`,
      String(version),
    );
    expect(audit.n).toBe(1);
  }, 600_000);

  it('cancels a running job and stores nothing of it', async () => {
    const before = one<{ n: number }>('SELECT COUNT(*) AS n FROM lab_models').n;
    const started = await ok('lab.train', { target: { kind: 'wealth' }, folds: 3 }, 'admin');
    const c = await ok('lab.cancel', { jobId: started.jobId }, 'admin');
    expect(c.state).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 500));
    expect((await ok('lab.job', { jobId: started.jobId }, 'admin')).state).toBe('cancelled');
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM lab_models').n).toBe(before);
  });

  it('activation scores every eligible customer into ten equal groups with three factors in words', async () => {
    const job = await ok('lab.activate', { version }, 'president');
    const done = await finish(job.jobId);
    expect(done.state).toBe('done');
    const d = await ok('lab.version', { version }, 'president');
    expect(d.active).toBe(true);
    const sizes = services.db
      .prepare('SELECT decile, COUNT(*) AS n FROM lab_scores WHERE version = ? GROUP BY decile ORDER BY decile')
      .all(version) as { decile: number; n: number }[];
    expect(sizes.map((x) => x.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sizes.reduce((a, x) => a + x.n, 0)).toBe(d.scoredCustomers);
    expect(Math.max(...sizes.map((x) => x.n)) - Math.min(...sizes.map((x) => x.n))).toBeLessThanOrEqual(1);
    // deciles follow the scores
    const edge = one<{ lo1: number; hi2: number }>(
      `SELECT (SELECT MIN(score) FROM lab_scores WHERE version = ? AND decile = 1) AS lo1,
              (SELECT MAX(score) FROM lab_scores WHERE version = ? AND decile = 2) AS hi2`,
      version,
      version,
    );
    expect(edge.lo1).toBeGreaterThanOrEqual(edge.hi2);
    const top = one<{ customer_id: number }>(
      'SELECT customer_id FROM lab_scores WHERE version = ? ORDER BY score DESC LIMIT 1',
      version,
    );
    const mine = await ok('lab.customerScores', { customerId: top.customer_id }, 'president');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.decile).toBe(1);
    expect(mine[0]!.factors.length).toBeGreaterThan(0);
    for (const f of mine[0]!.factors) {
      expect(f.effect).toBeGreaterThan(0);
      expect(factorText(f, 'zh-CN')).not.toMatch(/_/);
      expect(factorText(f, 'en')).not.toMatch(/_/);
    }
  }, 300_000);

  it('lists scores in the caller’s scope only', async () => {
    const staff = one<{ id: number }>("SELECT staff_id AS id FROM users WHERE username = 'manager1'").id;
    const expected = one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM lab_scores s JOIN customers c ON c.id = s.customer_id WHERE s.version = ? AND s.decile = 1
       AND c.id IN (SELECT id FROM customers WHERE manager_staff_id = ? UNION SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?))`,
      version,
      staff,
      staff,
      TODAY,
    ).n;
    const got = await ok('lab.scores', { version, deciles: [1], limit: 500 }, 'manager1');
    expect(got.total).toBe(expected);
    const all = await ok('lab.scores', { version, deciles: [1], limit: 500 }, 'president');
    expect(all.total).toBeGreaterThan(got.total);
    expect(all.rows[0]!.score).toBeGreaterThanOrEqual(all.rows.at(-1)!.score);
  });

  it('the grid shows the active churn model’s group and 高级查询 filters on it, in the caller’s scope', async () => {
    const staff = one<{ id: number }>("SELECT staff_id AS id FROM users WHERE username = 'manager1'").id;
    const expectedIds = (who: 'president' | 'manager1') =>
      (
        services.db
          .prepare(
            `SELECT s.customer_id AS id FROM lab_scores s JOIN customers c ON c.id = s.customer_id
              WHERE s.version = ? AND s.decile <= 2 AND c.status <> 'closed'
                AND (? = 'president' OR c.id IN (SELECT id FROM customers WHERE manager_staff_id = ?
                     UNION SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?)))
              ORDER BY s.customer_id`,
          )
          .all(version, who, staff, staff, TODAY) as { id: number }[]
      ).map((r) => r.id);
    for (const who of ['president', 'manager1'] as const) {
      const advanced = { op: 'and' as const, items: [{ field: 'churnGroup' as const, op: 'lte' as const, value: 2 }] };
      const page = await ok(
        'customers.grid',
        { filter: { advanced, statuses: ['active', 'dormant'] }, sort: [], offset: 0, limit: 500 },
        who,
      );
      const count = await ok('customers.gridCount', { filter: { advanced, statuses: ['active', 'dormant'] } }, who);
      const want = expectedIds(who);
      expect(want.length).toBeGreaterThan(0);
      expect(count.filtered).toBe(want.length);
      const shown = page.rows.map((r) => r.id).sort((a, b) => a - b);
      expect(shown).toEqual(want.slice(0, 500));
      for (const r of page.rows) expect([1, 2]).toContain(r.churnGroup);
    }
    // A customer never scored by the active churn model shows no group.
    const unscored = one<{ id: number } | undefined>(
      `SELECT c.id FROM customers c WHERE c.status <> 'closed'
         AND NOT EXISTS (SELECT 1 FROM lab_scores s WHERE s.version = ? AND s.customer_id = c.id) LIMIT 1`,
      version,
    );
    if (unscored) {
      const no = String(one<{ n: string }>('SELECT customer_no AS n FROM customers WHERE id = ?', unscored.id).n);
      const r = await ok('customers.grid', { filter: { q: no }, sort: [], offset: 0, limit: 5 }, 'president');
      expect(r.rows.find((x) => x.id === unscored.id)?.churnGroup ?? null).toBeNull();
    }
  });

  it('pushes the top group as a marketing list and as opportunities (once), audited', async () => {
    const inGroup = one<{ n: number }>(
      'SELECT COUNT(*) AS n FROM lab_scores WHERE version = ? AND decile = 1',
      version,
    ).n;
    const pushed = await ok('lab.push', { version, deciles: [1], as: 'campaign' }, 'president');
    expect(pushed.kind).toBe('campaign');
    expect(pushed.customers).toBe(inGroup);
    const entries = one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM campaign_entries e JOIN lab_scores s ON s.customer_id = e.customer_id AND s.version = ? AND s.decile = 1 WHERE e.campaign_id = ?`,
      version,
      pushed.campaignId,
    ).n;
    expect(entries).toBe(inGroup);
    const opp = await ok('lab.push', { version, deciles: [1], as: 'opportunities' }, 'president');
    expect(opp.created).toBe(inGroup);
    const again = await ok('lab.push', { version, deciles: [1], as: 'opportunities' }, 'president');
    expect(again.created).toBe(0);
    expect(one<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'lab.push'").n).toBe(3);
    const admin = await call('lab.push', { version, deciles: [1], as: 'campaign' }, 'admin');
    expect(admin.ok ? null : admin.error.code).toBe('FORBIDDEN');
  });

  it('monitors realised outcomes against the past scores once later data arrive', async () => {
    const before = await ok('lab.monitoring', { version }, 'admin');
    expect(before.scoredOn).toBe('2026-10-31');
    expect(before.elapsed).toBe(0);
    expect(before.realisedAuc).toBeNull();
    expect(before.groups.reduce((a, g) => a + g.customers, 0)).toBe(
      (await ok('lab.version', { version }, 'admin')).scoredCustomers,
    );
    // November arrives: the top group's demand balances collapse, the others' stay as they were.
    services.db.transaction(() => {
      services.db.prepare("INSERT INTO report_months (month) VALUES ('2026-11')").run();
      services.db
        .prepare(
          `INSERT INTO daily_balances (account_id, on_date, balance_fen)
           SELECT b.account_id, '2026-11-30', CASE WHEN s.decile = 1 THEN 0 ELSE b.balance_fen END
           FROM daily_balances b JOIN accounts a ON a.id = b.account_id
           LEFT JOIN lab_scores s ON s.customer_id = a.customer_id AND s.version = ?
           WHERE b.on_date = '2026-10-31'`,
        )
        .run(version);
    })();
    const after = await ok('lab.monitoring', { version }, 'admin');
    expect(after.observedTo).toBe('2026-11-30');
    expect(after.elapsed).toBeGreaterThan(0.3);
    expect(after.elapsed).toBeLessThan(0.4);
    expect(after.groups[0]!.rate).toBeGreaterThan(after.groups[9]!.rate);
    expect(after.realisedAuc).toBeGreaterThan(0.6);
  }, 120_000);
});
