import type { Database } from 'better-sqlite3';
import type { Rng } from './rng';

/**
 * 担保信息 of the demo branch: every loan made on a guarantee (guarantee_type 'guarantee') names a
 * guarantor (loans.guarantor_customer_id, migration 0032), drawn after the customers are written from
 * its own random stream, so the rest of the branch is what it was without guarantors:
 *
 *  - a company's loan is guaranteed by another company (a guarantee firm or a related business) three
 *    times in five, else by a person (the owner); a person's by another person;
 *  - one guaranteed loan in four is guaranteed by a customer who is about to leave (a planted leaver with
 *    a sizeable book: their balances drain, so their rating rises and the borrower's guarantor weakens,
 *    the 保证人风险 signal), the larger books first;
 *  - one in six by someone who has a loan of their own (互保: guarantee chains, the bank's known risk).
 * A guarantor is an open customer other than the borrower. Overdue guaranteed loans then make their
 * guarantor's 担保代偿风险 wherever the branch has them (about 2.5% of loans over six months old).
 */
export function writeGuarantors(db: Database, rng: Rng, leavers: readonly { customerId: number; targetFen: number }[]) {
  const loans = db
    .prepare(
      `SELECT l.id, l.customer_id AS borrower, c.kind FROM loans l JOIN customers c ON c.id = l.customer_id
       WHERE l.guarantee_type = 'guarantee' ORDER BY l.id`,
    )
    .all() as { id: number; borrower: number; kind: string }[];
  if (loans.length === 0) return 0;
  const pool = (kind: string) =>
    Int32Array.from(
      (
        db.prepare(`SELECT id FROM customers WHERE status = 'active' AND kind = ? ORDER BY id`).raw().all(kind) as [
          number,
        ][]
      ).map((r) => r[0]),
    );
  const people = pool('individual');
  const companies = pool('corporate');
  const open = db.prepare(`SELECT 1 FROM customers WHERE id = ? AND status = 'active'`);
  const leaving = [...leavers]
    .filter((l) => l.targetFen >= 10_000_000 && open.get(l.customerId))
    .sort((a, b) => b.targetFen - a.targetFen || a.customerId - b.customerId)
    .map((l) => l.customerId);
  const borrowers = Int32Array.from(
    (
      db.prepare(`SELECT DISTINCT customer_id FROM loans WHERE status = 'active' ORDER BY customer_id`).raw().all() as [
        number,
      ][]
    ).map((r) => r[0]),
  );
  const set = db.prepare('UPDATE loans SET guarantor_customer_id = ? WHERE id = ?');
  let k = 0;
  let n = 0;
  for (const l of loans) {
    const from = (ids: ArrayLike<number>): number | null => {
      for (let tries = 0; tries < 8 && ids.length > 0; tries++) {
        const id = ids[rng.int(ids.length)]!;
        if (id !== l.borrower) return id;
      }
      return null;
    };
    let g: number | null = null;
    if (k % 4 === 0 && leaving.length > 0) {
      const next = leaving.shift()!;
      g = next !== l.borrower ? next : null;
    } else if (k % 6 === 1) g = from(borrowers);
    g ??= from(l.kind === 'corporate' && rng.chance(0.6) && companies.length > 1 ? companies : people);
    k++;
    if (g === null) continue;
    set.run(g, l.id);
    n++;
  }
  return n;
}
