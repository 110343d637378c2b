import { z } from 'zod';
import { method } from './define';
import { gridFilterSchema, type GridFilter } from './grid';

export interface CustomerList {
  id: number;
  name: string;
  shared: boolean;
  mine: boolean;
  ownerName: string;
  /** Members the caller may see (scope applies to lists too). */
  members: number;
  updatedAt: string;
}

export interface SavedQuery {
  id: number;
  name: string;
  shared: boolean;
  mine: boolean;
  ownerName: string;
  filter: GridFilter;
  updatedAt: string;
}

const ids = z.array(z.number().int().positive()).min(1).max(5000);
const name = z.string().trim().min(1).max(40);

export const listsApi = {
  /** 收藏夹: star or unstar a customer in the caller's scope. */
  'favorites.set': method<{ customerId: number; on: boolean }>()(
    'customer.list',
    z.object({ customerId: z.number().int().positive(), on: z.boolean() }).strict(),
  ),
  /** Which of these customers the caller has starred (for the grid's star column). */
  'favorites.which': method<number[]>()(
    'customer.list',
    z.object({ customerIds: z.array(z.number().int().positive()).max(500) }).strict(),
  ),
  'lists.list': method<CustomerList[]>()('customer.list', z.object({}).strict()),
  'lists.save': method<CustomerList>()(
    'customer.list',
    z.object({ id: z.number().int().positive().optional(), name, shared: z.boolean().default(false) }).strict(),
  ),
  'lists.delete': method<{ deleted: boolean }>()(
    'customer.list',
    z.object({ id: z.number().int().positive() }).strict(),
  ),
  /** 加入列表: the selected customers, or everyone the filter keeps (in scope), into a list. */
  'lists.add': method<{ added: number }>()(
    'customer.list',
    z.union([
      z.object({ listId: z.number().int().positive(), customerIds: ids }).strict(),
      z.object({ listId: z.number().int().positive(), filter: gridFilterSchema }).strict(),
    ]),
  ),
  'lists.remove': method<{ removed: number }>()(
    'customer.list',
    z.object({ listId: z.number().int().positive(), customerIds: ids }).strict(),
  ),
  'queries.list': method<SavedQuery[]>()('customer.list', z.object({}).strict()),
  'queries.save': method<SavedQuery>()(
    'customer.list',
    z
      .object({
        id: z.number().int().positive().optional(),
        name,
        shared: z.boolean().default(false),
        filter: gridFilterSchema,
      })
      .strict(),
  ),
  'queries.delete': method<{ deleted: boolean }>()(
    'customer.list',
    z.object({ id: z.number().int().positive() }).strict(),
  ),
} as const;
