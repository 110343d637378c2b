import { z } from 'zod';
import { method } from './define';
import { GRID_FIELDS, type GridField } from '../customer-fields';

/**
 * Per-user settings kept in the store (migration 0017 user_settings), always the signed-in user's own:
 * the user comes from the session, never from input. The first is the customer grid's column layout
 * (which columns show, their order, widths and pinning), which used to live in the renderer's
 * localStorage and so was lost with the cache and stayed on one PC.
 */

/** Keys a user setting may have: a closed list (user_settings.key). */
export const SETTING_KEYS = ['grid.customers.layout', 'grid.customers.panels'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/**
 * The customer grid's column ids (renderer/src/pages/customer-columns.tsx): the star column, then the
 * catalogue fields the grid shows (shared/customer-fields.ts; the customer type is export only).
 */
export type GridColumnId = 'fav' | GridField;
export const GRID_COLUMN_IDS: readonly GridColumnId[] = ['fav', ...GRID_FIELDS];

/** At most this many entries in a layout (the grid has fewer columns; room for a few more). */
export const GRID_LAYOUT_MAX_COLUMNS = 40;
/** Column widths in CSS pixels. */
export const GRID_COLUMN_MIN_WIDTH = 20;
export const GRID_COLUMN_MAX_WIDTH = 2000;

const columnStateWire = z
  .object({
    colId: z.string().min(1).max(64),
    width: z.number().int().min(GRID_COLUMN_MIN_WIDTH).max(GRID_COLUMN_MAX_WIDTH),
    hide: z.boolean(),
    pinned: z.enum(['left', 'right']).nullable(),
  })
  .strict();

/**
 * The layout as it travels: the shape is checked by the registry (a bad width, pinned value or a
 * missing field is a VALIDATION error naming the field). The column id is any short text here so that
 * an unknown or repeated id gets its own translated refusal (GRID_LAYOUT_INVALID, naming the column)
 * from gridLayoutSchema below rather than a generic validation error.
 */
export const gridLayoutWireSchema = z.array(columnStateWire).max(GRID_LAYOUT_MAX_COLUMNS);

/** Reasons a layout is refused (errors.GRID_LAYOUT_INVALID's `reason` detail). */
export const GRID_LAYOUT_PROBLEMS = ['unknown_column', 'duplicate_column', 'bad_shape'] as const;
export type GridLayoutProblem = (typeof GRID_LAYOUT_PROBLEMS)[number];

const KNOWN = new Set<string>(GRID_COLUMN_IDS);

/**
 * A layout as stored and served: the wire shape, every column id one of GRID_COLUMN_IDS, each at
 * most once. A refused id is reported as a custom issue whose params carry { reason, colId }.
 */
export const gridLayoutSchema = gridLayoutWireSchema
  .superRefine((cols, ctx) => {
    const seen = new Set<string>();
    cols.forEach((c, i) => {
      if (!KNOWN.has(c.colId)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'colId'],
          message: 'unknown_column',
          params: { reason: 'unknown_column', colId: c.colId },
        });
      } else if (seen.has(c.colId)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'colId'],
          message: 'duplicate_column',
          params: { reason: 'duplicate_column', colId: c.colId },
        });
      }
      seen.add(c.colId);
    });
  })
  .transform((cols) => cols as GridColumnState[]);

export interface GridColumnState {
  colId: GridColumnId;
  width: number;
  hide: boolean;
  pinned: 'left' | 'right' | null;
}

export interface GridLayoutView {
  /** The user's saved layout, or null: none saved (the grid's defaults apply). */
  layout: GridColumnState[] | null;
  updatedAt: string | null;
}

/** The customer page's foldable panels, as the user left them. */
export const gridPanelsSchema = z.object({ statsCollapsed: z.boolean() }).strict();
export type GridPanels = z.infer<typeof gridPanelsSchema>;

export const settingsApi = {
  /** The caller's own customer-grid column layout (null when none is saved). */
  'settings.gridLayout.get': method<GridLayoutView>()('customer.list', z.object({}).strict()),
  /** Saves the caller's customer-grid column layout (known column ids, each once; sane widths). */
  'settings.gridLayout.save': method<{ layout: GridColumnState[]; updatedAt: string }>()(
    'customer.list',
    z.object({ layout: gridLayoutWireSchema }).strict(),
  ),
  /** Forgets the caller's layout: the grid goes back to its default columns. */
  'settings.gridLayout.reset': method<{ removed: boolean }>()('customer.list', z.object({}).strict()),
  /** The caller's customer-page panels: whether 快速统计 is folded away (false when never set). */
  'settings.gridPanels.get': method<GridPanels>()('customer.list', z.object({}).strict()),
  /** Remembers the caller's customer-page panels. */
  'settings.gridPanels.save': method<GridPanels>()('customer.list', gridPanelsSchema),
} as const;
