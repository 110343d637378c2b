import { z } from 'zod';
import { FIELD_KEYS, type CustomerField } from '../customer-fields';
import { method } from './define';
import { gridFilterSchema, gridSortSchema } from './grid';

/** Columns an export may carry, in the order the user's grid shows them: every catalogue field. */
export const EXPORT_COLUMNS = FIELD_KEYS;
export type ExportColumn = CustomerField;

export interface ExportStatus {
  ticket: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  format: 'xlsx' | 'csv';
  rows: number;
  total: number;
  /** 0..1 */
  fraction: number;
  file: { id: string; name: string; bytes: number } | null;
  error: { code: string; details: Record<string, unknown> } | null;
}

export const exportsApi = {
  /** Excel导出: exactly what the grid shows (filter, sort, visible columns in order, masking). Audited. */
  'exports.start': method<ExportStatus>()(
    'customer.list',
    z
      .object({
        filter: gridFilterSchema.default({}),
        sort: gridSortSchema.default([]),
        columns: z
          .array(z.enum(EXPORT_COLUMNS as [ExportColumn, ...ExportColumn[]]))
          .min(1)
          .max(EXPORT_COLUMNS.length),
        format: z.enum(['xlsx', 'csv']).default('xlsx'),
      })
      .strict(),
  ),
  'exports.status': method<ExportStatus>()('customer.list', z.object({ ticket: z.number().int().positive() }).strict()),
  'exports.cancel': method<ExportStatus>()('customer.list', z.object({ ticket: z.number().int().positive() }).strict()),
  /**
   * Hands a finished file to the user: in Electron a save dialog in the main process; in browser mode
   * the window fetches it from the host (GET /api/file/<id>, token and session headers).
   */
  'files.save': method<{ via: 'dialog' | 'fetch'; saved: boolean }>()(
    'session',
    z.object({ id: z.string().regex(/^[\w-]{16,64}$/) }).strict(),
  ),
} as const;
