import type { Database, Statement } from 'better-sqlite3';
import type { RefKind } from './kinds';

/** Natural key -> id, with small tables cached (branches, staff, products rarely exceed thousands). */
export class RefResolver {
  private readonly stmts: Record<RefKind, Statement>;
  private readonly cache = new Map<RefKind, Map<string, number>>();
  /** customer id of the last resolved account (transactions and term deposits need it). */
  lastAccountCustomer: number | null = null;

  constructor(db: Database) {
    this.stmts = {
      branch: db.prepare('SELECT id FROM branches WHERE code = ?'),
      staff: db.prepare('SELECT id FROM staff WHERE employee_no = ?'),
      product: db.prepare('SELECT id FROM products WHERE code = ?'),
      customer: db.prepare('SELECT id FROM customers WHERE customer_no = ?'),
      account: db.prepare('SELECT id, customer_id AS c FROM accounts WHERE account_no = ?'),
    };
  }

  resolve(kind: RefKind, key: string): number | null {
    if (kind === 'account') {
      const r = this.stmts.account.get(key) as { id: number; c: number } | undefined;
      this.lastAccountCustomer = r?.c ?? null;
      return r?.id ?? null;
    }
    const small = kind === 'branch' || kind === 'staff' || kind === 'product';
    if (small) {
      const hit = this.cache.get(kind)?.get(key);
      if (hit !== undefined) return hit;
    }
    const r = this.stmts[kind].get(key) as { id: number } | undefined;
    if (!r) return null;
    if (small) {
      let m = this.cache.get(kind);
      if (!m) {
        m = new Map();
        this.cache.set(kind, m);
      }
      m.set(key, r.id);
    }
    return r.id;
  }
}
