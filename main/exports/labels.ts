/**
 * Column titles and value labels for exports, from the renderer's own translation files, so an
 * export reads exactly like the grid in the user's language.
 */
import { en, zhCN } from '../../renderer/src/i18n/resources';
import type { ExportColumn } from '../../shared/api/exports';

type Dict = Record<string, unknown>;
const DICTS: Record<'zh-CN' | 'en', Dict> = { 'zh-CN': zhCN as Dict, en: en as Dict };

export function label(locale: 'zh-CN' | 'en', key: string): string {
  let v: unknown = DICTS[locale];
  for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Dict)[part] : undefined;
  return typeof v === 'string' ? v : key;
}

const HEADER_KEY: Record<ExportColumn, string> = {
  customerNo: 'customer.customerNo',
  name: 'customer.name',
  kind: 'customer.kindLabel',
  tier: 'customer.tier',
  aum: 'customer.aumYuan',
  deposits: 'grid.deposits',
  wealth: 'grid.wealth',
  loans: 'grid.loans',
  idNo: 'customer.idNo',
  mobile: 'customer.mobile',
  managerName: 'customer.manager',
  branchName: 'grid.branch',
  status: 'customer.status',
  openedOn: 'grid.openedOn',
  lastTxnOn: 'grid.lastTxnOn',
  birthDate: 'grid.birthDate',
  gender: 'grid.gender',
  idType: 'grid.idType',
  occupation: 'grid.occupation',
  creditRating: 'grid.creditRating',
};

const ID_TYPES = ['resident_id', 'passport', 'hk_mo_permit', 'tw_permit', 'uscc', 'other'] as const;

export type CellType = 'text' | 'money' | 'date' | 'label';

export const COLUMN_TYPE: Record<ExportColumn, CellType> = {
  customerNo: 'text',
  name: 'text',
  kind: 'label',
  tier: 'label',
  aum: 'money',
  deposits: 'money',
  wealth: 'money',
  loans: 'money',
  idNo: 'text',
  mobile: 'text',
  managerName: 'text',
  branchName: 'text',
  status: 'label',
  openedOn: 'date',
  lastTxnOn: 'date',
  birthDate: 'date',
  gender: 'label',
  idType: 'label',
  occupation: 'text',
  creditRating: 'text',
};

export interface ColumnSpec {
  id: ExportColumn;
  header: string;
  type: CellType;
  /** Store code -> label, for 'label' columns. */
  labels?: Record<string, string>;
  /** Identifier columns are masked in the worker. */
  mask?: 'id' | 'phone';
  width: number;
}

export function columnSpecs(columns: readonly ExportColumn[], locale: 'zh-CN' | 'en'): ColumnSpec[] {
  return columns.map((id) => {
    const type = COLUMN_TYPE[id];
    const spec: ColumnSpec = {
      id,
      header: label(locale, HEADER_KEY[id]),
      type,
      width: type === 'money' ? 18 : id === 'idNo' ? 22 : type === 'date' ? 12 : 14,
    };
    if (id === 'tier')
      spec.labels = {
        gold: label(locale, 'tiers.gold'),
        quality: label(locale, 'tiers.quality'),
        key: label(locale, 'tiers.key'),
        ordinary: label(locale, 'tiers.ordinary'),
        restricted: label(locale, 'tiers.restricted'),
        exit: label(locale, 'tiers.exit'),
      };
    if (id === 'kind')
      spec.labels = {
        individual: label(locale, 'customer.kind.individual'),
        corporate: label(locale, 'customer.kind.corporate'),
      };
    if (id === 'status')
      spec.labels = {
        active: label(locale, 'customer.statusValue.active'),
        dormant: label(locale, 'customer.statusValue.dormant'),
        closed: label(locale, 'customer.statusValue.closed'),
      };
    if (id === 'gender')
      spec.labels = { M: label(locale, 'grid.genderValue.M'), F: label(locale, 'grid.genderValue.F') };
    if (id === 'idType')
      spec.labels = Object.fromEntries(ID_TYPES.map((k) => [k, label(locale, `grid.idTypeValue.${k}`)]));
    if (id === 'idNo') spec.mask = 'id';
    if (id === 'mobile') spec.mask = 'phone';
    return spec;
  });
}
