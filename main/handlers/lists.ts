import type { CustomerList, SavedQuery } from '../../shared/api';
import { gridFilterSchema } from '../../shared/api/grid';
import { AppError } from '../../shared/errors';
import { compileFilter } from '../../db/repos/customerGrid';
import { rootBranch } from '../../db/scope';
import { handlers, type AuthedCtx } from './types';

/** Lists and queries a user sees: their own, and those shared within their branch (支行 tree). */
function visibleSql(): string {
  return `(x.owner_id = ? OR (x.shared = 1 AND x.branch_id IS ?))`;
}

/** The caller's 支行: the root of their branch tree (null for a user without a branch). */
function homeBranch(ctx: AuthedCtx): number | null {
  return ctx.user.branch_id == null ? null : rootBranch(ctx.services.db, ctx.user.branch_id);
}

function listRow(ctx: AuthedCtx, id: number): CustomerList {
  const scope = ctx.scope();
  const r = ctx.services.db
    .prepare(
      `SELECT x.id, x.name, x.shared, x.owner_id AS owner, u.display_name AS ownerName, x.updated_at AS updatedAt,
              (SELECT COUNT(*) FROM customer_list_members lm JOIN customers c ON c.id = lm.customer_id WHERE lm.list_id = x.id AND ${scope.sql}) AS members
       FROM customer_lists x JOIN users u ON u.id = x.owner_id WHERE x.id = ? AND ${visibleSql()}`,
    )
    .get(...scope.params, id, ctx.user.id, homeBranch(ctx)) as
    | { id: number; name: string; shared: number; owner: number; ownerName: string; updatedAt: string; members: number }
    | undefined;
  if (!r) throw new AppError('NOT_FOUND', { entity: 'list', id });
  return {
    id: r.id,
    name: r.name,
    shared: r.shared === 1,
    mine: r.owner === ctx.user.id,
    ownerName: r.ownerName,
    members: r.members,
    updatedAt: r.updatedAt,
  };
}

/** Only the owner changes a list or a saved query (others may see shared ones). */
const OWNED = { list: 'customer_lists', query: 'saved_queries' } as const;
function mustOwn(ctx: AuthedCtx, entity: keyof typeof OWNED, id: number): void {
  const r = ctx.services.db.prepare(`SELECT owner_id AS o FROM ${OWNED[entity]} WHERE id = ?`).get(id) as
    | { o: number }
    | undefined;
  if (!r) throw new AppError('NOT_FOUND', { entity, id });
  if (r.o !== ctx.user.id) throw new AppError('FORBIDDEN', { entity });
}

function uniqueName<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('CONFLICT', { field: 'name' });
    throw e;
  }
}

function queryRow(ctx: AuthedCtx, id: number): SavedQuery {
  const r = ctx.services.db
    .prepare(
      `SELECT x.id, x.name, x.shared, x.owner_id AS owner, u.display_name AS ownerName, x.definition, x.updated_at AS updatedAt
       FROM saved_queries x JOIN users u ON u.id = x.owner_id WHERE x.id = ? AND ${visibleSql()}`,
    )
    .get(id, ctx.user.id, homeBranch(ctx)) as
    | {
        id: number;
        name: string;
        shared: number;
        owner: number;
        ownerName: string;
        definition: string;
        updatedAt: string;
      }
    | undefined;
  if (!r) throw new AppError('NOT_FOUND', { entity: 'query', id });
  return {
    id: r.id,
    name: r.name,
    shared: r.shared === 1,
    mine: r.owner === ctx.user.id,
    ownerName: r.ownerName,
    filter: gridFilterSchema.parse(JSON.parse(r.definition)),
    updatedAt: r.updatedAt,
  };
}

