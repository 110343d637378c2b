import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldColumnDefs } from '../../../renderer/src/pages/customer-columns';
import { legacyLayoutKey, parseLegacyLayout, toGridLayout } from '../../../renderer/src/pages/grid-layout';
import { GRID_COLUMN_IDS, gridLayoutSchema } from '../../../shared/api';

describe('customer grid layout (renderer side)', () => {
  it('GRID_COLUMN_IDS are exactly the grid’s column ids, in the grid’s default order', () => {
    // The page defines the star column, then the catalogue's field columns (customer-columns.ts).
    const src = readFileSync(resolve(__dirname, '../../../renderer/src/pages/CustomersPage.tsx'), 'utf8');
    const defs = src.slice(src.indexOf('const columnDefs'), src.indexOf('[t, money]'));
    expect([...defs.matchAll(/colId: '([A-Za-z]+)'/g)].map((m) => m[1])).toEqual(['fav']);
    expect(defs).toContain('...fieldColumnDefs(t, money)');
    const ids = fieldColumnDefs(
      (k) => k,
      (v) => v ?? '',
    ).map((c) => c.colId);
    expect(['fav', ...ids]).toEqual([...GRID_COLUMN_IDS]);
  });

  it('turns ag-grid column state into a layout the server accepts', () => {
    const state = [
      { colId: 'fav', width: 52, hide: null, pinned: 'left', sort: null, flex: null },
      { colId: 'name', width: 133.6, hide: false, pinned: true },
      { colId: 'aum', width: 5, hide: true, pinned: 'right' },
      { colId: 'tier', width: 99_999, hide: undefined, pinned: null },
      { colId: 'ag-Grid-SelectionColumn', width: 40, hide: false, pinned: 'left' },
      { colId: 'name', width: 300, hide: true, pinned: null },
      { colId: 'mobile', hide: false },
    ];
    const layout = toGridLayout(state, (id) => (id === 'mobile' ? 131.2 : 0));
    expect(layout).toEqual([
      { colId: 'fav', width: 52, hide: false, pinned: 'left' },
      { colId: 'name', width: 134, hide: false, pinned: 'left' },
      { colId: 'aum', width: 20, hide: true, pinned: 'right' },
      { colId: 'tier', width: 2000, hide: false, pinned: null },
      { colId: 'mobile', width: 131, hide: false, pinned: null },
    ]);
    expect(gridLayoutSchema.safeParse(layout).success).toBe(true);
  });

  it('reads the old localStorage layout once: a list of states, anything else is none', () => {
    expect(legacyLayoutKey('manager3')).toBe('crm.grid.customers.manager3');
    expect(parseLegacyLayout(null)).toBeNull();
    expect(parseLegacyLayout('{broken')).toBeNull();
    expect(parseLegacyLayout('{"tier":90}')).toBeNull();
    expect(parseLegacyLayout('[{"colId":"tier","width":90,"hide":true,"pinned":null}, 3, null]')).toEqual([
      { colId: 'tier', width: 90, hide: true, pinned: null },
    ]);
  });
});
