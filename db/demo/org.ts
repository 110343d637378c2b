import type { Database } from 'better-sqlite3';
import type { Calendar } from './calendar';
import { randomName } from './names';
import { DISTRICTS, mobileNo } from './people';
import type { Rng } from './rng';

/**
 * The demo organisation: one 支行 with 3-5 网点, its staff (员工号) and the sign-in users. The users
 * and their display names are fixed so documentation and screenshots can refer to them.
 */
export const DEMO_PASSWORD = 'Demo@2026';

export type DemoRole = 'president' | 'manager' | 'teller' | 'admin';

export const DEMO_USERS: readonly { username: string; role: DemoRole; displayName: string }[] = [
  { username: 'admin', role: 'admin', displayName: '孙立强' },
  { username: 'president', role: 'president', displayName: '陈志华' },
  { username: 'manager1', role: 'manager', displayName: '王丽娟' },
  { username: 'manager2', role: 'manager', displayName: '李建国' },
  { username: 'manager3', role: 'manager', displayName: '张晓梅' },
  { username: 'teller1', role: 'teller', displayName: '刘洋' },
  { username: 'teller2', role: 'teller', displayName: '赵敏' },
];

export const BRANCH_CODE = '3101';
export const BRANCH_NAME = '示范支行';

const OUTLETS = [
  { name: '陆家嘴网点', road: '世纪大道', no: 1288 },
  { name: '张江网点', road: '张江路', no: 665 },
  { name: '花木网点', road: '花木路', no: 1599 },
  { name: '金桥网点', road: '金桥路', no: 1058 },
  { name: '川沙网点', road: '川沙路', no: 5188 },
] as const;

export interface ManagerInfo {
  staffId: number;
  outlet: number;
  hiredOn: number;
  /** Relative size of the book this manager is given: books are deliberately unequal. */
  weight: number;
}

export interface Org {
  branchId: number;
  /** Branch ids of the outlets, in order. */
  outletIds: number[];
  presidentStaffId: number;
  adminStaffId: number;
  managers: ManagerInfo[];
  tellersByOutlet: number[][];
  /** users.id by username (fixed: the position in DEMO_USERS, so rows can refer to users before they exist). */
  userIds: Map<string, number>;
  /** staff id and branch id of each demo user, in DEMO_USERS order. */
  userStaff: [number, number][];
  staffCount: number;
}

export function managerCount(customers: number): number {
  return Math.min(250, Math.max(3, Math.round(customers / 4000)));
}

