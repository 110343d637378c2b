import type { Database } from 'better-sqlite3';
import { MAX_EFFECTS_PER_MUTATION } from '../../shared/sync/protocol';
import { CUSTOMER_SCOPE_TABLE, customerOf, READ_RULES } from '../../shared/sync/read-rules';
import type { SyncRow } from '../../shared/sync/rules';
import { query } from '../sql';
import { lastImportChange } from '../tiering';
import {
  type BeforeRecord,
  type LocalEffect,
  type LocalMutation,
  listRecords,
  type Mutators,
  readRecord,
  recordMutation,
} from './replica';
import { syncJoined } from './schema';

/**
 * The customers' scope facts on the hub (issue 16: the hub scopes every pull with the rules of
 * db/scope.ts, shared/scope-rules.ts). The hub holds no book, so each PC tells it, from the extracts it
 * imports, what the rule needs of a customer a shared record names: the branch codes from the customer's
 * outlet to the top, the manager's employee number, the grants. One record per customer number
 * (`customer_scope`), written as system work:
 * - with the first record naming the customer, in the same mutation (the replica's hook, setBeforeRecord),
 *   so no PC ever pulls past a record the hub could not yet scope;
 * - again when this PC's book says otherwise (an extract moved the customer to another manager, a grant
 *   was given): the hub then bumps the branch's scope epoch and every PC pulls again what it now reaches.
 * Every PC holds the book these facts come from, so they flow to every PC.
 */
const PLACE = query<[no: string], { id: number; branch_id: number; manager: string | null }>(
  `SELECT c.id, c.branch_id, s.employee_no AS manager FROM customers c
     LEFT JOIN staff s ON s.id = c.manager_staff_id WHERE c.customer_no = ?`,
);
const CHAIN = query<[branchId: number], { code: string }>(
  `WITH RECURSIVE up(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM branches WHERE id = ?
     UNION ALL SELECT b.id, b.parent_id, up.depth + 1 FROM branches b JOIN up ON b.id = up.parent_id WHERE up.depth < 15)
   SELECT b.code FROM up JOIN branches b ON b.id = up.id ORDER BY up.depth`,
);
const GRANTS = query<[customerId: number], { staff: string; until: string | null }>(
  `SELECT s.employee_no AS staff, g.expires_on AS until FROM customer_grants g JOIN staff s ON s.id = g.staff_id
    WHERE g.customer_id = ? ORDER BY s.employee_no`,
);
const HAS_BOOK = query<[], { n: number }>(
  "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('customers', 'customer_grants')",
);

/** The scope facts of a customer as this PC's book has them, or null when the book does not hold it. */
export function customerFacts(db: Database, customerNo: string): SyncRow | null {
  if ((HAS_BOOK.get(db)?.n ?? 0) < 2) return null;
  const c = PLACE.get(db, customerNo);
  if (!c) return null;
  return {
    branches: CHAIN.all(db, c.branch_id).map((b) => b.code),
    manager: c.manager,
    grants: GRANTS.all(db, c.id).map((g) => ({ staff: g.staff, until: g.until })),
  };
}

const same = (a: SyncRow | null | undefined, b: SyncRow) => JSON.stringify(a ?? null) === JSON.stringify(b);

/** The facts to write for these customers: those the replica lacks or holds otherwise than the book. */
function factsToWrite(db: Database, customers: Iterable<string>, onlyMissing: boolean): LocalEffect[] {
  const out: LocalEffect[] = [];
  for (const no of customers) {
    const facts = customerFacts(db, no);
    if (!facts) continue;
    const cur = readRecord(db, CUSTOMER_SCOPE_TABLE, no);
    const held = cur && !cur.deleted ? cur.data : null;
    if (held && (onlyMissing || same(held, facts))) continue;
    out.push({ table: CUSTOMER_SCOPE_TABLE, id: no, data: facts });
  }
  return out;
}

export const FACTS_MUTATION = 'customers.scope';

function asMutations(effects: LocalEffect[]): LocalMutation[] {
  const out: LocalMutation[] = [];
  for (let i = 0; i < effects.length; i += MAX_EFFECTS_PER_MUTATION) {
    const part = effects.slice(i, i + MAX_EFFECTS_PER_MUTATION);
    out.push({ name: FACTS_MUTATION, args: { ids: part.map((e) => e.id) }, effects: part, actor: null });
  }
  return out;
}

/**
 * The replica's hook (setBeforeRecord): the facts of the customers `effects` name that the hub has not had
 * from this PC yet, to go up with them.
 */
export const FACTS_HOOK: BeforeRecord = {
  name: FACTS_MUTATION,
  effects: (db, effects) => {
    const customers = new Set<string>();
    for (const e of effects) {
      if (!Object.hasOwn(READ_RULES, e.table)) continue;
      const no = customerOf(e.table, e.id, 'deleted' in e ? null : e.data);
      if (no !== null) customers.add(no);
    }
    return customers.size === 0 ? [] : factsToWrite(db, customers, true);
  },
};

/** Re-run on a rebase (another PC wrote the facts first): what still differs from this PC's book. */
export const customerScopeMutators: Mutators = {
  [FACTS_MUTATION]: (db, raw) => factsToWrite(db, (raw as { ids: string[] }).ids, false),
};

// What the facts were last compared with (the last import's change and the grants), kept in the store's
// settings so a start-up does not compare them all again when the book has not changed.
const COMPARED_KEY = 'sync.customerFactsComparedWith';
const COMPARED = query<[key: string], { value: string }>('SELECT value FROM settings WHERE key = ?');
const SET_COMPARED = query<[key: string, value: string]>(
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);
const HAS_SETTINGS = query<[], { n: number }>(
  "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
);
const comparedWith = new WeakMap<Database, string>();
const lastCompared = (db: Database): string | undefined =>
  comparedWith.get(db) ?? (HAS_SETTINGS.get(db)?.n ? COMPARED.get(db, COMPARED_KEY)?.value : undefined);
const GRANTS_STATE = query<[], { n: number; top: number | null }>(
  'SELECT count(*) AS n, max(id) AS top FROM customer_grants',
);

/**
 * After a sync cycle: when the book changed since the last look (an import, a grant), the facts the hub
 * holds that this book now says otherwise are written again. Returns how many.
 */
export function refreshCustomerFacts(db: Database): number {
  if (!syncJoined(db) || (HAS_BOOK.get(db)?.n ?? 0) < 2) return 0;
  const g = GRANTS_STATE.get(db);
  const token = JSON.stringify([lastImportChange(db), g?.n ?? 0, g?.top ?? 0]);
  if (lastCompared(db) === token) return 0;
  const held = listRecords(db, CUSTOMER_SCOPE_TABLE).map((r) => r.id);
  const changed = factsToWrite(db, held, false);
  db.transaction(() => {
    for (const m of asMutations(changed)) recordMutation(db, m);
    if (HAS_SETTINGS.get(db)?.n) SET_COMPARED.run(db, COMPARED_KEY, token);
  })();
  comparedWith.set(db, token);
  return changed.length;
}
