/**
 * The bank's score parameters (shared/scores.ts) in the store: one row of score_settings, validated
 * before it is written. No row: the shipped defaults.
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { DEFAULT_SCORE_PARAMS, scoreParamsSchema, type ScoreParams } from '../../shared/scores';
import { query } from '../sql';

const GET = query<[], { params: string; updatedAt: string; updatedBy: string | null }>(
  `SELECT s.params, s.updated_at AS updatedAt, u.username AS updatedBy
   FROM score_settings s LEFT JOIN users u ON u.id = s.updated_by WHERE s.id = 1`,
);
const SET = query<[params: string, userId: number | null, at: string]>(
  `INSERT INTO score_settings (id, params, updated_by, updated_at) VALUES (1, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET params = excluded.params, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
);

/** The parameters in force (a stored set this version no longer accepts falls back to the defaults). */
export function readScoreParams(db: Database): ScoreParams {
  const row = GET.get(db);
  if (!row) return DEFAULT_SCORE_PARAMS;
  const parsed = scoreParamsSchema.safeParse(JSON.parse(row.params));
  return parsed.success ? parsed.data : DEFAULT_SCORE_PARAMS;
}

export function scoreSettingsMeta(db: Database): { updatedAt: string | null; updatedBy: string | null } {
  const row = GET.get(db);
  return { updatedAt: row?.updatedAt ?? null, updatedBy: row?.updatedBy ?? null };
}

/**
 * Checks and stores a parameter set. Refused with VALIDATION naming each bad field (path and code);
 * nothing is written then.
 */
export function saveScoreParams(db: Database, input: unknown, userId: number | null, at: string): ScoreParams {
  const parsed = scoreParamsSchema.safeParse(input);
  if (!parsed.success)
    throw new AppError('VALIDATION', {
      issues: parsed.error.issues.map((i) => ({
        path: ['params', ...i.path.map(String)],
        code: i.code === 'custom' ? i.message : i.code,
      })),
    });
  SET.run(db, JSON.stringify(parsed.data), userId, at);
  return parsed.data;
}

/** A stable digest of a parameter set: the stored scores were made with it or not. */
export function paramsHash(p: ScoreParams): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(canon(p)))
    .digest('hex')
    .slice(0, 32);
}
