import type { Pool, PoolClient } from 'pg';
import type { Change, Mutation, Outcome, PullResponse, PushResult } from '../../shared/sync/protocol';
import { PULL_PAGE } from '../../shared/sync/protocol';
import { createHash } from 'node:crypto';
import { CUSTOMER_SCOPE_TABLE, customerOf, type PullSubject, placeOf, pullVisible } from '../../shared/sync/read-rules';
import { anonymousAllowed, checkWrite, SYNC_RULES, type SyncActor } from '../../shared/sync/rules';
import { USERS_TABLE } from '../../shared/sync/user-rules';
import { resolveActor as defaultResolver } from './actors';
import type { PcIdentity } from './enrol';

/**
 * Applying pushed mutations and serving pulls. Mutations are applied in PostgreSQL transactions that
 * first take the branch's transaction-scoped advisory lock. That lock does two jobs:
 * - commit order: change-log sequence numbers are handed out (branches.last_seq) and become visible in
 *   the same order, because the next writer of the branch waits until this one has committed. A plain
 *   BIGSERIAL would not do: two transactions can take 3 and 4 and commit 4 first, and a PC that pulled
 *   up to 4 would never see 3;
 * - revision checks without races: no other write to the branch runs between the check and the write.
 * A branch makes a few thousand mutations a day, so serialising its writes costs nothing measurable;
 * branches do not wait for each other.
 */

// Namespace of the two-key advisory locks (distinct from the one-key space the migrator uses).
const BRANCH_LOCK_SPACE = 1;

type Row = Record<string, unknown>;

async function lockBranch(c: PoolClient, branch: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BRANCH_LOCK_SPACE, branch]);
}

/** Test seam: runs inside the transaction after the writes, before COMMIT (e.g. a deliberate delay). */
export type BeforeCommit = (c: PoolClient, ms: Mutation[]) => Promise<void>;

/**
 * Who a mutation's user is, as the hub knows them (`sent`: the role and staff number the PC names).
 * null: unknown or disabled, and the mutation is refused. The default is db/hub/actors.ts resolveActor.
 */
export type ActorResolver = (
  c: PoolClient,
  branch: string,
  userId: string,
  sent: Pick<Mutation, 'role' | 'staff'>,
) => Promise<SyncActor | null>;

export interface ApplyOptions {
  resolveActor?: ActorResolver;
  beforeCommit?: BeforeCommit;
}

/** Mutations per PostgreSQL transaction: bounds how long one PC's queue holds its branch's lock. */
export const MUTATIONS_PER_TRANSACTION = 100;

/**
 * Applies a PC's mutations in order, in transactions of up to MUTATIONS_PER_TRANSACTION. Each mutation
 * is atomic and processed once: its checks read only, so a refused or conflicting one writes nothing but
 * its outcome, and if anything fails the whole transaction rolls back and none of its mutations counts
 * as processed (the PC pushes them again). One commit per page instead of per mutation is what makes a
 * week's queue go up in seconds: a commit waits for the WAL flush.
 */
export async function applyMutations(
  pool: Pool,
  pc: PcIdentity,
  ms: Mutation[],
  opts: ApplyOptions = {},
): Promise<PushResult[]> {
  const results: PushResult[] = [];
  for (let i = 0; i < ms.length; i += MUTATIONS_PER_TRANSACTION)
    results.push(...(await applyPage(pool, pc, ms.slice(i, i + MUTATIONS_PER_TRANSACTION), opts)));
  return results;
}

interface Current {
  revision: number;
  data: Row | null;
  deleted: boolean;
}

/** One change-log row to write; seq is assigned once the page knows how many it has. */
interface Written {
  table: string;
  id: string;
  revision: number;
  data: string | null;
  deleted: boolean;
  mutationId: number;
}

const keyOf = (table: string, id: string) => `${table}\u0000${id}`;

/**
 * One page in one transaction with a fixed number of statements whatever its size: the records it
 * touches are read once, the mutations are judged in order in memory (exact, because the branch lock
 * keeps every other writer of the branch out until COMMIT), and rows, change log and outcomes are
 * written set-wise.
 */