export const listsHandlers = handlers({
  'favorites.set': ({ customerId, on }, ctx) => {
    const scope = ctx.scope();
    const inScope = ctx.services.db
      .prepare(`SELECT 1 FROM customers c WHERE c.id = ? AND ${scope.sql}`)
      .get(customerId, ...scope.params);
    if (!inScope) throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
    if (on)
      ctx.services.db
        .prepare('INSERT OR IGNORE INTO customer_favorites (user_id, customer_id) VALUES (?, ?)')
        .run(ctx.user.id, customerId);
    else
      ctx.services.db
        .prepare('DELETE FROM customer_favorites WHERE user_id = ? AND customer_id = ?')
        .run(ctx.user.id, customerId);
    return { customerId, on };
  },

  'favorites.which': ({ customerIds }, ctx) => {
    if (customerIds.length === 0) return [];
    return (
      ctx.services.db
        .prepare(
          `SELECT customer_id AS id FROM customer_favorites WHERE user_id = ? AND customer_id IN (${customerIds.map(() => '?').join(',')})`,
        )
        .all(ctx.user.id, ...customerIds) as { id: number }[]
    ).map((r) => r.id);
  },

  'lists.list': (_input, ctx) => {
    const ids = ctx.services.db
      .prepare(`SELECT x.id FROM customer_lists x WHERE ${visibleSql()} ORDER BY x.owner_id = ? DESC, x.name`)
      .all(ctx.user.id, homeBranch(ctx), ctx.user.id) as { id: number }[];
    return ids.map((r) => listRow(ctx, r.id));
  },

  'lists.save': ({ id, name, shared }, ctx) => {
    const db = ctx.services.db;
    if (id === undefined) {
      const info = uniqueName(() =>
        db
          .prepare('INSERT INTO customer_lists (name, owner_id, branch_id, shared) VALUES (?, ?, ?, ?)')
          .run(name, ctx.user.id, homeBranch(ctx), shared ? 1 : 0),
      );
      return listRow(ctx, Number(info.lastInsertRowid));
    }
    mustOwn(ctx, 'list', id);
    uniqueName(() =>
      db
        .prepare(
          `UPDATE customer_lists SET name = ?, shared = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
        )
        .run(name, shared ? 1 : 0, id),
    );
    return listRow(ctx, id);
  },

  'lists.delete': ({ id }, ctx) => {
    mustOwn(ctx, 'list', id);
    return { deleted: ctx.services.db.prepare('DELETE FROM customer_lists WHERE id = ?').run(id).changes === 1 };
  },

  'lists.add': (input, ctx) => {
    mustOwn(ctx, 'list', input.listId);
    const db = ctx.services.db;
    const today = ctx.services.clock.today();
    // Only customers the caller may see go in, whether picked one by one or by filter.
    const { where, params } = compileFilter(ctx.scope(), 'filter' in input ? input.filter : {}, today, ctx.user.id);
    const picked = 'customerIds' in input ? ` AND c.id IN (${input.customerIds.map(() => '?').join(',')})` : '';
    const extra = 'customerIds' in input ? input.customerIds : [];
    const added = db.transaction(() => {
      const n = db
        .prepare(
          `INSERT OR IGNORE INTO customer_list_members (list_id, customer_id) SELECT ?, c.id FROM customers c WHERE ${where}${picked}`,
        )
        .run(input.listId, ...params, ...extra).changes;
      db.prepare(`UPDATE customer_lists SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(
        input.listId,
      );
      return n;
    })();
    return { added };
  },

  'lists.remove': ({ listId, customerIds }, ctx) => {
    mustOwn(ctx, 'list', listId);
    const removed = ctx.services.db
      .prepare(
        `DELETE FROM customer_list_members WHERE list_id = ? AND customer_id IN (${customerIds.map(() => '?').join(',')})`,
      )
      .run(listId, ...customerIds).changes;
    return { removed };
  },

  'queries.list': (_input, ctx) => {
    const ids = ctx.services.db
      .prepare(`SELECT x.id FROM saved_queries x WHERE ${visibleSql()} ORDER BY x.owner_id = ? DESC, x.name`)
      .all(ctx.user.id, homeBranch(ctx), ctx.user.id) as { id: number }[];
    return ids.map((r) => queryRow(ctx, r.id));
  },

  'queries.save': ({ id, name, shared, filter }, ctx) => {
    // Compile once now: an invalid query is refused at save time with a clear message, not at run time.
    compileFilter(ctx.scope(), filter, ctx.services.clock.today(), ctx.user.id);
    const db = ctx.services.db;
    const def = JSON.stringify(filter);
    if (id === undefined) {
      const info = uniqueName(() =>
        db
          .prepare('INSERT INTO saved_queries (name, owner_id, branch_id, shared, definition) VALUES (?, ?, ?, ?, ?)')
          .run(name, ctx.user.id, homeBranch(ctx), shared ? 1 : 0, def),
      );
      return queryRow(ctx, Number(info.lastInsertRowid));
    }
    mustOwn(ctx, 'query', id);
    uniqueName(() =>
      db
        .prepare(
          `UPDATE saved_queries SET name = ?, shared = ?, definition = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
        )
        .run(name, shared ? 1 : 0, def, id),
    );
    return queryRow(ctx, id);
  },

  'queries.delete': ({ id }, ctx) => {
    mustOwn(ctx, 'query', id);
    return { deleted: ctx.services.db.prepare('DELETE FROM saved_queries WHERE id = ?').run(id).changes === 1 };
  },
});
