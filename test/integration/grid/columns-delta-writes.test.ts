import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openConnection } from '../../../db/cipher';
import { buildColumns, type ColumnData, freshColumns } from '../../../db/customer-columns';
import {
  columnsCachePath,
  columnsDeltaPath,
  readColumnsDelta,
  readColumnsState,
} from '../../../db/customer-columns-cache';
import { SORT_SQL } from '../../../db/customer-field-sql';
import { computeScores } from '../../../db/scores/compute';
import { refreshFactors, retier } from '../../../db/tiering';
import { fixedClock } from '../../../main/clock';
import { revertJob } from '../../../main/jobs/engine/revert';
import { log } from '../../../main/log';
import { createServices, type Services } from '../../../main/services';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { CIF_HEADER, CIF_PROFILE, tempDir, writeText } from '../imports/helpers';

/**
 * Issue 18.1: re-tiering, a revert and the scores step (it writes the grid's copies of the scores)
 * update the grid's columns from what they wrote, as an import does (db/customer-columns-delta.ts recordColumnChanges): the delta file beside the cache names the
 * customers they changed, the columns worker applies it to the cached columns, and the result equals a
 * full build array for array.
 */
const TODAY = '2026-10-31';
const ADMIN = { userId: 1, username: 'admin', role: 'admin' };
let services: Services;
let dbPath = '';
let dir = '';
const sources: string[] = [];

function fullBuild(): ColumnData {
  const check = openConnection(dbPath, { readonly: true });
  try {
    return buildColumns(check, SORT_SQL);
  } finally {
    check.close();
  }
}

