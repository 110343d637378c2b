/**
 * Row checks that need more than one field or rules beyond the field's type: identifiers by their
 * type (resident ID check character and birth date, 15-digit legacy IDs, HK/Macao/Taiwan permits,
 * passports, unified social credit codes), mainland mobiles, account numbers and card numbers
 * (Luhn). Compiled once per profile; the import and its preview run the same function, so they
 * reach the same verdict.
 *
 * A check may also normalise the value it accepts (an ID upper-cased, a 15-digit ID upgraded to 18
 * digits unless the id_no column's format says 'keep15', '+86 138-0013-8000' to '13800138000'):
 * it writes into `vals`, the array the writer stores.
 */
import { checkIdNo, isValidCardNo, isValidMobile, normalizeMobile } from '../../../shared/id-numbers';
import type { ImportProfile, RejectReason } from '../../../shared/imports';
import type { Value } from './job';

export interface RowFault {
  /** Index of the profile column at fault. */
  index: number;
  reason: RejectReason;
}

export type RowCheck = (vals: Value[]) => RowFault | null;

const ACCOUNT_NO = /^[0-9A-Za-z-]{4,32}$/;

export function compileRowCheck(profile: ImportProfile): RowCheck | null {
  const at = new Map(profile.columns.map((c, i) => [c.field, i]));
  const checks: RowCheck[] = [];
  const mobile = at.get('mobile');
  if (mobile !== undefined && (profile.kind === 'customers' || profile.kind === 'staff')) {
    checks.push((vals) => {
      const v = vals[mobile];
      if (v === null || v === undefined) return null;
      const norm = normalizeMobile(String(v));
      if (!isValidMobile(norm)) return { index: mobile, reason: 'bad_mobile' };
      vals[mobile] = norm;
      return null;
    });
  }
  const idNo = at.get('id_no');
  const idType = at.get('id_type');
  if (profile.kind === 'customers' && idNo !== undefined && idType !== undefined) {
    const legacy15 = profile.columns[idNo]!.format === 'keep15' ? 'keep' : 'convert';
    checks.push((vals) => {
      const v = vals[idNo];
      if (v === null || v === undefined) return null;
      const ok = checkIdNo(String(vals[idType] ?? 'other'), String(v), { legacy15 });
      if (!ok) return { index: idNo, reason: 'bad_id_no' };
      vals[idNo] = ok.value;
      return null;
    });
  }
  const accountNo = at.get('account_no');
  if (profile.kind === 'accounts' && accountNo !== undefined) {
    const kind = at.get('kind');
    checks.push((vals) => {
      const v = String(vals[accountNo] ?? '');
      if (!ACCOUNT_NO.test(v)) return { index: accountNo, reason: 'bad_account_no' };
      if (kind !== undefined && vals[kind] === 'card' && !isValidCardNo(v))
        return { index: accountNo, reason: 'bad_card_no' };
      return null;
    });
  }
  // references are resolved before the row check: both values are customer ids here
  const guarantor = at.get('guarantor_customer_no');
  const borrower = at.get('customer_no');
  if (profile.kind === 'loans' && guarantor !== undefined && borrower !== undefined) {
    checks.push((vals) =>
      vals[guarantor] != null && vals[guarantor] === vals[borrower]
        ? { index: guarantor, reason: 'self_guarantee' }
        : null,
    );
  }
  if (checks.length === 0) return null;
  return (vals) => {
    for (const c of checks) {
      const f = c(vals);
      if (f) return f;
    }
    return null;
  };
}
