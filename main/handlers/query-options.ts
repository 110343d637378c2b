import { queryPickBranches, queryPickManagers, queryPickProducts } from '../../db/repos/query-options';
import { handlers } from './types';

export const queryOptionsHandlers = handlers({
  'customers.queryOptions': (_input, ctx) => {
    const db = ctx.services.db;
    const scope = ctx.scope();
    return {
      managers: queryPickManagers(db, scope).map((m) => ({ ...m, active: m.active === 1 })),
      branches: queryPickBranches(db, scope),
      products: queryPickProducts(db),
    };
  },
});
