/**
 * 流失风险组 (churnGroup) in the grid and its export: the field read by one join to the active churn
 * model's scores (db/customer-field-sql.ts) against the correlated subquery per row it was before
 * (commit a4c1655), in the same run on the same store, with and without the field:
 *   - a page of 100 rows by primary key at random depths (what the grid fetches for every page);
 *   - an export's read of every customer x every export column (SQL only: the xlsx writing after it
 *     is the same either way), with and without the field, and the old statement, which also joined
 *     branches and staff whatever the columns;
 *   - an advanced-query count 流失风险组 <= 2 on the SQL path.
 * A store without an active churn model gets a synthetic version (every customer but each tenth
 * scored, groups 1-10), removed again at the end.
 *
 *   node --import tsx test/bench/churn-field.ts --db STORE [--customers 100000] [--samples 200]
 *   (the store is generated with --customers when the file does not exist)
 */
import { existsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { FIELD_FROM, FIELD_SELECT, FIELD_SQL } from '../../db/customer-field-sql';
import { generateDemo } from '../../db/demo';
import { openStore } from '../../db/open';
import { parseCliOptions } from '../../main/cli/args';
import { compileFilter, exportQuery } from '../../db/repos/customer-grid';
import { scopeFor } from '../../db/scope';
import { EXPORT_COLUMNS, type GridFilter } from '../../shared/api';
import { FIELD_KEYS } from '../../shared/customer-fields';
import { fmt } from './support';

const TODAY = '2026-10-31';
const OLD_EXPR = `(SELECT s.decile FROM lab_active a JOIN lab_scores s ON s.version = a.version AND s.customer_id = c.id
                WHERE a.target_key = 'churn')`;
const OLD_FROM = `FROM customers c CROSS JOIN branches b ON b.id = c.branch_id LEFT JOIN staff m ON m.id = c.manager_staff_id`;
const oldSql = (k: (typeof FIELD_KEYS)[number]) => (k === 'churnGroup' ? OLD_EXPR : FIELD_SQL[k]);

/** Adds an active churn version scoring nine customers in ten when none is active; returns its undo. */
function ensureChurnModel(db: Database): () => void {
  if (db.prepare(`SELECT 1 FROM lab_active WHERE target_key = 'churn'`).get()) return () => {};
  const v = Number(
    db
      .prepare(
        `INSERT INTO lab_models (target_key, target, learner, requested, outcome_months, cutoff, window_end, rows, positives,
                                 figures, model, seconds, created_at, scored_on)
         VALUES ('churn', '{}', 'logistic', 'logistic', 3, '2026-07-31', '2026-10-31', 0, 0, '{}', '{}', 0, ?, '2026-10-31')`,
      )
      .run(`${TODAY}T00:00:00Z`).lastInsertRowid,
  );
  db.exec(`INSERT INTO lab_scores (version, customer_id, score, decile, factors)
           SELECT ${v}, id, (id % 997) / 997.0, 1 + (id * 7) % 10, '[]' FROM customers WHERE id % 10 <> 3`);
  db.prepare(`INSERT INTO lab_active (target_key, version) VALUES ('churn', ?)`).run(v);
  return () => {
    db.prepare(`DELETE FROM lab_active WHERE target_key = 'churn' AND version = ?`).run(v);
    db.prepare('DELETE FROM lab_scores WHERE version = ?').run(v);
    db.prepare('DELETE FROM lab_models WHERE version = ?').run(v);
  };
}

/** This thread's CPU milliseconds for f (SQLite runs on it): steadier than wall time on a loaded box. */
function cpuMs(f: () => void): number {
  const c = process.cpuUsage();
  f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

/** The least CPU time of each variant over `rounds` rounds, the variants taking turns within a round. */
function bestOf<K extends string>(rounds: number, variants: [K, () => void][]): Record<K, number> {
  const out = Object.fromEntries(variants.map(([k]) => [k, Number.POSITIVE_INFINITY])) as Record<K, number>;
  for (let r = 0; r < rounds; r++)
    for (let j = 0; j < variants.length; j++) {
      const [k, f] = variants[(r + j) % variants.length]!;
      out[k] = Math.min(out[k], cpuMs(f));
    }
  return out;
}

export async function benchChurnField(opts: {
  db: string;
  customers: number;
  samples: number;
  print: (s: string) => void;
}): Promise<void> {
  const { print } = opts;
  const fresh = !existsSync(opts.db);
  const { db } = await openStore(opts.db);
  try {
    if (fresh) {
      const s = await generateDemo(db, { customers: opts.customers, txnsPerCustomer: 2 });
      print(`  generated a ${s.customers.toLocaleString('en-US')}-customer store in ${s.seconds.toFixed(0)} s`);
    }
    const undo = ensureChurnModel(db);
    try {
      measure(db, opts.samples, print);
    } finally {
      undo();
    }
  } finally {
    db.close();
  }
}

function measure(db: Database, samples: number, print: (s: string) => void): void {
  const n = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
  const scored = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM lab_scores s JOIN lab_active a ON a.version = s.version WHERE a.target_key = 'churn'`,
      )
      .get() as { n: number }
  ).n;
  print(
    `  store: ${n.toLocaleString('en-US')} customers, ${scored.toLocaleString('en-US')} scored by the active churn model`,
  );

  // Pages: 100 ids of the AUM order at random depths, fetched by primary key as the grid does.
  const order = db.prepare('SELECT id FROM customers ORDER BY aum_fen DESC, id DESC').pluck().all() as number[];
  const pageSql = (select: string, from: string) =>
    db.prepare(`SELECT ${select} ${from} WHERE c.id IN (${Array.from({ length: 100 }, () => '?').join(', ')})`);
  const without = FIELD_KEYS.filter((k) => k !== 'churnGroup');
  const pages = {
    'without the field': pageSql(['c.id', ...without.map((k) => `${FIELD_SQL[k]} AS ${k}`)].join(', '), OLD_FROM),
    'old (subquery per row)': pageSql(['c.id', ...FIELD_KEYS.map((k) => `${oldSql(k)} AS ${k}`)].join(', '), OLD_FROM),
    'new (one join)': pageSql(FIELD_SELECT, FIELD_FROM),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
  for (let i = 0; i < samples; i++) {
    const at = Math.floor((((i * 7919) % 1000) / 1000) * Math.max(0, order.length - 100));
    const ids = order.slice(at, at + 100);
    // each variant in turn on the same ids (the first read of a page warms the cache for the others:
    // the order rotates so no variant is always first)
    const names = Object.keys(pages);
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length]!;
      times[name]!.push(cpuMs(() => pages[name as keyof typeof pages].all(...ids)));
    }
  }
  for (const [name, xs] of Object.entries(times)) print(`  page of 100 by key, ${name.padEnd(22)} CPU ${fmt(xs)}`);

  // Exports: every customer, every export column (or all but the field), in customer-number order.
  const branchId = (db.prepare(`SELECT branch_id AS b FROM users WHERE username = 'president'`).get() as { b: number })
    .b;
  const scope = scopeFor(db, { role: 'president', staffId: null, branchId }, TODAY);
  const sort = [{ col: 'customerNo' as const, dir: 'asc' as const }];
  const cols = EXPORT_COLUMNS.filter((k) => k !== 'churnGroup');
  const newWith = exportQuery(scope, {}, sort, EXPORT_COLUMNS, TODAY);
  const newWithout = exportQuery(scope, {}, sort, cols, TODAY);
  const { where, params } = compileFilter(scope, {}, TODAY);
  const oldSelect = (keys: readonly (typeof FIELD_KEYS)[number][]) =>
    `SELECT ${keys.map(oldSql).join(', ')} ${OLD_FROM} WHERE ${where} ORDER BY c.customer_no ASC, c.id ASC`;
  const read = (sql: string, p: readonly unknown[]) => () => {
    let rows = 0;
    for (const _ of db
      .prepare(sql)
      .raw()
      .iterate(...p))
      rows++;
    if (rows !== n) throw new Error(`export read ${rows} of ${n} rows`);
  };
  const exports: [
    'old, without the field' | 'old, with the field' | 'new, without the field' | 'new, with the field',
    () => void,
  ][] = [
    ['old, without the field', read(oldSelect(cols), params)],
    ['old, with the field', read(oldSelect(EXPORT_COLUMNS), params)],
    ['new, without the field', read(newWithout.sql, newWithout.params)],
    ['new, with the field', read(newWith.sql, newWith.params)],
  ];
  const ms = bestOf(4, exports);
  const base = ms['old, without the field'];
  for (const [name, m] of Object.entries(ms) as [string, number][])
    print(
      `  export read, ${n.toLocaleString('en-US')} rows, ${name.padEnd(23)} ${(m / 1000).toFixed(2)} CPU s (best of 4), ${(m / base).toFixed(2)} x the old statement without the field`,
    );
  print(
    `  the field's cost in an export read: old +${((ms['old, with the field'] - base) / 1000).toFixed(2)} CPU s, new +${((ms['new, with the field'] - ms['new, without the field']) / 1000).toFixed(2)} CPU s`,
  );

  // A short export (number, name, AUM, the group): the old statement joined branches and staff anyway.
  const short = ['customerNo', 'name', 'aum', 'churnGroup'] as const;
  const newShort = exportQuery(scope, {}, sort, short, TODAY);
  const s = bestOf(4, [
    ['old', read(oldSelect(short), params)],
    ['new', read(newShort.sql, newShort.params)],
  ]);
  print(
    `  export read, ${n.toLocaleString('en-US')} rows x customer number, name, AUM, 流失风险组: old ${(s.old / 1000).toFixed(2)} CPU s, new ${(s.new / 1000).toFixed(2)} CPU s (best of 4), ratio ${(s.old / s.new).toFixed(2)} x`,
  );

  // An advanced query on the field, counted on the SQL path.
  const filter: GridFilter = { advanced: { op: 'and', items: [{ field: 'churnGroup', op: 'lte', value: 2 }] } };
  const q = compileFilter(scope, filter, TODAY);
  const newCount = db.prepare(`SELECT COUNT(*) FROM customers c WHERE ${q.where}`).pluck();
  const oldCount = db.prepare(`SELECT COUNT(*) FROM customers c WHERE ${where} AND ${OLD_EXPR} <= ?`).pluck();
  const a = newCount.get(...q.params);
  const b = oldCount.get(...params, 2);
  if (a !== b) throw new Error(`advanced query counts differ: new ${String(a)}, old ${String(b)}`);
  const t = bestOf(5, [
    ['old', () => oldCount.get(...params, 2)],
    ['new', () => newCount.get(...q.params)],
  ]);
  print(
    `  advanced query 流失风险组 <= 2 (${String(a)} customers), SQL count: old ${t.old.toFixed(1)} CPU ms, new ${t.new.toFixed(1)} CPU ms (best of 5), ratio ${(t.old / t.new).toFixed(1)} x`,
  );
}

if (require.main === module) {
  const a = parseCliOptions(process.argv.slice(2), {
    db: { type: 'string' },
    customers: { type: 'string' },
    samples: { type: 'string' },
  });
  if (!a.db) throw new Error('--db STORE is required');
  benchChurnField({
    db: a.db,
    customers: Number(a.customers ?? 100_000),
    samples: Number(a.samples ?? 200),
    print: (s) => process.stdout.write(`${s}\n`),
  }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
