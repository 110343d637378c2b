import type { Database } from 'better-sqlite3';
import { PASSWORD_POLICY } from '../../shared/password-policy';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { USERS_TABLE, userRecordId, type WireReset } from '../../shared/sync/user-rules';
import { query } from '../sql';
import { listRecords, MutationRefused, type Mutators, type Projection, readRecord, recordMutation } from './replica';
import { syncJoined } from './schema';
import { BRANCH_ID as BRANCH } from './local-ids';

/**
 * Users on the hub (issue 16, "Identity"). The replica record (table `users`, id = user name in lower
 * case) is the account as the branch knows it; the local `users` table, its previous passwords and its
 * pending reset are its projection, so sign-in, sessions, scope and every join on users.id stay as in
 * standalone mode, and signing in offline uses the last hash synced here. Each PC keeps its own INTEGER
 * ids, failed attempts, locks and last sign-in.
 *
 * As for referrals, a handler writes the local tables as in standalone mode and then records what
 * changed (shareUser) in the same transaction. A change the hub refuses because the account moved is
 * re-run on the hub's state with the same patch (a later change of another field is kept); a creation
 * whose name another PC took first, or a decision on a reset that is no longer pending, becomes a
 * 同步冲突 entry and the projection puts the hub's account back.
 */
export { USERS_TABLE };

interface WireUser {
  username: string;
  display_name: string;
  role: string;
  staff: string | null;
  branch: string | null;
  password_hash: string;
  must_change: number;
  disabled: number;
  locale: string;
}

const WIRE = query<[id: number], WireUser>(
  `SELECT u.username, u.display_name, u.role, s.employee_no AS staff, b.code AS branch, u.password_hash,
          u.must_change_password AS must_change, u.disabled, u.locale
   FROM users u LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN branches b ON b.id = u.branch_id
   WHERE u.id = ?`,
);
const HISTORY = query<[userId: number, n: number], { password_hash: string }>(
  'SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?',
);
const PENDING = query<
  [userId: number],
  { id: number; temp_hash: string; by: string; requested_at: string; expires_at: string }
>(
  `SELECT r.id, r.temp_hash, q.username AS by, r.requested_at, r.expires_at FROM password_resets r
   JOIN users q ON q.id = r.requested_by WHERE r.user_id = ? AND r.status = 'pending'`,
);
const ALL_IDS = query<[], { id: number }>('SELECT id FROM users ORDER BY id');
const LOCAL = query<
  [username: string],
  { id: number; staff_id: number | null; password_hash: string; disabled: number }
>('SELECT id, staff_id, password_hash, disabled FROM users WHERE username = ?');
const STAFF = query<[no: string], { id: number; branch_id: number }>(
  'SELECT id, branch_id FROM staff WHERE employee_no = ?',
);
const STAFF_TAKEN = query<[staffId: number, username: string], { id: number }>(
  'SELECT id FROM users WHERE staff_id = ? AND username <> ?',
);
const ROOT_BRANCH = query<[], { id: number }>('SELECT id FROM branches WHERE parent_id IS NULL ORDER BY id LIMIT 1');
const INSERT = query<
  [
    username: string,
    displayName: string,
    role: string,
    staffId: number | null,
    branchId: number | null,
    hash: string,
    mustChange: number,
    disabled: number,
    locale: string,
  ]
>(
  `INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash, must_change_password,
     disabled, locale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const UPDATE = query<
  [
    displayName: string,
    role: string,
    staffId: number | null,
    branchId: number | null,
    hash: string,
    mustChange: number,
    disabled: number,
    locale: string,
    at: string,
    id: number,
  ]
>(
  `UPDATE users SET display_name = ?, role = ?, staff_id = ?, branch_id = ?, password_hash = ?,
     must_change_password = ?, disabled = ?, locale = ?, updated_at = ? WHERE id = ?`,
);
const CLEAR_HISTORY = query<[userId: number]>('DELETE FROM password_history WHERE user_id = ?');
const ADD_HISTORY = query<[userId: number, hash: string, at: string]>(
  'INSERT INTO password_history (user_id, password_hash, replaced_at) VALUES (?, ?, ?)',
);
const CLOSE_PENDING = query<[status: string, at: string, id: number]>(
  "UPDATE password_resets SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
);
const ADD_PENDING = query<[userId: number, by: number, at: string, expires: string, hash: string]>(
  'INSERT INTO password_resets (user_id, requested_by, requested_at, expires_at, temp_hash) VALUES (?, ?, ?, ?, ?)',
);
const UNPLACED = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s WHERE s.tbl = 'users' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM users u WHERE u.username = json_extract(s.data, '$.username'))`,
);

const now = () => new Date().toISOString();

