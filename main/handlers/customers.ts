import type { CustomerDetail, CustomerSummary, Tier } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { fenToYuan } from '../../shared/money';
import {
  type CustomerListRow,
  countCustomers,
  customerById,
  listCustomers,
  revealCustomer,
  countSearch,
  searchCustomers,
} from '../../db/repos/customers';
import { handlers, type AuthedCtx } from './types';

export function toSummary(r: CustomerListRow): CustomerSummary {
  return {
    id: r.id,
    customerNo: r.customer_no,
    kind: r.kind,
    name: r.name,
    idType: r.id_type,
    idNo: r.id_no,
    mobile: r.mobile,
    tier: r.tier as Tier | null,
    status: r.status,
    branchName: r.branch_name,
    managerName: r.manager_name,
    aum: fenToYuan(r.aum_fen),
    deposits: fenToYuan(r.deposit_fen),
    loans: fenToYuan(r.loan_fen),
    masked: true,
  };
}

/**
 * One customer in the caller's scope, masked; NOT_FOUND otherwise (never "exists but forbidden").
 * A refusal is audited under `action` (the method that asked): reads probing for customers outside
 * one's scope leave a record, whether the id exists or not.
 */
export function customerDetail(ctx: AuthedCtx, id: number, action = 'customers.get'): CustomerDetail {
  const r = customerById(ctx.services.db, ctx.scope(), id);
  if (!r) {
    ctx.audit({ action, outcome: 'denied', targetType: 'customer', targetId: id, details: { reason: 'not_in_scope' } });
    throw new AppError('NOT_FOUND', { entity: 'customer', id });
  }
  return {
    ...toSummary(r),
    gender: r.gender,
    birthDate: r.birth_date,
    address: r.address,
    email: r.email,
    occupation: r.occupation,
    openedOn: r.opened_on,
    wealth: fenToYuan(r.wealth_fen),
    lastTxnOn: r.last_txn_on,
    tags: r.tags,
  };
}

export const customersHandlers = handlers({
  'customers.search': ({ query, limit }, ctx) =>
    searchCustomers(ctx.services.db, ctx.scope(), query, limit).map(toSummary),

  'customers.searchTotal': ({ query }, ctx) => ({ total: countSearch(ctx.services.db, ctx.scope(), query) }),

  'customers.get': ({ id }, ctx) => customerDetail(ctx, id),

  'customers.list': ({ offset, limit, tier }, ctx) => {
    const { db } = ctx.services;
    const scope = ctx.scope();
    return {
      rows: listCustomers(db, scope, { offset, limit, tier }).map(toSummary),
      total: countCustomers(db, scope, { tier }),
    };
  },

  'customers.count': ({ tier }, ctx) => ({ total: countCustomers(ctx.services.db, ctx.scope(), { tier }) }),

  'customers.reveal': ({ id, reason }, ctx) => {
    const r = revealCustomer(ctx.services.db, ctx.scope(), id);
    if (!r) {
      ctx.audit({
        action: 'customers.reveal',
        outcome: 'denied',
        targetType: 'customer',
        targetId: id,
        details: { reason },
      });
      throw new AppError('NOT_FOUND', { entity: 'customer', id });
    }
    ctx.audit({
      action: 'customers.reveal',
      outcome: 'ok',
      targetType: 'customer',
      targetId: id,
      details: { reason, fields: ['idNo', 'mobile', 'phone'] },
    });
    return { id: r.id, idNo: r.id_no, mobile: r.mobile, phone: r.phone };
  },
});
