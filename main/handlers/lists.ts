import type { CustomerList, SavedQuery } from '../../shared/api';
import { gridFilterSchema } from '../../shared/api/grid';
import { AppError } from '../../shared/errors';
import { compileFilter } from '../../db/repos/customer-grid';
import {
  addMembers,
  createList,
  createQuery,
  deleteList,
  deleteQuery,
  favoritesAmong,
  type ListReader,
  listRow,
  type Owned,
  ownerOf,
  removeMembers,
  savedQueryRow,
  setFavorite,
  updateList,
  updateQuery,
  visibleListIds,
  visibleQueryIds,
} from '../../db/repos/lists';
import { customerInScope, rootBranch } from '../../db/scope';
import { handlers, type AuthedCtx } from './types';

/** The caller as a reader of lists: their id and 支行 (the root of their branch tree; null without a branch). */
function reader(ctx: AuthedCtx): ListReader {
  const branchId = ctx.user.branch_id;
  return { userId: ctx.user.id, homeBranch: branchId == null ? null : rootBranch(ctx.services.db, branchId) };
}

function list(ctx: AuthedCtx, id: number): CustomerList {
  const r = listRow(ctx.services.db, ctx.scope(), reader(ctx), id);
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

function savedQuery(ctx: AuthedCtx, id: number): SavedQuery {
  const r = savedQueryRow(ctx.services.db, reader(ctx), id);
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

/** Only the owner changes a list or a saved query (others may see shared ones). */
function mustOwn(ctx: AuthedCtx, entity: Owned, id: number): void {
  const owner = ownerOf(ctx.services.db, entity, id);
  if (owner === undefined) throw new AppError('NOT_FOUND', { entity, id });
  if (owner !== ctx.user.id) throw new AppError('FORBIDDEN', { entity });
}

export const listsHandlers = handlers({
  'favorites.set': ({ customerId, on }, ctx) => {
    customerInScope(ctx.services.db, ctx.scope(), customerId);
    setFavorite(ctx.services.db, ctx.user.id, customerId, on);
    return { customerId, on };
  },

  'favorites.which': ({ customerIds }, ctx) => favoritesAmong(ctx.services.db, ctx.user.id, customerIds),

  'lists.list': (_input, ctx) => visibleListIds(ctx.services.db, reader(ctx)).map((id) => list(ctx, id)),

  'lists.save': ({ id, name, shared }, ctx) => {
    if (id === undefined) return list(ctx, createList(ctx.services.db, reader(ctx), name, shared));
    mustOwn(ctx, 'list', id);
    updateList(ctx.services.db, id, name, shared);
    return list(ctx, id);
  },

  'lists.delete': ({ id }, ctx) => {
    mustOwn(ctx, 'list', id);
    return { deleted: deleteList(ctx.services.db, id) };
  },

  'lists.add': (input, ctx) => {
    mustOwn(ctx, 'list', input.listId);
    const today = ctx.services.clock.today();
    // Only customers the caller may see go in, whether picked one by one or by filter.
    const filter = compileFilter(ctx.scope(), 'filter' in input ? input.filter : {}, today, ctx.user.id);
    const picked = 'customerIds' in input ? input.customerIds : undefined;
    return { added: addMembers(ctx.services.db, input.listId, filter, picked) };
  },

  'lists.remove': ({ listId, customerIds }, ctx) => {
    mustOwn(ctx, 'list', listId);
    return { removed: removeMembers(ctx.services.db, listId, customerIds) };
  },

  'queries.list': (_input, ctx) => visibleQueryIds(ctx.services.db, reader(ctx)).map((id) => savedQuery(ctx, id)),

  'queries.save': ({ id, name, shared, filter }, ctx) => {
    // Compile once now: an invalid query is refused at save time with a clear message, not at run time.
    compileFilter(ctx.scope(), filter, ctx.services.clock.today(), ctx.user.id);
    const def = JSON.stringify(filter);
    if (id === undefined) return savedQuery(ctx, createQuery(ctx.services.db, reader(ctx), name, shared, def));
    mustOwn(ctx, 'query', id);
    updateQuery(ctx.services.db, id, name, shared, def);
    return savedQuery(ctx, id);
  },

  'queries.delete': ({ id }, ctx) => {
    mustOwn(ctx, 'query', id);
    return { deleted: deleteQuery(ctx.services.db, id) };
  },
});
