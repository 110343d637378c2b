/**
 * The customer grid's data columns, one per catalogue field the grid shows (shared/customer-fields.ts),
 * formatted by wire type: money right-aligned in yuan, codes as their labels. Widths, pinning and
 * hidden are initial values, so new definitions (a language switch) keep the user's layout. Pure, so
 * it is unit tested without a grid.
 */
import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import type { GridRow } from '../../../shared/api';
import { FIELD_ENUMS, fieldSpec, GRID_FIELDS, type GridField } from '../../../shared/customer-fields';
import type { Translate } from '../i18n/messages';

export type FieldColumn = ColDef<GridRow> & { colId: GridField };

export function fieldColumnDefs(t: Translate, money: (v: string | null | undefined) => string): FieldColumn[] {
  return GRID_FIELDS.map((k) => {
    const f = fieldSpec(k);
    const g = f.grid!;
    const def: FieldColumn = {
      colId: k,
      field: k,
      headerName: t(f.labelKey),
      initialWidth: g.width,
      sortable: f.sortable === true,
    };
    if (g.pinned) def.initialPinned = 'left';
    if (g.hidden) def.initialHide = true;
    if (f.wire === 'number') def.type = 'rightAligned';
    if (f.wire === 'money') {
      def.type = 'rightAligned';
      def.valueFormatter = (p: ValueFormatterParams<GridRow>) => money(p.value as string | null | undefined);
    }
    if (f.enum) {
      const key = FIELD_ENUMS[f.enum].key;
      // A customer not tiered yet reads as such; other empty codes as nothing.
      const empty = k === 'tier' ? () => t('customers.noTier') : () => '';
      def.valueFormatter = (p: ValueFormatterParams<GridRow>) =>
        p.value ? t(`${key}.${p.value}`, { defaultValue: p.value }) : empty();
    }
    return def;
  });
}
