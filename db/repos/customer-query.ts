/**
 * 高级查询 (advanced query) as SQL: a group of AND/OR conditions over customer fields and related facts
 * becomes one WHERE fragment over `customers c`. Field names come from the contract's closed list
 * (shared/api/grid.ts QUERY_FIELDS; the plain-column ones from the customer field catalogue and their
 * SQL from db/customer-field-sql.ts), operators from SQL_OP; every value is checked against its type
 * and bound as a parameter.
 */
import { QUERY_ENUMS, QUERY_FIELDS, type QueryCondition, type QueryGroup } from '../../shared/api/grid';
import { QUERY_COLUMN_FIELDS } from '../../shared/customer-fields';
import { addDays } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import { yuanToFen } from '../../shared/money';
import { FIELD_ID_CONDITIONS, FIELD_SQL } from '../customer-field-sql';

export const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export type Param = string | number;

function invalid(path: (string | number)[], code: string): never {
  throw new AppError('VALIDATION', { issues: [{ path: ['filter', 'advanced', ...path.map(String)], code }] });
}

/** Query fields that compare one column: the catalogue's plain ones, and the manager and branch ids. */
const COLUMN: Record<string, string> = {
  ...Object.fromEntries(QUERY_COLUMN_FIELDS.map((k) => [k, FIELD_SQL[k]])),
  managerId: 'COALESCE(c.manager_staff_id, 0)',
  branchId: 'c.branch_id',
};
const SQL_OP: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** Compiles one advanced-query condition; every value is a parameter, every name from a whitelist. */
function compileCondition(c: QueryCondition, today: string, params: Param[], path: (string | number)[]): string {
  const type = QUERY_FIELDS[c.field];
  const values = Array.isArray(c.value) ? c.value : [c.value];
  const norm = (v: string | number, i: number): Param => {
    switch (type) {
      case 'money': {
        const t = typeof v === 'number' ? String(v) : v;
        if (!/^-?\d{1,13}(\.\d{1,2})?$/.test(t.trim())) invalid([...path, 'value', i], 'not_money');
        return Number(yuanToFen(t));
      }
      case 'date':
        if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
          invalid([...path, 'value', i], 'not_date');
        return v;
      case 'number':
      case 'id':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid([...path, 'value', i], 'not_whole_number');
        return v;
      case 'enum':
      case 'channel':
        if (typeof v !== 'string' || !QUERY_ENUMS[c.field]!.includes(v)) invalid([...path, 'value', i], 'not_allowed');
        return v;
      case 'code':
        if (typeof v !== 'string' || !/^[\w-]{1,16}$/.test(v)) invalid([...path, 'value', i], 'not_code');
        return v;
    }
  };
  const vs = values.map(norm);
  const one = () => {
    if (Array.isArray(c.value)) invalid([...path, 'value'], 'expects_one_value');
    return vs[0]!;
  };
  const comparison = (expr: string): string => {
    if (c.op === 'in') {
      if (!Array.isArray(c.value) || vs.length === 0) invalid([...path, 'value'], 'expects_list');
      params.push(...vs);
      return `${expr} IN (${inList(vs.length)})`;
    }
    if (c.op === 'between') {
      if (!Array.isArray(c.value) || vs.length !== 2) invalid([...path, 'value'], 'expects_two_values');
      if (vs[0]! > vs[1]!) invalid([...path, 'value'], 'impossible_range');
      params.push(vs[0]!, vs[1]!);
      return `${expr} BETWEEN ? AND ?`;
    }
    params.push(one());
    return `${expr} ${SQL_OP[c.op]} ?`;
  };
  const onlyEquality = () => {
    if (!['eq', 'ne', 'in'].includes(c.op)) invalid([...path, 'op'], 'op_not_supported');
  };
  // A field read through a join (the active churn model's group): its ids passing the comparison.
  const ids = FIELD_ID_CONDITIONS[c.field as keyof typeof FIELD_ID_CONDITIONS];
  if (ids) return ids(comparison);
  const column = COLUMN[c.field];
  if (column && type === 'enum') {
    // Codes compare for equality only; "not this code" keeps the rows without one.
    onlyEquality();
    return c.op === 'ne' ? `(${column} IS NULL OR ${comparison(column)})` : comparison(column);
  }
  switch (c.field) {
    case 'age': {
      // Whole years at today's date, for individuals (a corporate's "birth date" is its founding).
      params.push(today, today);
      const age = `(CAST(substr(?, 1, 4) AS INTEGER) - CAST(substr(c.birth_date, 1, 4) AS INTEGER) - (substr(?, 6, 5) < substr(c.birth_date, 6, 5)))`;
      return `(c.kind = 'individual' AND c.birth_date IS NOT NULL AND ${comparison(age)})`;
    }
    case 'holdsProduct':
    case 'holdsCategory': {
      onlyEquality();
      const col = c.field === 'holdsProduct' ? 'p.code' : 'p.category';
      const list = c.op === 'in' ? vs : [one()];
      const l = inList(list.length);
      params.push(...list, ...list, ...list);
      const exists = `(EXISTS (SELECT 1 FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.customer_id = c.id AND a.status <> 'closed' AND ${col} IN (${l}))
        OR EXISTS (SELECT 1 FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = c.id AND h.status = 'active' AND ${col} IN (${l}))
        OR EXISTS (SELECT 1 FROM loans lo JOIN products p ON p.id = lo.product_id WHERE lo.customer_id = c.id AND lo.status = 'active' AND ${col} IN (${l})))`;
      return c.op === 'ne' ? `NOT ${exists}` : exists;
    }
    case 'channelUse': {
      onlyEquality();
      const list = c.op === 'in' ? vs : [one()];
      const since = addDays(today, -(c.days ?? 90));
      params.push(...list, `${since} 00:00:00`, c.minCount ?? 1);
      const n = `(SELECT COUNT(*) FROM transactions t WHERE t.customer_id = c.id AND t.channel IN (${inList(list.length)}) AND t.txn_at >= ?) >= ?`;
      return c.op === 'ne' ? `NOT ${n}` : n;
    }
    case 'loanMaturingDays':
    case 'depositMaturingDays': {
      if (!['lte', 'lt'].includes(c.op)) invalid([...path, 'op'], 'op_not_supported');
      const days = one() as number;
      const until = addDays(today, c.op === 'lt' ? days - 1 : days);
      if (c.field === 'loanMaturingDays') {
        params.push(today, until);
        return `EXISTS (SELECT 1 FROM loans lo WHERE lo.customer_id = c.id AND lo.status = 'active' AND lo.maturity_on BETWEEN ? AND ?)`;
      }
      params.push(today, until, today, until);
      return `(EXISTS (SELECT 1 FROM term_deposits t WHERE t.customer_id = c.id AND t.status = 'active' AND t.maturity_on BETWEEN ? AND ?)
        OR EXISTS (SELECT 1 FROM wealth_holdings h WHERE h.customer_id = c.id AND h.status = 'active' AND h.maturity_on BETWEEN ? AND ?))`;
    }
    default: {
      if (!column) invalid([...path, 'field'], 'unknown_field');
      return comparison(column);
    }
  }
}

export function compileGroup(
  g: QueryGroup,
  today: string,
  params: Param[],
  path: (string | number)[] = [],
  depth = 0,
  budget = { n: 0 },
): string {
  if (depth > 4) invalid(path, 'too_deep');
  const parts = g.items.map((item, i) => {
    if (++budget.n > 60) invalid(path, 'too_many_conditions');
    return 'items' in item
      ? `(${compileGroup(item, today, params, [...path, 'items', i], depth + 1, budget)})`
      : compileCondition(item, today, params, [...path, 'items', i]);
  });
  return `(${parts.join(g.op === 'and' ? ' AND ' : ' OR ')})`;
}