async function applyPage(pool: Pool, pc: PcIdentity, ms: Mutation[], opts: ApplyOptions): Promise<PushResult[]> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await lockBranch(c, pc.branch);
    const pcRow = await c.query('SELECT last_mutation_id FROM pcs WHERE branch = $1 AND pc_id = $2 FOR UPDATE', [
      pc.branch,
      pc.pcId,
    ]);
    const processedUpTo = Number(pcRow.rows[0].last_mutation_id);
    const fresh = ms.filter((m) => m.id > processedUpTo);
    const firstOutcomes = await outcomesOf(
      c,
      pc,
      ms.filter((m) => m.id <= processedUpTo).map((m) => m.id),
    );
    const current = await loadCurrent(c, pc.branch, fresh);

    const results: PushResult[] = [];
    const actors = new Map<string, SyncActor | null>();
    const written: Written[] = [];
    const outcomes: {
      m: Mutation;
      outcome: string;
      reason: Record<string, unknown> | null;
      role: string | null;
    }[] = [];
    for (const m of ms) {
      if (m.id <= processedUpTo) {
        const first = firstOutcomes.get(m.id);
        // No row: an id below the last that was never sent (the PC skipped it); nothing to apply either way.
        results.push({ id: m.id, outcome: 'duplicate', ...(first ? { first } : {}) });
        continue;
      }
      const actor = await actorOf(c, pc.branch, m, opts.resolveActor, actors);
      const verdict =
        actor === undefined
          ? ({ outcome: 'refused', reason: { code: 'unknown_user', userId: m.userId } } as const)
          : judge(current, m, actor);
      if (verdict.outcome === 'applied') {
        for (const e of m.effects) {
          const k = keyOf(e.table, e.id);
          const deleted = 'deleted' in e;
          const revision = (current.get(k)?.revision ?? 0) + 1;
          current.set(k, { revision, data: deleted ? null : e.data, deleted });
          written.push({
            table: e.table,
            id: e.id,
            revision,
            data: deleted ? null : JSON.stringify(e.data),
            deleted,
            mutationId: m.id,
          });
        }
        results.push({ id: m.id, outcome: 'applied' });
      } else results.push({ id: m.id, outcome: verdict.outcome, reason: verdict.reason });
      outcomes.push({ m, outcome: verdict.outcome, reason: verdict.reason ?? null, role: actor?.role ?? null });
    }
    await writeRows(c, pc, written);
    if (outcomes.length > 0) {
      await c.query(
        `INSERT INTO mutations (branch, pc_id, mutation_id, name, args, outcome, reason, user_id, role)
         SELECT $1, $2, u.id, u.name, u.args::jsonb, u.outcome, u.reason::jsonb, u.user_id, u.role
           FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                AS u(id, name, args, outcome, reason, user_id, role)`,
        [
          pc.branch,
          pc.pcId,
          outcomes.map((o) => o.m.id),
          outcomes.map((o) => o.m.name),
          outcomes.map((o) => JSON.stringify(o.m.args ?? null)),
          outcomes.map((o) => o.outcome),
          outcomes.map((o) => (o.reason ? JSON.stringify(o.reason) : null)),
          outcomes.map((o) => o.m.userId ?? null),
          outcomes.map((o) => o.role),
        ],
      );
      // Whoever a PC writes for has signed in on it: their scope joins the PC's pull scope.
      const users = [...new Set(outcomes.filter((o) => o.role !== null).map((o) => o.m.userId!))];
      if (users.length > 0) await addPcUsers(c, pc, users);
      await c.query('UPDATE pcs SET last_mutation_id = $3, last_sync_at = now() WHERE branch = $1 AND pc_id = $2', [
        pc.branch,
        pc.pcId,
        outcomes.at(-1)!.m.id,
      ]);
    }
    await opts.beforeCommit?.(c, ms);
    await c.query('COMMIT');
    return results;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** The mutation's actor: null without a user (system work), undefined for a user the hub refuses. */