/** Inserts branches and staff; the users follow in insertUsers once their password hashes are ready. */
export function insertOrg(db: Database, rng: Rng, cal: Calendar, customers: number): Org {
  const stamp = cal.stamp;
  const branchStmt = db.prepare(
    `INSERT INTO branches (id, code, name, parent_id, address, phone, opened_on, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?)`,
  );
  const pudong = DISTRICTS[0]!;
  branchStmt.run(
    1,
    BRANCH_CODE,
    BRANCH_NAME,
    null,
    `上海市${pudong.name}世纪大道1000号`,
    '021-58881000',
    cal.day(cal.yearsBefore(cal.asOf, 25)),
    stamp,
    stamp,
  );
  const outletCount = 3 + rng.int(3);
  const outletIds: number[] = [];
  for (let i = 0; i < outletCount; i++) {
    const o = OUTLETS[i]!;
    const id = i + 2;
    outletIds.push(id);
    branchStmt.run(
      id,
      `${BRANCH_CODE}${String(i + 1).padStart(2, '0')}`,
      o.name,
      1,
      `上海市${pudong.name}${o.road}${o.no}号`,
      `021-5888${String(1100 + i * 100)}`,
      cal.day(cal.yearsBefore(cal.asOf, 24 - i * 3)),
      stamp,
      stamp,
    );
  }

  const staffStmt = db.prepare(
    `INSERT INTO staff (id, employee_no, name, branch_id, position, mobile, hired_on, active, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  let staffId = 0;
  const addStaff = (name: string, branchId: number, position: DemoRole, yearsAgo: number): [number, number] => {
    staffId++;
    const hired = cal.yearsBefore(cal.asOf, yearsAgo) - rng.int(300);
    staffStmt.run(
      staffId,
      `${BRANCH_CODE}${String(staffId).padStart(4, '0')}`,
      name,
      branchId,
      position,
      mobileNo(rng),
      cal.day(hired),
      1,
      stamp,
      stamp,
    );
    return [staffId, hired];
  };
  const fixed = (username: string): string => DEMO_USERS.find((u) => u.username === username)!.displayName;

  const [presidentStaffId] = addStaff(fixed('president'), 1, 'president', 18);
  const [adminStaffId] = addStaff(fixed('admin'), 1, 'admin', 9);
  const managers: ManagerInfo[] = [];
  const mCount = managerCount(customers);
  for (let j = 0; j < mCount; j++) {
    const name = j < 3 ? fixed(`manager${j + 1}`) : randomName(rng);
    const outlet = j % outletCount;
    const [id, hiredOn] = addStaff(name, outletIds[outlet]!, 'manager', 1 + rng.int(16));
    managers.push({ staffId: id, outlet, hiredOn, weight: rng.logNormal(1, 0.6) });
  }
  const tellersByOutlet: number[][] = [];
  let tellerNo = 0;
  for (let o = 0; o < outletCount; o++) {
    const list: number[] = [];
    const n = o === 0 ? 3 + rng.int(2) : 2 + rng.int(3);
    for (let t = 0; t < n; t++) {
      tellerNo++;
      const name = tellerNo <= 2 ? fixed(`teller${tellerNo}`) : randomName(rng);
      list.push(addStaff(name, outletIds[o]!, 'teller', rng.range(1, 12))[0]);
    }
    tellersByOutlet.push(list);
  }

  const staffFor: Record<string, [number, number]> = {
    admin: [adminStaffId, 1],
    president: [presidentStaffId, 1],
    manager1: [managers[0]!.staffId, outletIds[managers[0]!.outlet]!],
    manager2: [managers[1]!.staffId, outletIds[managers[1]!.outlet]!],
    manager3: [managers[2]!.staffId, outletIds[managers[2]!.outlet]!],
    teller1: [tellersByOutlet[0]![0]!, outletIds[0]!],
    teller2: [tellersByOutlet[0]![1]!, outletIds[0]!],
  };
  const userStaff = DEMO_USERS.map((u) => staffFor[u.username]!);
  const userIds = new Map(DEMO_USERS.map((u, i) => [u.username, i + 1]));
  return {
    branchId: 1,
    outletIds,
    presidentStaffId,
    adminStaffId,
    managers,
    tellersByOutlet,
    userIds,
    userStaff,
    staffCount: staffId,
  };
}

/** One user per DEMO_USERS entry; `hashes` are their password hashes in the same order. */
export function insertUsers(db: Database, cal: Calendar, org: Org, hashes: readonly string[]): void {
  const stmt = db.prepare(
    `INSERT INTO users (id, username, display_name, role, staff_id, branch_id, password_hash, locale, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  DEMO_USERS.forEach((u, i) => {
    const [staffId, branchId] = org.userStaff[i]!;
    stmt.run(
      org.userIds.get(u.username)!,
      u.username,
      u.displayName,
      u.role,
      staffId,
      branchId,
      hashes[i]!,
      'zh-CN',
      cal.stamp,
      cal.stamp,
    );
  });
}

export const TAGS = [
  { id: 1, name: '代发工资', color: '#1677ff', kind: 'system' },
  { id: 2, name: '高净值', color: '#d4a017', kind: 'system' },
  { id: 3, name: '小微企业主', color: '#13a8a8', kind: 'system' },
  { id: 4, name: '老年客户', color: '#8c8c8c', kind: 'system' },
  { id: 5, name: '新开户', color: '#52c41a', kind: 'system' },
  { id: 6, name: '理财意向', color: '#eb2f96', kind: 'user' },
  { id: 7, name: '存款到期关注', color: '#fa8c16', kind: 'user' },
] as const;

export const TAG = {
  payroll: 1,
  highNetWorth: 2,
  smallBusiness: 3,
  senior: 4,
  newCustomer: 5,
  wealthInterest: 6,
  maturityWatch: 7,
} as const;

export function insertTags(db: Database, cal: Calendar, org: Org): number {
  const stmt = db.prepare('INSERT INTO tags (id, name, color, kind, created_by, created_at) VALUES (?,?,?,?,?,?)');
  const creator = org.userIds.get('manager1') ?? null;
  for (const t of TAGS) stmt.run(t.id, t.name, t.color, t.kind, t.kind === 'user' ? creator : null, cal.stamp);
  return TAGS.length;
}
