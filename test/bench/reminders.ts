/**
 * Reminder benchmarks on a demo store (issue 7, reminders): generation for every user with every kind
 * on and 30-day windows (the president over the whole branch), the idempotent re-run, and the inbox
 * reads (open count for the header badge, first page). Baseline in the same run: one full scan of the
 * customers table (what any generation step would cost per kind without its index).
 *
 *   node --import tsx test/bench/reminders.ts --db STORE [--today 2026-10-20]
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { REMINDER_KINDS } from '../../shared/api/reminders';
import { generateReminders } from '../../db/relationship/reminder-rules';
import { countOpen, listInbox, recipientById, recipientScope } from '../../db/relationship/reminders';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function benchReminders(opts: { db: string; today?: string; print: (s: string) => void }): Promise<void> {
  const { print } = opts;
  const today = opts.today ?? '2026-10-20';
  const db = new Database(opts.db);
  try {
    db.pragma('journal_mode = WAL');
    const customers = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    const users = db.prepare('SELECT id, role FROM users WHERE disabled = 0').all() as { id: number; role: string }[];
    db.transaction(() => {
      db.exec('DELETE FROM reminders; DELETE FROM reminder_prefs; DELETE FROM reminder_audience;');
      for (const u of users) {
        db.prepare('INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, 1, 1, ?)').run(
          u.id,
          u.role === 'president' ? 1 : 0,
        );
        for (const k of REMINDER_KINDS) {
          db.prepare(
            'INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, 1, 30, 0, ?)',
          ).run(u.id, k, k.startsWith('large_') ? 50_000_000 : null);
        }
      }
    })();
    // baseline: one full scan of the customers table
    const b0 = performance.now();
    db.prepare(`SELECT COUNT(*) FROM customers WHERE substr(birth_date, 6, 5) = ? AND status <> 'closed'`).get(
      today.slice(5),
    );
    const scanMs = performance.now() - b0;

    const first = generateReminders(db, { today, reason: 'bench' });
    const again = generateReminders(db, { today, reason: 'bench' });
    print(
      `  store: ${customers.toLocaleString('en-US')} customers, ${users.length} users; all ${REMINDER_KINDS.length} kinds on, 30-day windows, president over the branch`,
    );
    print(
      `  generation (fresh)   ${first.ms} ms, ${first.created.toLocaleString('en-US')} reminders (${Object.entries(
        first.byKind,
      )
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
    );
    print(`  generation (re-run)  ${again.ms} ms, ${again.created} created`);
    print(
      `  baseline: one full customer scan ${scanMs.toFixed(1)} ms; ratio fresh generation / scan ${(first.ms / scanMs).toFixed(2)} x, re-run / scan ${(again.ms / scanMs).toFixed(2)} x`,
    );

    // the shipped defaults: each user's own book, 3-7 days ahead or back
    db.exec('DELETE FROM reminders; DELETE FROM reminder_prefs; DELETE FROM reminder_audience;');
    const dflt = generateReminders(db, { today, reason: 'bench' });
    const dfltAgain = generateReminders(db, { today, reason: 'bench' });
    print(
      `  defaults (fresh)     ${dflt.ms} ms, ${dflt.created.toLocaleString('en-US')} reminders; re-run ${dfltAgain.ms} ms, ${dfltAgain.created} created; ratio re-run / scan ${(dfltAgain.ms / scanMs).toFixed(2)} x`,
    );
    // back to everything on for the inbox reads
    db.exec('DELETE FROM reminders;');
    db.transaction(() => {
      for (const u of users) {
        db.prepare('INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, 1, 1, ?)').run(
          u.id,
          u.role === 'president' ? 1 : 0,
        );
        for (const k of REMINDER_KINDS) {
          db.prepare(
            'INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, 1, 30, 0, ?)',
          ).run(u.id, k, k.startsWith('large_') ? 50_000_000 : null);
        }
      }
    })();
    generateReminders(db, { today, reason: 'bench' });

    const clock = { today, now: `${today}T02:00:00.000Z` };
    for (const role of ['president', 'manager']) {
      const u = users.find((x) => x.role === role);
      if (!u) continue;
      const r = recipientById(db, u.id)!;
      const scope = recipientScope(db, r, today);
      const counts: number[] = [];
      const pages: number[] = [];
      let open = 0;
      for (let i = 0; i < 30; i++) {
        let t = performance.now();
        open = countOpen(db, u.id, scope, clock);
        counts.push(performance.now() - t);
        t = performance.now();
        listInbox(db, u.id, scope, { view: 'open', limit: 50, offset: (i % 3) * 50 }, clock);
        pages.push(performance.now() - t);
      }
      print(
        `  inbox ${role.padEnd(9)} ${open.toLocaleString('en-US')} open (badge count, capped at 1,000): count p50 ${pct(counts, 50).toFixed(1)} ms p95 ${pct(counts, 95).toFixed(1)} ms; page of 50 p50 ${pct(pages, 50).toFixed(1)} ms p95 ${pct(pages, 95).toFixed(1)} ms`,
      );
    }
  } finally {
    db.close();
  }
}

if (process.argv[1]?.endsWith('reminders.ts')) {
  const i = process.argv.indexOf('--db');
  const t = process.argv.indexOf('--today');
  if (i < 0) throw new Error('--db STORE required');
  void benchReminders({
    db: process.argv[i + 1]!,
    today: t > 0 ? process.argv[t + 1] : undefined,
    print: (s) => process.stdout.write(`${s}\n`),
  });
}