/** The account as it crosses the wire: natural keys for staff and branch, previous hashes, pending reset. */
export function userWire(db: Database, id: number): SyncRow {
  const u = WIRE.get(db, id);
  if (!u) throw new Error(`user ${id} not found for sync`);
  const p = PENDING.get(db, id);
  const reset: WireReset | null = p ? { hash: p.temp_hash, by: p.by, at: p.requested_at, expires: p.expires_at } : null;
  return {
    ...u,
    must_change: u.must_change === 1,
    disabled: u.disabled === 1,
    history: HISTORY.all(db, id, PASSWORD_POLICY.history).map((h) => h.password_hash),
    reset,
  };
}

/** What changed about an account on another PC, for the main process to act on (end sessions). */
export interface UserChange {
  userId: number;
  passwordChanged: boolean;
  disabled: boolean;
}
export type UserChangeListener = (c: UserChange) => void;
const listeners = new WeakMap<Database, UserChangeListener>();

/** Per store handle: told inside the pull's transaction when a synced account's password or state moved. */
export function setUserChangeListener(db: Database, fn: UserChangeListener): void {
  listeners.set(db, fn);
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Keeps the local account equal to the replica's. An account whose staff member this store's book does
 * not hold yet (an extract not imported here) is left out and placed after a later cycle; so is one
 * whose staff member another local account already has (two names for one person: the administrator
 * sorts it out on that PC).
 */
export const projectUser: Projection = (db, _id, row) => {
  if (row === null) return;
  const username = String(row.username);
  const staffNo = text(row.staff);
  const staff = staffNo === null ? null : STAFF.get(db, staffNo);
  if (staffNo !== null && !staff) return;
  if (staff && STAFF_TAKEN.get(db, staff.id, username)) return;
  const branchCode = text(row.branch);
  const branchId =
    (branchCode === null ? undefined : BRANCH.get(db, branchCode)?.id) ?? staff?.branch_id ?? ROOT_BRANCH.get(db)?.id;
  const hash = String(row.password_hash);
  const disabled = row.disabled === true ? 1 : 0;
  const before = LOCAL.get(db, username);
  let localId: number;
  if (before) {
    localId = before.id;
    UPDATE.run(
      db,
      String(row.display_name),
      String(row.role),
      staff?.id ?? null,
      branchId ?? null,
      hash,
      row.must_change === true ? 1 : 0,
      disabled,
      String(row.locale),
      now(),
      localId,
    );
  } else {
    localId = Number(
      INSERT.run(
        db,
        username,
        String(row.display_name),
        String(row.role),
        staff?.id ?? null,
        branchId ?? null,
        hash,
        row.must_change === true ? 1 : 0,
        disabled,
        String(row.locale),
      ).lastInsertRowid,
    );
  }
  placeHistory(db, localId, row.history);
  placeReset(db, localId, hash, row.reset);
  if (before && (before.password_hash !== hash || (disabled === 1 && before.disabled === 0)))
    listeners.get(db)?.({ userId: localId, passwordChanged: before.password_hash !== hash, disabled: disabled === 1 });
};

function placeHistory(db: Database, userId: number, history: unknown): void {
  const hashes = Array.isArray(history) ? history.filter((h): h is string => typeof h === 'string') : [];
  const current = HISTORY.all(db, userId, PASSWORD_POLICY.history).map((h) => h.password_hash);
  if (JSON.stringify(current) === JSON.stringify(hashes.slice(0, PASSWORD_POLICY.history))) return;
  CLEAR_HISTORY.run(db, userId);
  const at = now();
  // Oldest first, so the newest gets the highest id (password_history reads newest first by id).
  for (const h of hashes.slice(0, PASSWORD_POLICY.history).reverse()) ADD_HISTORY.run(db, userId, h, at);
}

function placeReset(db: Database, userId: number, hash: string, wire: unknown): void {
  const pending = PENDING.get(db, userId);
  const r = wire && typeof wire === 'object' ? (wire as WireReset) : null;
  if (pending && r && pending.temp_hash === r.hash) return;
  // Decided (or replaced) elsewhere: approved when its password is now the account's.
  if (pending) CLOSE_PENDING.run(db, pending.temp_hash === hash ? 'approved' : 'superseded', now(), pending.id);
  if (!r) return;
  const by = LOCAL.get(db, r.by)?.id;
  if (by === undefined || by === userId) return;
  ADD_PENDING.run(db, userId, by, r.at, r.expires, r.hash);
}

/** Accounts that arrived before this store could place them (their staff member's extract came since). */
export function reprojectUsers(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) projectUser(db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}

export type UserChangeName =
  | 'users.create'
  | 'users.setDisabled'
  | 'users.resetPassword'
  | 'users.decideReset'
  | 'auth.changePassword'
  | 'auth.setLocale';

/** Fields each change writes (the rest of the hub's record is kept on a re-run). */
const FIELDS: Record<Exclude<UserChangeName, 'users.create'>, readonly string[]> = {
  'users.setDisabled': ['disabled'],
  'users.resetPassword': ['reset', 'password_hash', 'must_change'],
  'users.decideReset': ['reset', 'password_hash', 'must_change'],
  'auth.changePassword': ['password_hash', 'must_change', 'history'],
  'auth.setLocale': ['locale'],
};

interface UserArgs {
  username: string;
  row?: SyncRow;
  patch?: SyncRow;
  /** users.decideReset: the request decided (its time), which must still be the pending one. */
  resetAt?: string;
}

function live(db: Database, username: string): SyncRow | null {
  const r = readRecord(db, USERS_TABLE, userRecordId(username));
  return r && !r.deleted ? r.data : null;
}

/**
 * Called by a handler inside its transaction, after the local write: on a PC joined to a hub, queues
 * the account's change. Standalone it does nothing and returns false.
 */
export function shareUser(db: Database, name: UserChangeName, userId: number, actor: SyncActor | null): boolean {
  if (!syncJoined(db)) return false;
  const data = userWire(db, userId);
  const username = String(data.username);
  const current = live(db, username);
  let args: UserArgs;
  let row: SyncRow;
  if (name === 'users.create' || current === null) {
    args = { username, row: data };
    row = data;
  } else {
    const patch = Object.fromEntries(FIELDS[name].map((f) => [f, data[f] ?? null]));
    const pendingAt = (current.reset as WireReset | null)?.at;
    args = { username, patch, ...(name === 'users.decideReset' && pendingAt ? { resetAt: pendingAt } : {}) };
    row = { ...current, ...patch };
  }
  recordMutation(db, {
    name: current === null && name !== 'users.create' ? 'users.seed' : name,
    args,
    effects: [{ table: USERS_TABLE, id: userRecordId(username), data: row }],
    actor,
  });
  return true;
}

/**
 * When a PC joins a hub: every local account the replica does not hold yet is offered to the hub, in
 * the name of the administrator who joined it (`actor`). Where the hub already has the name, the hub's
 * account wins and the seed is dropped quietly (its re-run finds the record and writes nothing): the
 * branch's accounts are one set. Returns how many were offered.
 */
export function seedUsers(db: Database, actor: SyncActor): number {
  return db.transaction(() => {
    let n = 0;
    for (const { id } of ALL_IDS.all(db)) {
      const data = userWire(db, id);
      if (live(db, String(data.username)) !== null) continue;
      recordMutation(db, {
        name: 'users.seed',
        args: { username: data.username, row: data },
        effects: [{ table: USERS_TABLE, id: userRecordId(String(data.username)), data }],
        actor,
      });
      n++;
    }
    return n;
  })();
}

/** The accounts on the hub as this PC last heard (user name → role, disabled), for tests and checks. */
export function replicaUsers(db: Database): { username: string; role: string; disabled: boolean }[] {
  return listRecords(db, USERS_TABLE).map((r) => ({
    username: String(r.data?.username),
    role: String(r.data?.role),
    disabled: r.data?.disabled === true,
  }));
}

function patchMutator(name: Exclude<UserChangeName, 'users.create'>) {
  return (db: Database, raw: unknown) => {
    const a = raw as UserArgs;
    const cur = live(db, a.username);
    if (cur === null) throw new MutationRefused('NOT_FOUND', { entity: 'user', username: a.username });
    if (name === 'users.decideReset') {
      const pending = cur.reset as WireReset | null;
      if (!pending || pending.at !== a.resetAt)
        throw new MutationRefused('NOT_FOUND', { entity: 'password_reset', username: a.username });
    }
    return [{ table: USERS_TABLE, id: userRecordId(a.username), data: { ...cur, ...(a.patch ?? {}) } }];
  };
}

/** The account operations as the sync layer re-runs them on a rebase. */
export const userMutators: Mutators = {
  'users.create': (db, raw) => {
    const a = raw as UserArgs;
    if (live(db, a.username) !== null)
      throw new MutationRefused('CONFLICT', { field: 'username', username: a.username });
    return [{ table: USERS_TABLE, id: userRecordId(a.username), data: a.row ?? {} }];
  },
  // Another PC brought the same name first: the hub's account stands, nothing to say.
  'users.seed': (db, raw) => {
    const a = raw as UserArgs;
    if (live(db, a.username) !== null) return [];
    return [{ table: USERS_TABLE, id: userRecordId(a.username), data: a.row ?? {} }];
  },
  'users.setDisabled': patchMutator('users.setDisabled'),
  'users.resetPassword': patchMutator('users.resetPassword'),
  'users.decideReset': patchMutator('users.decideReset'),
  'auth.changePassword': patchMutator('auth.changePassword'),
  'auth.setLocale': patchMutator('auth.setLocale'),
};
