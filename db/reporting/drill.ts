/**
 * GridFilter.drill (shared/drill.ts) as a SQL condition over the customers alias `c`, with the same
 * definitions as the reporting summaries (./maintain.ts), so the grid lists exactly the customers
 * behind a figure. Every value is a bound parameter; the SQL text is constant per kind.
 */
import { addDays } from '../../shared/dates';
import type { Drill } from '../../shared/drill';
import { tierOn } from './maintain';
import { shiftMonth } from './months';

const list = (n: number) => Array.from({ length: n }, () => '?').join(',');

/**
 * (from, to] in whole days over customer_tier_changes.changed_at: per customer, the from_tier of its
 * first change and the to_tier of its last. Ids follow time (re-tiering refuses a clock set back:
 * TIER_CLOCK_BEHIND), so first and last are the lowest and highest id: one grouped pass over the
 * window instead of numbering every change twice.
 */
export const TIER_CHANGE_CTE = `WITH ch AS (
    SELECT x.customer_id, MIN(x.id) AS first, MAX(x.id) AS last FROM customer_tier_changes x WHERE x.changed_at >= ? AND x.changed_at < ? GROUP BY x.customer_id),
  moved AS (
    SELECT ch.customer_id, COALESCE(NULLIF(f.from_tier, ''), 'none') AS from_tier, COALESCE(NULLIF(l.to_tier, ''), 'none') AS to_tier
    FROM ch JOIN customer_tier_changes f ON f.id = ch.first JOIN customer_tier_changes l ON l.id = ch.last)`;

export function tierChangeBounds(from: string, to: string): [string, string] {
  return [addDays(from, 1), addDays(to, 1)];
}

/** Tiers as the summaries store them ('' = none). */
export const storedTiers = (tiers: readonly string[]) => tiers.map((t) => (t === 'none' ? '' : t));
const CURRENT = "COALESCE(c.tier, '')";

/**
 * `ids`, when present, is a SELECT of the matching customer ids alone (sql is then `c.id IN (ids)`):
 * the grid's in-memory columns take those ids without a primary-key look-up per customer.
 */
export function drillPredicate(d: Drill, today: string): { sql: string; params: (string | number)[]; ids?: string } {
  const idSet = (ids: string, params: (string | number)[]) => ({ sql: `c.id IN (${ids})`, params, ids });
  switch (d.kind) {
    case 'openedBy': {
      if (!d.tiers) return { sql: 'c.opened_on <= ?', params: [d.date] };
      const t = storedTiers(d.tiers);
      return {
        sql: `c.opened_on <= ? AND ${tierOn('c.id', '?', CURRENT)} IN (${list(t.length)})`,
        params: [d.date, d.date, ...t],
      };
    }
    case 'tierChange':
      return idSet(`${TIER_CHANGE_CTE} SELECT customer_id FROM moved WHERE from_tier = ? AND to_tier = ?`, [
        ...tierChangeBounds(d.from, d.to),
        d.fromTier,
        d.toTier,
      ]);
    case 'tierRun':
      // one run's changes share their time: a seek on customer_tier_changes_at
      return idSet('SELECT x.customer_id FROM customer_tier_changes x WHERE x.changed_at = ? AND x.model_version = ?', [
        d.at,
        d.version,
      ]);
    case 'txn': {
      // Per customer through transactions_customer (customer_id, txn_at): a range seek each.
      const parts = ['t.customer_id = c.id', 't.txn_at >= ?', 't.txn_at < ?'];
      const params: (string | number)[] = [`${d.fromMonth}-01`, `${shiftMonth(d.toMonth, 1)}-01`];
      if (d.channels) {
        parts.push(`t.channel IN (${list(d.channels.length)})`);
        params.push(...d.channels);
      }
      if (d.txnTypes) {
        parts.push(`t.txn_type IN (${list(d.txnTypes.length)})`);
        params.push(...d.txnTypes);
      }
      if (d.direction) {
        parts.push('t.direction = ?');
        params.push(d.direction);
      }
      if (d.weekday !== undefined) {
        parts.push(`CAST(strftime('%w', substr(t.txn_at, 1, 10)) AS INTEGER) = ?`);
        params.push(d.weekday);
      }
      if (d.hour !== undefined) {
        parts.push('CAST(substr(t.txn_at, 12, 2) AS INTEGER) = ?');
        params.push(d.hour);
      }
      if (d.tellerId !== undefined) {
        parts.push('t.teller_staff_id = ?');
        params.push(d.tellerId);
      }
      if (d.tiers) {
        const t = storedTiers(d.tiers);
        parts.push(`${tierOn('c.id', 'substr(t.txn_at, 1, 10)', CURRENT)} IN (${list(t.length)})`);
        params.push(...t);
      }
      return { sql: `EXISTS (SELECT 1 FROM transactions t WHERE ${parts.join(' AND ')})`, params };
    }
    case 'holds':
      return idSet(
        `SELECT customer_id FROM accounts WHERE product_id = ? AND kind IN ('demand', 'card') AND status <> 'closed'
          UNION SELECT customer_id FROM term_deposits WHERE product_id = ? AND status = 'active'
          UNION SELECT customer_id FROM wealth_holdings WHERE product_id = ? AND status = 'active'
          UNION SELECT customer_id FROM loans WHERE product_id = ? AND status = 'active'`,
        [d.productId, d.productId, d.productId, d.productId],
      );
    case 'sold': {
      // With tiers: the tier held at the end of the month of the sale (as the sales summary counts it).
      const then = (opened: string) =>
        d.tiers
          ? ` AND ${tierOn('s.customer_id', `date(substr(s.${opened}, 1, 7) || '-01', '+1 month', '-1 day')`, "(SELECT COALESCE(sc.tier, '') FROM customers sc WHERE sc.id = s.customer_id)")} IN (${list(d.tiers.length)})`
          : '';
      const t = d.tiers ? storedTiers(d.tiers) : [];
      return idSet(
        `SELECT s.customer_id FROM accounts s WHERE s.product_id = ? AND s.kind IN ('demand', 'card') AND substr(s.opened_on, 1, 7) BETWEEN ? AND ?${then('opened_on')}
          UNION SELECT s.customer_id FROM term_deposits s WHERE s.product_id = ? AND substr(s.start_on, 1, 7) BETWEEN ? AND ?${then('start_on')}
          UNION SELECT s.customer_id FROM wealth_holdings s WHERE s.product_id = ? AND substr(s.purchased_on, 1, 7) BETWEEN ? AND ?${then('purchased_on')}
          UNION SELECT s.customer_id FROM loans s WHERE s.product_id = ? AND substr(s.disbursed_on, 1, 7) BETWEEN ? AND ?${then('disbursed_on')}`,
        [0, 1, 2, 3].flatMap(() => [d.productId, d.fromMonth, d.toMonth, ...t]),
      );
    }
    case 'maturing': {
      const until = addDays(today, d.days);
      const kinds = d.kinds ?? ['term', 'wealth', 'loan'];
      const parts: string[] = [];
      const params: (string | number)[] = [];
      const table = { term: 'term_deposits', wealth: 'wealth_holdings', loan: 'loans' } as const;
      for (const k of kinds) {
        parts.push(`SELECT customer_id FROM ${table[k]} WHERE status = 'active' AND maturity_on BETWEEN ? AND ?`);
        params.push(today, until);
      }
      return idSet(parts.join(' UNION '), params);
    }
  }
}
