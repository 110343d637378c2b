import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import {
  DEFAULT_NEXT_PRODUCT_SETTINGS,
  DEFAULT_RISK_SETTINGS,
  nextProductSettingsSchema,
  riskSettingsSchema,
  type NextProductSettings,
  type RiskSettings,
} from '../../shared/analytics';
import { query } from '../sql';

/** The analytics' bank-set parameters (migration 0026 analytics_settings), one JSON document per key. */
export type AnalyticsKey = 'next_product' | 'risk';

const GET = query<[key: string], { value: string; updatedAt: string; updatedBy: number | null }>(
  'SELECT value, updated_at AS updatedAt, updated_by AS updatedBy FROM analytics_settings WHERE key = ?',
);
const PUT = query<[key: string, value: string, by: number | null]>(
  `INSERT INTO analytics_settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
   ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
);

function read<T>(
  db: Database,
  key: AnalyticsKey,
  schema: z.ZodType<T>,
  defaults: T,
): { value: T; updatedAt: string | null } {
  const row = GET.get(db, key);
  if (!row) return { value: defaults, updatedAt: null };
  try {
    // a document from an older version may lack a newer parameter: the default fills it
    const parsed = schema.safeParse({ ...defaults, ...(JSON.parse(row.value) as object) });
    if (parsed.success) return { value: parsed.data, updatedAt: row.updatedAt };
  } catch {
    /* unreadable: the defaults below */
  }
  return { value: defaults, updatedAt: null };
}

export function nextProductSettings(db: Database): { value: NextProductSettings; updatedAt: string | null } {
  return read(db, 'next_product', nextProductSettingsSchema, DEFAULT_NEXT_PRODUCT_SETTINGS);
}

export function riskSettings(db: Database): { value: RiskSettings; updatedAt: string | null } {
  return read(db, 'risk', riskSettingsSchema, DEFAULT_RISK_SETTINGS);
}

/** Stores an already validated document. */
export function saveAnalyticsSettings(db: Database, key: AnalyticsKey, value: object, userId: number | null): void {
  PUT.run(db, key, JSON.stringify(value), userId);
}