async function actorOf(
  c: PoolClient,
  branch: string,
  m: Mutation,
  resolve: ActorResolver = defaultResolver,
  cache: Map<string, SyncActor | null>,
): Promise<SyncActor | null | undefined> {
  if (!m.userId) return null;
  const key = JSON.stringify([m.userId, m.role ?? null, m.staff === undefined ? '?' : m.staff]);
  if (!cache.has(key)) {
    const sent = {
      ...(m.role !== undefined ? { role: m.role } : {}),
      ...(m.staff !== undefined ? { staff: m.staff } : {}),
    };
    cache.set(key, await resolve(c, branch, m.userId, sent));
  }
  return cache.get(key) ?? undefined;
}

async function outcomesOf(c: PoolClient, pc: PcIdentity, ids: number[]): Promise<Map<number, Outcome>> {
  if (ids.length === 0) return new Map();
  const r = await c.query(
    'SELECT mutation_id, outcome FROM mutations WHERE branch = $1 AND pc_id = $2 AND mutation_id = ANY($3::bigint[])',
    [pc.branch, pc.pcId, ids],
  );
  return new Map(r.rows.map((x) => [Number(x.mutation_id), x.outcome as Outcome]));
}

/**
 * The records the page touches, then the records their write rules are judged against (TableRule.refs:
 * a campaign entry's campaign), so the rules see the related state as it is under the branch lock.
 */
async function loadCurrent(c: PoolClient, branch: string, ms: Mutation[]): Promise<Map<string, Current>> {
  const effects = ms.flatMap((m) => m.effects);
  const out = new Map<string, Current>();
  const load = async (keys: { table: string; id: string }[]) => {
    if (keys.length === 0) return;
    const r = await c.query(
      `SELECT r.tbl, r.id, r.revision, r.data, r.deleted FROM records r
         JOIN unnest($2::text[], $3::text[]) AS k(tbl, id) ON r.tbl = k.tbl AND r.id = k.id
        WHERE r.branch = $1`,
      [branch, keys.map((e) => e.table), keys.map((e) => e.id)],
    );
    for (const x of r.rows)
      out.set(keyOf(x.tbl, x.id), { revision: Number(x.revision), data: x.data, deleted: x.deleted });
  };
  await load(effects);
  const refs = new Map<string, { table: string; id: string }>();
  for (const e of effects) {
    const refsOf = Object.hasOwn(SYNC_RULES, e.table) ? SYNC_RULES[e.table]!.refs : undefined;
    const row = 'deleted' in e ? out.get(keyOf(e.table, e.id))?.data : e.data;
    if (!refsOf || !row) continue;
    for (const ref of refsOf(row)) if (!out.has(keyOf(ref.table, ref.id))) refs.set(keyOf(ref.table, ref.id), ref);
  }
  await load([...refs.values()]);
  return out;
}

type Verdict =
  | { outcome: 'applied'; reason?: undefined }
  | { outcome: 'conflict' | 'refused'; reason: Record<string, unknown> };

/** Conflict when a record's revision moved since the PC read it; refused when a write rule says no. */
function judge(current: Map<string, Current>, m: Mutation, actor: SyncActor | null): Verdict {
  const seen = new Set<string>();
  // The mutation's own earlier effects, as its later ones see them (a campaign, then its entries).
  const mine = new Map<string, Row | null>();
  const related = (table: string, id: string) => {
    const k = keyOf(table, id);
    if (mine.has(k)) return mine.get(k)!;
    const r = current.get(k);
    return r && !r.deleted ? r.data : null;
  };
  for (const e of m.effects) {
    const k = keyOf(e.table, e.id);
    if (seen.has(k)) return { outcome: 'refused', reason: { code: 'duplicate_effect', table: e.table, id: e.id } };
    seen.add(k);
    const cur = current.get(k);
    const revision = cur?.revision ?? 0;
    if (e.baseRevision !== revision)
      return { outcome: 'conflict', reason: { table: e.table, id: e.id, baseRevision: e.baseRevision, revision } };
    const before = cur && !cur.deleted ? cur.data : null;
    const after = 'deleted' in e ? null : e.data;
    // A shared table people write names its writer: leaving the user out must not dodge the role checks.
    if (actor === null && Object.hasOwn(SYNC_RULES, e.table) && !anonymousAllowed(e.table, before, after))
      return { outcome: 'refused', reason: { code: 'no_actor', table: e.table, id: e.id } };
    const refusal = checkWrite(e.table, e.id, before, after, actor, SYNC_RULES, related);
    if (refusal) return { outcome: 'refused', reason: { ...refusal } };
    mine.set(k, after);
  }
  return { outcome: 'applied' };
}

