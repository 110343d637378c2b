import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { MethodName, Input, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import type { Role } from '../../../shared/permissions';
import { hashPassword } from '../../../db/password';
import { fixedClock } from '../../../main/clock';
import { createRegistry, type Registry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import { rebuildSummaryTable } from '../../../db/summaries';
import { DEMO_PASSWORD } from '../../../db/demo';

/** A cheap scrypt cost: these tests exercise the flow, not the hash strength. */
export const TEST_PASSWORD = 'Passw0rd!';
const FAST = { N: 1 << 10, r: 8, p: 1 };

export function tempDir(prefix = 'crm-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface World {
  dir: string;
  services: Services;
  registry: Registry;
  db: Database;
  clock: ReturnType<typeof fixedClock>;
  ids: {
    branch: number;
    outlet: number;
    otherBranch: number;
    staff: Record<'president' | 'manager1' | 'manager2' | 'teller', number>;
    customers: Record<'m1a' | 'm1b' | 'm2a' | 'unassigned' | 'outletCust' | 'otherBranchCust' | 'grantedToM1', number>;
  };
  close(): void;
}

/**
 * A small hand-built branch: a branch with one outlet, a second unrelated branch, a president,
 * two managers, a teller, an admin, and customers whose owner and branch are known exactly.
 */
export async function makeWorld(): Promise<World> {
  const { dir, cleanup } = tempDir();
  const clock = fixedClock(new Date('2026-11-02T02:00:00Z'));
  const services = await createServices({
    dbPath: path.join(dir, 'crm.db'),
    mode: 'browser',
    passwordCost: FAST,
    clock,
    backupDir: path.join(dir, 'backups'),
  });
  const db = services.db;
  const ins = (sql: string, ...p: unknown[]) => Number(db.prepare(sql).run(...p).lastInsertRowid);
  const branch = ins("INSERT INTO branches (code, name) VALUES ('3101', '示范支行')");
  const outlet = ins("INSERT INTO branches (code, name, parent_id) VALUES ('310101', '东城网点', ?)", branch);
  const otherBranch = ins("INSERT INTO branches (code, name) VALUES ('4201', '其他支行')");
  const staff = (no: string, name: string, b: number, pos: string) =>
    ins('INSERT INTO staff (employee_no, name, branch_id, position) VALUES (?, ?, ?, ?)', no, name, b, pos);
  const s = {
    president: staff('E001', '王行长', branch, 'president'),
    manager1: staff('E101', '李经理', branch, 'manager'),
    manager2: staff('E102', '赵经理', outlet, 'manager'),
    teller: staff('E201', '陈柜员', outlet, 'teller'),
  };
  const otherManager = staff('E901', '外行经理', otherBranch, 'manager');
  const hash = await hashPassword(TEST_PASSWORD, FAST);
  const user = (username: string, role: Role, staffId: number | null, b: number) =>
    ins(
      'INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash) VALUES (?, ?, ?, ?, ?, ?)',
      username,
      username,
      role,
      staffId,
      b,
      hash,
    );
  user('president', 'president', s.president, branch);
  user('manager1', 'manager', s.manager1, branch);
  user('manager2', 'manager', s.manager2, outlet);
  user('teller', 'teller', s.teller, outlet);
  user('admin', 'admin', null, branch);
  let n = 0;
  const customer = (name: string, b: number, manager: number | null, aumYuan: number, mobile: string, idNo: string) =>
    ins(
      `INSERT INTO customers (customer_no, kind, name, name_initials, id_type, id_no, mobile, branch_id, opened_on, manager_staff_id,
         deposit_fen, aum_fen, tier) VALUES (?, 'individual', ?, ?, 'resident_id', ?, ?, ?, '2020-01-01', ?, ?, ?, 'ordinary')`,
      `80000000${String(++n).padStart(2, '0')}`,
      name,
      null,
      idNo,
      mobile,
      b,
      manager,
      aumYuan * 100,
      aumYuan * 100,
    );
  const c = {
    m1a: customer('张伟', branch, s.manager1, 500_000, '13800000001', '110101199001011234'),
    m1b: customer('张伟强', branch, s.manager1, 20_000, '13800000002', '110101198502021235'),
    m2a: customer('张敏', outlet, s.manager2, 80_000, '13900000003', '110101197703031236'),
    unassigned: customer('刘洋', branch, null, 1_000, '13700000004', '110101200004041237'),
    outletCust: customer('周杰', outlet, null, 3_000, '13600000005', '110101199505051238'),
    otherBranchCust: customer('张三', otherBranch, otherManager, 9_000_000, '13500000006', '420101198001011239'),
    grantedToM1: customer('孙丽', outlet, s.manager2, 70_000, '13400000007', '110101198807071230'),
  };
  db.prepare('INSERT INTO customer_grants (staff_id, customer_id) VALUES (?, ?)').run(s.manager1, c.grantedToM1);
  // Customers were written directly, not through an import: bring the maintained summaries up to date.
  rebuildSummaryTable(db);
  const registry = createRegistry(services);
  return {
    dir,
    services,
    registry,
    db,
    clock,
    ids: { branch, outlet, otherBranch, staff: s, customers: c },
    async close() {
      await services.close();
      cleanup();
    },
  };
}

/** Calls one method through the registry exactly as an adapter would. */
export function call<M extends MethodName>(
  w: World,
  method: M,
  input: Input<M>,
  session: string | null = null,
): Promise<CallResult<Output<M>>> {
  return w.registry.dispatch({ method, input, session }, { adapter: 'test' }) as Promise<CallResult<Output<M>>>;
}

export async function ok<M extends MethodName>(
  w: World,
  method: M,
  input: Input<M>,
  session: string | null = null,
): Promise<Output<M>> {
  const r = await call(w, method, input, session);
  if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

export async function signIn(w: World, username: string, password = TEST_PASSWORD): Promise<string> {
  return (await ok(w, 'auth.signIn', { username, password })).session;
}

/**
 * call/ok for tests that sign several demo users in: `who` names a session in `sessions`, and the
 * registry is read when called (the tests create it in beforeAll).
 */
export function asUsers(registry: () => Registry, sessions: Record<string, string>) {
  const call = <M extends MethodName>(method: M, input: Input<M>, who: string) =>
    registry().dispatch({ method, input, session: sessions[who]! }, { adapter: 'test' }) as Promise<
      CallResult<Output<M>>
    >;
  const ok = async <M extends MethodName>(method: M, input: Input<M>, who: string): Promise<Output<M>> => {
    const r = await call(method, input, who);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.value;
  };
  /** Signs demo users in (the demo password) and keeps their sessions under their names. */
  const signIn = async (...users: string[]) => {
    for (const u of users)
      sessions[u] = (await ok('auth.signIn', { username: u, password: DEMO_PASSWORD }, '')).session;
  };
  return { call, ok, signIn };
}
