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
import { syncActor } from '../../db/sync/actor';
import { listSyncId, querySyncId, shareFavorite, shareList, shareQuery } from '../../db/sync/lists';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';

/** Runs a change and, on a PC joined to a hub, queues the owner's new state in the same transaction. */
function synced<T>(ctx: AuthedCtx, work: () => T, share: (value: T) => void): T {
  const db = ctx.services.db;
  const out = db.transaction(() => {
    const v = work();
    share(v);
    return v;
  })();
  kickSync(db);
  return out;
}

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
    const db = ctx.services.db;
    customerInScope(db, ctx.scope(), customerId);
    synced(
      ctx,
      () => setFavorite(db, ctx.user.id, customerId, on),
      () => shareFavorite(db, ctx.user.id, customerId, syncActor(db, ctx.user)),
    );
    return { customerId, on };
  },

  'favorites.which': ({ customerIds }, ctx) => favoritesAmong(ctx.services.db, ctx.user.id, customerIds),

  'lists.list': (_input, ctx) => visibleListIds(ctx.services.db, reader(ctx)).map((id) => list(ctx, id)),

  'lists.save': ({ id, name, shared }, ctx) => {
    const db = ctx.services.db;
    const share = (listId: number) => shareList(db, listId, syncActor(db, ctx.user));
    if (id === undefined)
      return list(
        ctx,
        synced(ctx, () => createList(db, reader(ctx), name, shared), share),
      );
    mustOwn(ctx, 'list', id);
    synced(
      ctx,
      () => updateList(db, id, name, shared),
      () => share(id),
    );
    return list(ctx, id);
  },

  'lists.delete': ({ id }, ctx) => {
    mustOwn(ctx, 'list', id);
    const db = ctx.services.db;
    const syncId = listSyncId(db, id);
    return {
      deleted: synced(
        ctx,
        () => deleteList(db, id),
        () => shareList(db, id, syncActor(db, ctx.user), syncId),
      ),
    };
  },

  'lists.add': (input, ctx) => {
    mustOwn(ctx, 'list', input.listId);
    const today = ctx.services.clock.today();
    // Only customers the caller may see go in, whether picked one by one or by filter.
    const filter = compileFilter(ctx.scope(), 'filter' in input ? input.filter : {}, today, ctx.user.id);
    const picked = 'customerIds' in input ? input.customerIds : undefined;
    const db = ctx.services.db;
    const added = synced(
      ctx,
      () => addMembers(db, input.listId, filter, picked),
      () => shareList(db, input.listId, syncActor(db, ctx.user)),
    );
    return { added };
  },

  'lists.remove': ({ listId, customerIds }, ctx) => {
    mustOwn(ctx, 'list', listId);
    const db = ctx.services.db;
    const removed = synced(
      ctx,
      () => removeMembers(db, listId, customerIds),
      () => shareList(db, listId, syncActor(db, ctx.user)),
    );
    return { removed };
  },

  'queries.list': (_input, ctx) => visibleQueryIds(ctx.services.db, reader(ctx)).map((id) => savedQuery(ctx, id)),

  'queries.save': ({ id, name, shared, filter }, ctx) => {
    // Compile once now: an invalid query is refused at save time with a clear message, not at run time.
    compileFilter(ctx.scope(), filter, ctx.services.clock.today(), ctx.user.id);
    const def = JSON.stringify(filter);
    const db = ctx.services.db;
    const share = (queryId: number) => shareQuery(db, queryId, syncActor(db, ctx.user));
    if (id === undefined)
      return savedQuery(
        ctx,
        synced(ctx, () => createQuery(db, reader(ctx), name, shared, def), share),
      );
    mustOwn(ctx, 'query', id);
    synced(
      ctx,
      () => updateQuery(db, id, name, shared, def),
      () => share(id),
    );
    return savedQuery(ctx, id);
  },

  'queries.delete': ({ id }, ctx) => {
    mustOwn(ctx, 'query', id);
    const db = ctx.services.db;
    const syncId = querySyncId(db, id);
    return {
      deleted: synced(
        ctx,
        () => deleteQuery(db, id),
        () => shareQuery(db, id, syncActor(db, ctx.user), syncId),
      ),
    };
  },
});
