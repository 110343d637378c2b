import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolPc, ensureBranch, issueEnrolCode, type PcIdentity } from '../../../db/hub/enrol';
import { applyMutations, pullChanges, pullSubjects } from '../../../db/hub/push';
import type { Mutation } from '../../../shared/sync/protocol';
import { ownerPool, startPg, type TestPg } from './support';

/**
 * Issue 16: a pull names the top of each signed-in user's branch tree (a teller's scope runs from it).
 * The hub reads it by key from branch_roots (hub migration 0009), kept in the push transaction that
 * writes the customer_scope records, instead of scanning those records for a chain holding the code: a
 * code no chain holds (a head-office administrator, a new outlet) used to cost a read of every customer's
 * facts on every pull. Here: the table follows pushes and re-homed chains exactly, the roots it gives are
 * the ones the old scan found, and the pull takes its roots from it (not from the records).
 */
const BRANCH = 'R01';
let server: TestPg;
let owner: pg.Pool;
let app: pg.Pool;
let pc: PcIdentity;
let nextId = 1;

/** The old definition: the last code of some customer_scope chain holding `code` (null: none does). */
const OLD_SCAN = `SELECT b.code, (SELECT r.data->'branches'->>(jsonb_array_length(r.data->'branches') - 1) FROM records r
                   WHERE r.branch = $1 AND r.tbl = 'customer_scope' AND r.data->'branches' ? b.code LIMIT 1) AS root
                    FROM unnest($2::text[]) AS b(code)`;

const scopeFacts = (no: string, branches: string[], baseRevision = 0): Mutation => ({
  id: nextId++,
  name: 'customer_scope.sync',
  args: null,
  effects: [{ table: 'customer_scope', id: no, baseRevision, data: { branches, manager: null, grants: [] } }],
});

async function push(ms: Mutation[]) {
  const r = await applyMutations(app, pc, ms);
  expect(r.map((x) => x.outcome)).toEqual(ms.map(() => 'applied'));
}

/** branch_roots as kept, against a recount over the records as they are now. */
async function keptAndRecounted() {
  const kept = await owner.query(
    'SELECT code, root, customers::int AS n FROM branch_roots WHERE branch = $1 ORDER BY code, root',
    [BRANCH],
  );
  const recount = await owner.query(
    `SELECT c.code, r.data->'branches'->>(jsonb_array_length(r.data->'branches') - 1) AS root, count(*)::int AS n
       FROM records r CROSS JOIN LATERAL (SELECT DISTINCT jsonb_array_elements_text(r.data->'branches') AS code) c
      WHERE r.branch = $1 AND r.tbl = 'customer_scope' GROUP BY 1, 2 ORDER BY 1, 2`,
    [BRANCH],
  );
  return { kept: kept.rows, recount: recount.rows };
}

async function rootsOfSubjects(): Promise<Record<string, string | null | undefined>> {
  const c = await app.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const subjects = await pullSubjects(c, pc);
    await c.query('COMMIT');
    return Object.fromEntries((subjects ?? []).map((s) => [s.userId, s.root]));
  } finally {
    c.release();
  }
}

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('branchroots');
  owner = ownerPool(server, db);
  app = new pg.Pool({ connectionString: server.appUrl(db), max: 2 });
  app.on('error', () => {});
  await ensureBranch(owner, BRANCH);
  const { code } = await issueEnrolCode(owner, BRANCH);
  const enrolled = await enrolPc(owner, { branch: BRANCH, code, name: 'PC' });
  pc = { branch: BRANCH, pcId: enrolled!.pcId };
  // The hub's accounts (as a PC brings them): a teller of outlet S1, one of outlet S9, a head-office admin.
  const user = (username: string, role: string, branch: string) =>
    owner.query(
      `INSERT INTO records (branch, tbl, id, revision, data, deleted, updated_by, updated_at)
       VALUES ($1, 'users', $2, 1, $3, false, $4, now())`,
      [BRANCH, username, { username, role, staff: null, branch }, pc.pcId],
    );
  await user('t1', 'teller', 'S1');
  await user('t9', 'teller', 'S9');
  await user('hq', 'admin', 'HQ');
  await pullChanges(app, pc, 0, { users: ['t1', 't9', 'hq'] });
}, 60_000);

