import type { Database } from 'better-sqlite3';
import type { RiskLevel } from '../../shared/analytics';
import { maskAccountNo, maskName } from '../../shared/mask';
import { customerInScope, type Scope } from '../scope';
import { all } from '../sql';

/**
 * 担保关系 of one customer in the caller's scope (the 360): the loans they guarantee (given) and the
 * guarantors of their own loans (received), from loans.guarantor_customer_id (migration 0032).
 *
 * The other party of a guarantee may be outside the caller's scope (another manager's customer): whether
 * they are in it is decided here in SQL with the caller's scope condition (db/scope.ts), and such a party
 * leaves the main process without id or customer number, name and loan number masked, so the screen can
 * neither link nor name them. The guarantee's amounts and state stay: they are the customer's own exposure.
 */

export interface GuaranteeParty {
  /** null when the party is outside the caller's scope. */
  customerId: number | null;
  customerNo: string | null;
  /** Masked (王**) when outside the scope. */
  name: string;
  inScope: boolean;
  /** The party's risk rating when in scope and rated (关注 or worse). */
  level: RiskLevel | null;
}

export interface GuaranteeLinkRow {
  loanNo: string;
  product: string;
  principalFen: number;
  balanceFen: number;
  maturityOn: string;
  overdueDays: number;
  classification: string;
  status: string;
  party: GuaranteeParty;
}

interface Raw {
  loanNo: string;
  product: string;
  principalFen: number;
  balanceFen: number;
  maturityOn: string;
  overdueDays: number;
  classification: string;
  status: string;
  partyId: number;
  partyNo: string;
  partyName: string;
  visible: number;
  level: RiskLevel | null;
}

/** Rows per side: a guarantor company may stand behind many loans; the active and worst come first. */
const LIMIT = 200;

function select(side: 'given' | 'received', scope: Scope): string {
  // given: the loans this customer guarantees, the party is the borrower; received: this customer's loans,
  // the party is the guarantor
  const party = side === 'given' ? 'l.customer_id' : 'l.guarantor_customer_id';
  const own =
    side === 'given' ? 'l.guarantor_customer_id = ?' : 'l.customer_id = ? AND l.guarantor_customer_id IS NOT NULL';
  return `SELECT l.loan_no AS loanNo, p.name AS product, l.principal_fen AS principalFen, l.balance_fen AS balanceFen,
            l.maturity_on AS maturityOn, l.overdue_days AS overdueDays, l.classification, l.status,
            o.id AS partyId, o.customer_no AS partyNo, o.name AS partyName,
            EXISTS (SELECT 1 FROM customers c WHERE c.id = o.id AND (${scope.sql})) AS visible,
            (SELECT r.level FROM customer_risk r WHERE r.customer_id = o.id AND r.level <> 'normal') AS level
          FROM loans l JOIN products p ON p.id = l.product_id JOIN customers o ON o.id = ${party}
          WHERE ${own} AND l.guarantor_customer_id <> l.customer_id
          ORDER BY l.status <> 'active', l.overdue_days DESC, l.maturity_on, l.id LIMIT ${LIMIT}`;
}

/** A loan the customer guarantees of a borrower outside the scope has its number masked; their own loan's not. */
function shape(side: 'given' | 'received', r: Raw): GuaranteeLinkRow {
  const seen = r.visible === 1;
  return {
    loanNo: seen || side === 'received' ? r.loanNo : (maskAccountNo(r.loanNo) ?? ''),
    product: r.product,
    principalFen: r.principalFen,
    balanceFen: r.balanceFen,
    maturityOn: r.maturityOn,
    overdueDays: r.overdueDays,
    classification: r.classification,
    status: r.status,
    party: seen
      ? { customerId: r.partyId, customerNo: r.partyNo, name: r.partyName, inScope: true, level: r.level }
      : { customerId: null, customerNo: null, name: maskName(r.partyName) ?? '*', inScope: false, level: null },
  };
}

/** The customer's guarantees both ways; NOT_FOUND when the customer is outside the scope. */
export function guaranteesOf(
  db: Database,
  scope: Scope,
  customerId: number,
): { given: GuaranteeLinkRow[]; received: GuaranteeLinkRow[] } {
  customerInScope(db, scope, customerId);
  const read = (side: 'given' | 'received') =>
    all<Raw>(db, select(side, scope), ...scope.params, customerId).map((r) => shape(side, r));
  return { given: read('given'), received: read('received') };
}
