/**
 * The customer grid's column layout as the store keeps it (settings.gridLayout.*, shared/api/settings.ts),
 * from ag-grid's column state: known column ids only, each once, whole widths in the allowed range,
 * hidden as a boolean, pinned 'left' / 'right' / null. Pure, so it is unit tested without a grid.
 */
import {
  GRID_COLUMN_IDS,
  GRID_COLUMN_MAX_WIDTH,
  GRID_COLUMN_MIN_WIDTH,
  type GridColumnId,
  type GridColumnState,
} from '../../../shared/api';

/** What ag-grid's getColumnState() gives (and what the old localStorage entries held). */
export interface AnyColumnState {
  colId?: unknown;
  width?: unknown;
  hide?: unknown;
  pinned?: unknown;
}

const KNOWN = new Set<string>(GRID_COLUMN_IDS);
export const isGridColumnId = (v: unknown): v is GridColumnId => typeof v === 'string' && KNOWN.has(v);

/**
 * Column state → a layout the server accepts. Unknown or repeated ids are dropped; a width that is
 * missing or not a number takes `fallbackWidth(colId)`, then is rounded and kept within range.
 */
export function toGridLayout(
  state: readonly AnyColumnState[],
  fallbackWidth: (colId: GridColumnId) => number = () => 100,
): GridColumnState[] {
  const out: GridColumnState[] = [];
  const seen = new Set<string>();
  for (const c of state) {
    if (!c || !isGridColumnId(c.colId) || seen.has(c.colId)) continue;
    seen.add(c.colId);
    const raw = typeof c.width === 'number' && Number.isFinite(c.width) ? c.width : fallbackWidth(c.colId);
    const width = Math.min(GRID_COLUMN_MAX_WIDTH, Math.max(GRID_COLUMN_MIN_WIDTH, Math.round(raw)));
    // ag-grid takes `true` for the left side
    const pinned = c.pinned === 'right' ? 'right' : c.pinned === 'left' || c.pinned === true ? 'left' : null;
    out.push({ colId: c.colId, width, hide: c.hide === true, pinned });
  }
  return out;
}

/** The per-PC key the layout was kept under before it moved to the store (read once, then removed). */
export function legacyLayoutKey(username: string): string {
  return `crm.grid.customers.${username}`;
}

/** The legacy localStorage layout as column state, or null when there is none (or it cannot be read). */
export function parseLegacyLayout(text: string | null): AnyColumnState[] | null {
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as AnyColumnState[]) : null;
  } catch {
    return null;
  }
}