/** The next columns installed after `from` (a new object), once fresh. */
async function nextColumns(from: ColumnData | null): Promise<ColumnData> {
  const t0 = Date.now();
  for (;;) {
    const d = freshColumns(services.db);
    if (d && d !== from) return d;
    if (Date.now() - t0 > 60_000) throw new Error('columns not back within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 400, seed: 31 });
  dbPath = demo.file;
  demo.close();
  dir = tempDir();
  vi.spyOn(log, 'info').mockImplementation((msg: string) => {
    if (msg.startsWith('customer columns')) sources.push(msg);
  });
  services = await createServices({
    dbPath,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
    columnsMinCustomers: 1,
    backgroundDelayMs: 0,
  });
  await nextColumns(null);
  await services.followUps.idle();
  expect(existsSync(columnsCachePath(dbPath))).toBe(true);
}, 120_000);
afterAll(async () => {
  await services?.close();
  vi.restoreAllMocks();
  removeTempDirs();
});

describe('re-tiering and reverts update the columns from their delta', () => {
  it('re-tiering: a delta of exactly the re-tiered customers, applied by the worker, equals a full build', async () => {
    refreshFactors(services.db, TODAY);
    // The demo's tiers are not the default model's: a first re-tier moves most of the book (a build).
    const first = await nextColumns(null);
    retier(services.db, DEFAULT_TIER_MODEL, { userId: null, now: new Date(`${TODAY}T03:00:00Z`) });
    const before = await nextColumns(first);
    await services.followUps.idle();
    const base = readColumnsState(services.db)!;
    expect(base.dirty).toBe(false);
    // Then a small change of one threshold: a few customers move.
    const m = { ...DEFAULT_TIER_MODEL, thresholds: { ...DEFAULT_TIER_MODEL.thresholds, key: 20, ordinary: 7 } };
    const r = retier(services.db, m, { userId: null, now: new Date(`${TODAY}T04:00:00Z`) });
    expect(r.changed).toBeGreaterThan(0);
    expect(r.changed * 4).toBeLessThan(before.n); // small enough for an update rather than a build
    const after = readColumnsState(services.db)!;
    expect(after.dirty).toBe(false); // the delta drew the next token in the same transaction
    expect(after.token).not.toBe(base.token);
    const delta = readColumnsDelta(columnsCachePath(dbPath), after.token, after.schema, null);
    expect(delta?.base).toBe(base.token);
    const retiered = services.db
      .prepare('SELECT DISTINCT customer_id FROM customer_tier_changes WHERE model_version = ? ORDER BY customer_id')
      .pluck()
      .all(r.version) as number[];
    expect(Array.from(delta!.ids)).toEqual(retiered);
    const n = sources.length;
    const got = await nextColumns(before);
    expect(sources.slice(n)).toContain('customer columns updated from the imports since their cache');
    expect(got).toEqual(fullBuild());
    await services.followUps.idle();
  });

  it('the scores step: the grid copies of the scores it moves come as a delta, equal to a full build', async () => {
    await services.followUps.idle();
    // A full run first, so the next one moves only what is put out of step below.
    computeScores(services.db, { today: TODAY, full: true });
    // Some customers' grid copies of their points put out of step (a direct write: the book is changed),
    // then the columns of that book, before the scores step puts them back.
    const wrong = services.db
      .prepare('SELECT id FROM customers WHERE id % 9 = 0 ORDER BY id')
      .pluck()
      .all() as number[];
    const current = await nextColumns(null);
    services.db.prepare('UPDATE customers SET points = points + 7 WHERE id % 9 = 0').run();
    const before = await nextColumns(current);
    const base = readColumnsState(services.db)!;
    expect(base.dirty).toBe(false);
    computeScores(services.db, { today: TODAY, full: true });
    const after = readColumnsState(services.db)!;
    expect(after.dirty).toBe(false);
    expect(after.token).not.toBe(base.token);
    const delta = readColumnsDelta(columnsCachePath(dbPath), after.token, after.schema, null);
    expect(delta?.base).toBe(base.token);
    expect(Array.from(delta!.ids)).toEqual(wrong); // exactly the customers whose copies it put back
    const n = sources.length;
    const got = await nextColumns(before);
    expect(sources.slice(n)).toContain('customer columns updated from the imports since their cache');
    expect(got).toEqual(fullBuild());
  });

  it('a revert of a CIF import: the delta names its customers, and the columns equal a full build', async () => {
    const picked = services.db
      .prepare(
        `SELECT c.customer_no AS no, b.code AS branch FROM customers c JOIN branches b ON b.id = c.branch_id ORDER BY c.id LIMIT 40 OFFSET 11`,
      )
      .all() as { no: string; branch: string }[];
    const manager = (
      services.db
        .prepare(`SELECT employee_no AS e FROM staff WHERE position = 'manager' ORDER BY id LIMIT 1`)
        .get() as { e: string }
    ).e;
    const id = (i: number) => {
      const body = `31011519850101${String(i).padStart(3, '0')}`;
      return body + residentIdCheckChar(body);
    };
    const lines = picked.map(
      (p, i) => `${p.no},个人,改名${i},身份证,${id(i)},,上海,${p.branch},2019-0${(i % 9) + 1}-15,${manager}`,
    );
    lines.push(`NEW-R1,个人,新客户,身份证,${id(95)},,上海,${picked[0]!.branch},2026-10-30,${manager}`);
    const file = writeText(dir, 'revert-me.csv', `${[CIF_HEADER, ...lines].join('\r\n')}\r\n`, 'utf-8');
    const columnsBefore = await nextColumns(null);
    const out = await services.imports.wait(
      services.imports.submit({
        file,
        profile: CIF_PROFILE,
        tolerance: 0,
        source: 'cli',
        userId: null,
        username: null,
      }).ticket,
    );
    expect(out.status).toBe('committed');
    const imported = await nextColumns(columnsBefore);
    await services.followUps.idle();
    const base = readColumnsState(services.db)!;
    expect(base.dirty).toBe(false);

    const r = revertJob(services.db, out.jobId!, ADMIN);
    expect(r.deleted).toBe(1);
    const after = readColumnsState(services.db)!;
    expect(after.dirty).toBe(false);
    const delta = readColumnsDelta(columnsCachePath(dbPath), after.token, after.schema, null);
    expect(existsSync(columnsDeltaPath(columnsCachePath(dbPath), after.token))).toBe(true);
    expect(delta?.base).toBe(base.token);
    const ids = new Set(Array.from(delta!.ids));
    const renamed = services.db
      .prepare(`SELECT id FROM customers WHERE customer_no IN (${picked.map(() => '?').join(',')})`)
      .pluck()
      .all(...picked.map((p) => p.no)) as number[];
    for (const c of renamed) expect(ids.has(c)).toBe(true); // every renamed customer, and the deleted one
    expect(ids.size).toBeGreaterThanOrEqual(renamed.length + 1);
    const n = sources.length;
    const got = await nextColumns(imported);
    expect(sources.slice(n)).toContain('customer columns updated from the imports since their cache');
    expect(got).toEqual(fullBuild());
    await services.followUps.idle();
  });
});
