import { z } from 'zod';
import { method } from './define';

/** What 高级查询's pickers offer, by name: a branch user never types a staff id, outlet id or product code. */
export interface QueryOptions {
  /** Customer managers of the caller's customers (a manager: those of their book and grants). */
  managers: { id: number; name: string; branchName: string; active: boolean }[];
  /** Outlets the caller's customers belong to. */
  branches: { id: number; name: string }[];
  /** Every product, on sale or not (a customer may still hold one no longer sold). */
  products: { code: string; name: string; category: string }[];
}

export const queryOptionsApi = {
  /** The managers, outlets and products the advanced query's pickers list, within the caller's scope. */
  'customers.queryOptions': method<QueryOptions>()('customer.list', z.object({}).strict()),
} as const;
