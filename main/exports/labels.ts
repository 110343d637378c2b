/**
 * Column titles, cell types and value labels of the grid export, from the customer field catalogue
 * (shared/customer-fields.ts) and its strings (shared/i18n/customer-fields.ts), so an export reads
 * exactly like the grid in the user's language.
 */
import type { ExportColumn } from '../../shared/api/exports';
import { fieldSpec, type WireType } from '../../shared/customer-fields';
import { fieldTitle, valueLabels } from '../../shared/i18n/customer-fields';

export { label } from './page-strings';

export type CellType = 'text' | 'money' | 'date' | 'label' | 'number';

/** Codes are written as their labels. */
const CELL_TYPE: Record<WireType, CellType> = {
  text: 'text',
  money: 'money',
  date: 'date',
  enum: 'label',
  number: 'number',
};
const WIDTH: Record<CellType, number> = { text: 14, money: 18, date: 12, label: 14, number: 10 };

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
    const f = fieldSpec(id);
    const type = CELL_TYPE[f.wire];
    const spec: ColumnSpec = { id, header: fieldTitle(locale, id), type, width: f.exportWidth ?? WIDTH[type] };
    if (f.enum) spec.labels = valueLabels(locale, f.enum);
    if (f.mask) spec.mask = f.mask;
    return spec;
  });
}
