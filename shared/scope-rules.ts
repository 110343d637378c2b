import type { Role } from './permissions';

/**
 * Which customers a role reaches, declared once (issue 16: "the hub checks the data scope of every pull
 * with the same rules as db/scope.ts"). db/scope.ts turns the rule into SQL over this store's customers;
 * the hub, which holds no book, applies it to the facts PCs share of each customer that a record names
 * (the customer_scope records: branch chain, manager, grants; shared/sync/read-rules.ts).
 *
 * - branch: the president sees their branch and the outlets under it (`from: 'own'`); a teller serves any
 *   customer of the whole branch, from the top of the tree (`from: 'root'`);
 * - manager: the customers they manage, and those granted to them until the grant expires;
 * - none: the administrator sees no customer.
 */
export type ScopeRule = { kind: 'branch'; from: 'own' | 'root' } | { kind: 'manager' } | { kind: 'none' };

export function scopeRuleFor(role: Role | string): ScopeRule {
  switch (role) {
    case 'president':
      return { kind: 'branch', from: 'own' };
    case 'teller':
      return { kind: 'branch', from: 'root' };
    case 'manager':
      return { kind: 'manager' };
    default:
      return { kind: 'none' };
  }
}

/** What the hub knows of a customer: its branch codes from its outlet up to the top, its manager, grants. */
export interface CustomerPlace {
  /** Branch codes from the customer's own (outlet) up to the top of the tree. */
  branches: readonly string[];
  /** Employee number of the manager of record, or null. */
  manager: string | null;
  /** Employee numbers granted the customer, with the last day (null: no end). */
  grants: readonly { staff: string; until: string | null }[];
}

/** A user as the scope rule needs them: role, employee number, branch code. */
export interface PlaceSubject {
  role: string;
  staff: string | null;
  branch: string | null;
  /** The top of the user's branch tree (for the rules `from: 'root'`); unknown: taken as `branch`. */
  root?: string | null;
}

/**
 * Whether the rule of `who` reaches a customer at `place` on `today` (YYYY-MM-DD): the same decision as
 * db/scope.ts scopeFor, on the shared facts instead of the book. A customer whose facts no PC has shared
 * yet (null) is reached by the branch-wide rules only.
 */
export function placeInScope(who: PlaceSubject, place: CustomerPlace | null, today: string): boolean {
  const rule = scopeRuleFor(who.role);
  switch (rule.kind) {
    case 'branch': {
      if (who.branch === null) return false;
      if (place === null) return true;
      const top = rule.from === 'root' ? (who.root ?? who.branch) : who.branch;
      return place.branches.includes(top);
    }
    case 'manager':
      if (who.staff === null || place === null) return false;
      return (
        place.manager === who.staff ||
        place.grants.some((g) => g.staff === who.staff && (g.until === null || g.until >= today))
      );
    default:
      return false;
  }
}
