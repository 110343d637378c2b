/**
 * Opportunity benchmarks on a demo store (issue 7, opportunities and marketing lists): each event rule
 * fresh (what the after-import step costs), the idempotent re-run, the funnel and the first page of the
 * list for the president and a manager, pushing a campaign over the whole branch and reading its
 * progress. Baseline in the same run: one pass over the transaction journal's last 90 days without an
 * index (what a rule reading the journal would cost without its partial index).
 *
 *   node --import tsx test/bench/opportunities.ts --db STORE [--today 2026-10-31]
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { RULE_CODES } from '../../shared/api/opportunities';
import { addDays } from '../../shared/dates';
import { createCampaign, entryScope, listEntries, progress } from '../../db/relationship/campaigns';
import { funnel, listOpportunities, opportunityScope } from '../../db/relationship/opportunities';
import { runRules } from '../../db/relationship/rules';
import { scopeFor } from '../../db/scope';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, performance.now() - t];
}
const n = (x: number) => x.toLocaleString('en-US');

export async function benchOpportunities(opts: {
  db: string;
  today?: string;
  samples?: number;
  print: (s: string) => void;
}): Promise<void> {
  const { print } = opts;
  const samples = opts.samples ?? 20;
  const db = new Database(opts.db);
  try {
    db.pragma('journal_mode = WAL');
    const today =
      opts.today ??
      (db.prepare('SELECT MAX(last_txn_on) AS d FROM customers').get() as { d: string | null }).d ??
      '2026-10-31';
    const customers = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    db.exec(
      'DELETE FROM opportunity_history; DELETE FROM opportunities; DELETE FROM opportunity_rules; DELETE FROM campaign_entries; DELETE FROM campaigns;',
    );

    const [, scanMs] = time(() =>
      db
        .prepare(`SELECT COUNT(*) FROM transactions NOT INDEXED WHERE txn_at >= ? AND direction = 'C'`)
        .get(addDays(today, -90)),
    );
    print(`  store: ${n(customers)} customers, today ${today}`);
    let total = 0;
    let totalMs = 0;
    for (const code of RULE_CODES) {
      const [r, ms] = time(() => runRules(db, today, [code]));
      total += r[0]!.created;
      totalMs += ms;
      print(`  rule ${code.padEnd(15)} ${ms.toFixed(0).padStart(6)} ms  ${n(r[0]!.created)} opportunities`);
    }
    const [again, againMs] = time(() => runRules(db, today));
    print(
      `  all rules (fresh)   ${totalMs.toFixed(0)} ms, ${n(total)} opportunities; re-run ${againMs.toFixed(0)} ms, ${again.reduce((s, x) => s + x.created, 0)} created`,
    );
    print(
      `  baseline: one unindexed pass over 90 days of credits ${scanMs.toFixed(0)} ms; ratio all rules / pass ${(totalMs / scanMs).toFixed(2)} x, re-run / pass ${(againMs / scanMs).toFixed(2)} x`,
    );

    const users = db
      .prepare(
        `SELECT u.id, u.role, u.staff_id AS staffId, u.branch_id AS branchId FROM users u WHERE u.role IN ('president','manager') ORDER BY u.role DESC, u.id`,
      )
      .all() as {
      id: number;
      role: 'president' | 'manager';
      staffId: number;
      branchId: number;
    }[];
    const pres = users.find((u) => u.role === 'president')!;
    const mgr = users.find((u) => u.role === 'manager')!;
    for (const u of [pres, mgr]) {
      const scope = scopeFor(db, { role: u.role, staffId: u.staffId, branchId: u.branchId }, today);
      const os = opportunityScope(scope);
      const f: number[] = [];
      const l: number[] = [];
      let seen = 0;
      for (let i = 0; i < samples; i++) {
        const [fr, fm] = time(() => funnel(db, os, {}));
        seen = fr.total;
        f.push(fm);
        l.push(time(() => listOpportunities(db, os, { open: true }, 0, 50))[1]);
      }
      print(
        `  ${u.role.padEnd(9)} ${n(seen)} opportunities: funnel p50 ${pct(f, 50).toFixed(1)} ms p95 ${pct(f, 95).toFixed(1)} ms; first page p50 ${pct(l, 50).toFixed(1)} ms p95 ${pct(l, 95).toFixed(1)} ms`,
      );
    }

    const ps = scopeFor(db, { role: 'president', staffId: pres.staffId, branchId: pres.branchId }, today);
    const [cid, pushMs] = time(() =>
      createCampaign(db, {
        name: 'bench',
        description: null,
        product: 'wealth',
        dueOn: null,
        origin: 'filter',
        branchId: pres.branchId,
        createdBy: pres.id,
        today,
        where: ps.sql,
        params: [...ps.params],
      }),
    );
    const entries = (
      db.prepare('SELECT COUNT(*) AS n FROM campaign_entries WHERE campaign_id = ?').get(cid) as { n: number }
    ).n;
    const pr: number[] = [];
    const me: number[] = [];
    const ms = entryScope(scopeFor(db, { role: 'manager', staffId: mgr.staffId, branchId: mgr.branchId }, today));
    for (let i = 0; i < samples; i++) {
      pr.push(time(() => progress(db, entryScope(ps), cid))[1]);
      me.push(time(() => listEntries(db, ms, { campaignId: cid }, 0, 100))[1]);
    }
    print(
      `  campaign over the branch: push ${pushMs.toFixed(0)} ms for ${n(entries)} entries; progress p50 ${pct(pr, 50).toFixed(1)} ms p95 ${pct(pr, 95).toFixed(1)} ms; manager's first 100 entries p50 ${pct(me, 50).toFixed(1)} ms`,
    );
  } finally {
    db.close();
  }
}

if (process.argv[1]?.endsWith('opportunities.ts')) {
  const i = process.argv.indexOf('--db');
  const t = process.argv.indexOf('--today');
  if (i < 0) throw new Error('--db STORE required');
  void benchOpportunities({
    db: process.argv[i + 1]!,
    today: t > 0 ? process.argv[t + 1] : undefined,
    print: (s) => process.stdout.write(`${s}\n`),
  });
}