/**
 * Appends the page's changes with the next sequence numbers of the branch, in the order the mutations
 * were applied, and upserts each touched record once with its final state (one statement cannot
 * update a row twice).
 */
async function writeRows(c: PoolClient, pc: PcIdentity, written: Written[]) {
  if (written.length === 0) return;
  // A customer's scope facts changed after they were first written: PCs re-pull what their scope now reaches.
  const rescoped = written.some((w) => w.table === CUSTOMER_SCOPE_TABLE && w.revision > 1) ? 1 : 0;
  const seq = await c.query(
    'UPDATE branches SET last_seq = last_seq + $2, scope_epoch = scope_epoch + $3 WHERE branch = $1 RETURNING last_seq',
    [pc.branch, written.length, rescoped],
  );
  const first = Number(seq.rows[0].last_seq) - written.length + 1;
  await c.query(
    `INSERT INTO changes (branch, seq, tbl, id, revision, data, deleted, pc_id, mutation_id)
     SELECT $1, $2 + u.ord - 1, u.tbl, u.id, u.revision, u.data::jsonb, u.deleted, $3, u.mutation_id
       FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[], $8::boolean[], $9::bigint[])
            WITH ORDINALITY AS u(tbl, id, revision, data, deleted, mutation_id, ord)`,
    [
      pc.branch,
      first,
      pc.pcId,
      written.map((w) => w.table),
      written.map((w) => w.id),
      written.map((w) => w.revision),
      written.map((w) => w.data),
      written.map((w) => w.deleted),
      written.map((w) => w.mutationId),
    ],
  );
  const finals = [...new Map(written.map((w) => [keyOf(w.table, w.id), w])).values()];
  await keepBranchRoots(c, pc.branch, finals);
  await c.query(
    `INSERT INTO records (branch, tbl, id, revision, data, deleted, updated_by, updated_at)
     SELECT $1, u.tbl, u.id, u.revision, u.data::jsonb, u.deleted, $2, now()
       FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::boolean[]) AS u(tbl, id, revision, data, deleted)
     ON CONFLICT (branch, tbl, id) DO UPDATE
       SET revision = EXCLUDED.revision, data = EXCLUDED.data, deleted = EXCLUDED.deleted,
           updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
    [
      pc.branch,
      pc.pcId,
      finals.map((w) => w.table),
      finals.map((w) => w.id),
      finals.map((w) => w.revision),
      finals.map((w) => w.data),
      finals.map((w) => w.deleted),
    ],
  );
}

/** A customer_scope chain as the root look-up keys it: its distinct codes and its last one (the top). */
function chainOf(data: unknown): { codes: string[]; root: string } | null {
  const b = (data as { branches?: unknown } | null)?.branches;
  if (!Array.isArray(b) || b.length === 0 || typeof b.at(-1) !== 'string') return null;
  return { codes: [...new Set(b.filter((x): x is string => typeof x === 'string'))], root: b.at(-1) as string };
}

/**
 * Keeps branch_roots (hub migration 0009) in step with the customer_scope records this page writes, before
 * they are written: each record's previous chain counts -1 for its (code, root) pairs, its new one +1, and
 * pairs no record holds any more are removed. The branch lock keeps other writers out until COMMIT.
 */
async function keepBranchRoots(c: PoolClient, branch: string, finals: Written[]): Promise<void> {
  const scoped = finals.filter((w) => w.table === CUSTOMER_SCOPE_TABLE);
  if (scoped.length === 0) return;
  const before = await c.query('SELECT data FROM records WHERE branch = $1 AND tbl = $2 AND id = ANY($3::text[])', [
    branch,
    CUSTOMER_SCOPE_TABLE,
    scoped.map((w) => w.id),
  ]);
  const delta = new Map<string, { code: string; root: string; n: number }>();
  const count = (data: unknown, n: number) => {
    const chain = chainOf(data);
    if (!chain) return;
    for (const code of chain.codes) {
      const k = keyOf(code, chain.root);
      const d = delta.get(k) ?? { code, root: chain.root, n: 0 };
      d.n += n;
      delta.set(k, d);
    }
  };
  for (const x of before.rows) count(x.data, -1);
  for (const w of scoped) if (w.data !== null) count(JSON.parse(w.data), 1);
  const moved = [...delta.values()].filter((d) => d.n !== 0);
  if (moved.length === 0) return;
  await c.query(
    `INSERT INTO branch_roots (branch, code, root, customers)
     SELECT $1, u.code, u.root, u.n FROM unnest($2::text[], $3::text[], $4::bigint[]) AS u(code, root, n)
     ON CONFLICT (branch, code, root) DO UPDATE SET customers = branch_roots.customers + EXCLUDED.customers`,
    [branch, moved.map((d) => d.code), moved.map((d) => d.root), moved.map((d) => d.n)],
  );
  if (moved.some((d) => d.n < 0))
    await c.query('DELETE FROM branch_roots WHERE branch = $1 AND customers <= 0', [branch]);
}

/** Records users as signed in on the PC (rows are only added; a PC's scope grows as people sign in). */
async function addPcUsers(c: Pool | PoolClient, pc: PcIdentity, users: string[]): Promise<void> {
  await c.query(
    `INSERT INTO pc_users (branch, pc_id, user_id) SELECT $1, $2, u FROM unnest($3::text[]) AS u
     ON CONFLICT DO NOTHING`,
    [pc.branch, pc.pcId, users],
  );
}

/** Changes scanned per pull at most, as multiples of the page: a narrow scope skips most of the log. */
const SCAN_PAGES = 10;

/** The hub's business date (Asia/Shanghai), for grants that end on a day. */
const businessDate = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * The users who signed in on the PC as the hub's accounts name them (disabled ones left out): whose
 * scopes, united, are the PC's pull scope (shared/sync/read-rules.ts).
 */
export async function pullSubjects(c: PoolClient, pc: PcIdentity): Promise<PullSubject[] | null> {
  // A branch with no account on the hub yet (its first PC is bringing them, db/hub/actors.ts): the
  // hub cannot name anyone's scope, and takes the enrolled PCs' word as it does for writes.
  const any = await c.query('SELECT 1 FROM records WHERE branch = $1 AND tbl = $2 LIMIT 1', [pc.branch, USERS_TABLE]);
  if (any.rows.length === 0) return null;
  const r = await c.query(
    `SELECT r.data FROM pc_users p JOIN records r ON r.branch = p.branch AND r.tbl = $3 AND r.id = lower(p.user_id)
      WHERE p.branch = $1 AND p.pc_id = $2 AND NOT r.deleted ORDER BY r.id`,
    [pc.branch, pc.pcId, USERS_TABLE],
  );
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const subjects: PullSubject[] = r.rows
    .map((x) => x.data as Record<string, unknown>)
    .filter((d) => d.disabled !== true && typeof d.username === 'string' && typeof d.role === 'string')
    .map((d) => ({ userId: String(d.username), role: String(d.role), staff: str(d.staff), branch: str(d.branch) }));
  // The top of each user's branch tree, from the customers' facts (a branch chain runs outlet → top), by
  // key: branch_roots pairs every code a chain holds with its top (kept on push, keepBranchRoots). A code
  // no chain holds (a head-office administrator, a new outlet) is its own top, found without a scan.
  const branches = [...new Set(subjects.map((x) => x.branch).filter((b) => b !== null))];
  if (branches.length > 0) {
    const roots = await c.query(
      `SELECT b.code, (SELECT t.root FROM branch_roots t WHERE t.branch = $1 AND t.code = b.code
                        ORDER BY t.root LIMIT 1) AS root
         FROM unnest($2::text[]) AS b(code)`,
      [pc.branch, branches],
    );
    const rootOf = new Map(roots.rows.map((x) => [x.code as string, (x.root as string | null) ?? null]));
    for (const x of subjects) if (x.branch !== null) x.root = rootOf.get(x.branch) ?? x.branch;
  }
  return subjects;
}

/**
 * Changes of the PC's branch after `cursor`, in commit order, that its pull scope reaches: the records
 * the users who signed in on it may read (shared/sync/read-rules.ts), and every change the PC wrote
 * itself. The PC's last processed mutation id is read FIRST: every mutation at or below it has committed,
 * so its changes are in the page(s) that follow, and the PC may drop those outbox entries once it has
 * pulled to the end (more = false). The rest is read in one snapshot, so the scope, the facts and the
 * change log agree. `scope` names the scope (its users and the branch's scope epoch): when it changes,
 * the PC pulls again from the start what it could not see before (main/sync/hub-client.ts).
 */
export async function pullChanges(
  pool: Pool,
  pc: PcIdentity,
  cursor: number,
  opts: { limit?: number; queued?: number | null; users?: readonly string[] } = {},
): Promise<PullResponse> {
  const limit = opts.limit ?? PULL_PAGE;
  const last = await pool.query(
    `UPDATE pcs SET last_sync_at = now(), queued = coalesce($3, queued)
      WHERE branch = $1 AND pc_id = $2 RETURNING last_mutation_id`,
    [pc.branch, pc.pcId, opts.queued ?? null],
  );
  if (opts.users && opts.users.length > 0) await addPcUsers(pool, pc, [...new Set(opts.users)]);
  const c = await pool.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const subjects = await pullSubjects(c, pc);
    const epoch = await c.query('SELECT scope_epoch FROM branches WHERE branch = $1', [pc.branch]);
    const scope = createHash('sha256')
      .update(JSON.stringify([subjects, Number(epoch.rows[0]?.scope_epoch ?? 0)]))
      .digest('hex')
      .slice(0, 32);
    const today = businessDate();
    const changes: Change[] = [];
    let scanned = cursor;
    let more = false;
    for (let page = 0; page < SCAN_PAGES; page++) {
      const r = await c.query(
        `SELECT seq, tbl, id, revision, data, deleted, pc_id FROM changes
          WHERE branch = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [pc.branch, scanned, limit + 1],
      );
      const rows = r.rows.slice(0, limit);
      const customers = [
        ...new Set(rows.map((x) => customerOf(x.tbl, x.id, x.deleted ? null : x.data)).filter((n) => n !== null)),
      ];
      const places = new Map<string, ReturnType<typeof placeOf>>();
      if (customers.length > 0) {
        const f = await c.query(
          'SELECT id, data FROM records WHERE branch = $1 AND tbl = $2 AND id = ANY($3::text[])',
          [pc.branch, CUSTOMER_SCOPE_TABLE, customers],
        );
        for (const x of f.rows) places.set(x.id, placeOf(x.data));
      }
      const beyond = r.rows.length > limit;
      let left = rows.length;
      for (const x of rows) {
        left -= 1;
        const own = x.pc_id === pc.pcId;
        const data = x.deleted ? null : x.data;
        const visible =
          own || subjects === null || pullVisible(x.tbl, x.id, data, subjects, (no) => places.get(no) ?? null, today);
        if (visible)
          changes.push({
            seq: Number(x.seq),
            table: x.tbl,
            id: x.id,
            revision: Number(x.revision),
            data: x.data,
            deleted: x.deleted,
          });
        scanned = Number(x.seq);
        if (changes.length >= limit) break;
      }
      // Not to the end of the log: the page is full, or the scan went as far as one pull may.
      more = left > 0 || beyond;
      if (!more || changes.length >= limit) break;
    }
    await c.query('COMMIT');
    return { changes, cursor: scanned, more, lastMutationId: Number(last.rows[0].last_mutation_id), scope };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

export async function lastMutationId(pool: Pool, pc: PcIdentity): Promise<number> {
  const r = await pool.query('SELECT last_mutation_id FROM pcs WHERE branch = $1 AND pc_id = $2', [pc.branch, pc.pcId]);
  return Number(r.rows[0]?.last_mutation_id ?? 0);
}