afterAll(async () => {
  await app?.end();
  await owner?.end();
  await server?.stop();
});

describe('branch roots by key', () => {
  it('are kept on push as the chains change, agree with the old scan, and are what the pull reads', async () => {
    // Outlets S1 and S2 under sub-branch M1 under H0; S9 under H9 (three customers of S1, one each else).
    await push([
      scopeFacts('C1', ['S1', 'M1', 'H0']),
      scopeFacts('C2', ['S1', 'M1', 'H0']),
      scopeFacts('C3', ['S1', 'M1', 'H0']),
      scopeFacts('C4', ['S2', 'M1', 'H0']),
      scopeFacts('C5', ['S9', 'H9']),
    ]);
    let t = await keptAndRecounted();
    expect(t.kept).toEqual(t.recount);
    expect(t.kept).toContainEqual({ code: 'S1', root: 'H0', n: 3 });
    expect(t.kept).toContainEqual({ code: 'M1', root: 'H0', n: 4 });
    const codes = ['S1', 'S2', 'M1', 'H0', 'S9', 'H9', 'HQ', 'NEW'];
    const byScan = async () =>
      Object.fromEntries((await owner.query(OLD_SCAN, [BRANCH, codes])).rows.map((x) => [x.code, x.root ?? x.code]));
    const byKey = async () =>
      Object.fromEntries(
        (
          await owner.query(
            `SELECT b.code, (SELECT t.root FROM branch_roots t WHERE t.branch = $1 AND t.code = b.code
                              ORDER BY t.root LIMIT 1) AS root FROM unnest($2::text[]) AS b(code)`,
            [BRANCH, codes],
          )
        ).rows.map((x) => [x.code, x.root ?? x.code]),
      );
    expect(await byKey()).toEqual(await byScan());
    expect(await rootsOfSubjects()).toEqual({ t1: 'H0', t9: 'H9', hq: 'HQ' });

    // Two of S1's customers re-homed to S9 and the third to a new tree: S1 leaves H0 only with the last.
    await push([scopeFacts('C1', ['S9', 'H9'], 1), scopeFacts('C2', ['S9', 'H9'], 1)]);
    t = await keptAndRecounted();
    expect(t.kept).toEqual(t.recount);
    expect(t.kept).toContainEqual({ code: 'S1', root: 'H0', n: 1 });
    expect(t.kept).toContainEqual({ code: 'S9', root: 'H9', n: 3 });
    await push([scopeFacts('C3', ['S7', 'H7'], 1)]);
    t = await keptAndRecounted();
    expect(t.kept).toEqual(t.recount);
    expect(t.kept.map((x) => x.code)).not.toContain('S1');
    expect(await byKey()).toEqual(await byScan());
    // No chain holds S1 now: its teller's tree tops at S1 itself, as with the scan.
    expect(await rootsOfSubjects()).toEqual({ t1: 'S1', t9: 'H9', hq: 'HQ' });
    // The migration's fill of the records already shared gives the same table.
    const sql = readFileSync(path.join(__dirname, '../../../db/hub/migrations/0009_branch_roots.sql'), 'utf8');
    const fill = sql.slice(sql.indexOf('WITH chains'), sql.indexOf('GRANT'));
    await owner.query('DELETE FROM branch_roots WHERE branch = $1', [BRANCH]);
    await owner.query(fill);
    expect((await keptAndRecounted()).kept).toEqual(t.kept);

    // The pull reads the table, not the records: a pair only the table holds is the root it names, and
    // one taken from the table is gone though the records still hold its chain.
    await owner.query("INSERT INTO branch_roots (branch, code, root, customers) VALUES ($1, 'HQ', 'H0', 1)", [BRANCH]);
    await owner.query("DELETE FROM branch_roots WHERE branch = $1 AND code = 'S9'", [BRANCH]);
    expect(await rootsOfSubjects()).toEqual({ t1: 'S1', t9: 'S9', hq: 'H0' });
  });
});
