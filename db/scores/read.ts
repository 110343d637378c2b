/**
 * Reading the scores: the settings screen's view and one customer's breakdown for the 360. The
 * customer is read through the caller's scope in SQL (out of scope reads as not found).
 */
import type { Database } from 'better-sqlite3';
import type { ScoreBreakdown, ScoreSettingsView } from '../../shared/api/scores';
import { addMonths } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import { fenToYuan } from '../../shared/money';
import { clvFactor, DEFAULT_SCORE_PARAMS, type ProductClass, type RetentionGroup } from '../../shared/scores';
import type { Scope } from '../scope';
import { first } from '../sql';
import { readScoreParams, scoreSettingsMeta } from './params';

interface StateRow {
  asOf: string;
  computedAt: string;
  mode: string;
  customers: number;
  retention: string;
}
const state = (db: Database) =>
  db
    .prepare(
      'SELECT as_of_month AS asOf, computed_at AS computedAt, mode, customers, retention FROM score_state WHERE id = 1',
    )
    .get() as StateRow | undefined;

export function scoreSettingsView(db: Database): ScoreSettingsView {
  const s = state(db);
  return {
    params: readScoreParams(db),
    defaults: DEFAULT_SCORE_PARAMS,
    ...scoreSettingsMeta(db),
    run: s ? { asOf: s.asOf, computedAt: s.computedAt, mode: s.mode, customers: s.customers } : null,
    retention: s ? (JSON.parse(s.retention) as RetentionGroup[]) : [],
  };
}

interface ScoreDbRow {
  deposit_fen: number;
  loan_fen: number;
  wealth_fen: number;
  fee_fen: number;
  contribution_fen: number;
  parts: string;
  tenure_x100: number;
  breadth_x100: number;
  activity_x100: number;
  kept_x100: number;
  loyalty: number;
  retention_ppm: number;
  clv_fen: number;
  points: number;
}

export function customerScores(db: Database, scope: Scope, customerId: number): ScoreBreakdown | null {
  const row = first<ScoreDbRow & { inScope: number; computed: number }>(
    db,
    `SELECT 1 AS inScope, s.customer_id IS NOT NULL AS computed, s.*
     FROM customers c LEFT JOIN customer_scores s ON s.customer_id = c.id WHERE c.id = ? AND ${scope.sql}`,
    customerId,
    ...scope.params,
  );
  if (!row) throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
  const st = state(db);
  if (!row.computed || !st) return null;
  const p = readScoreParams(db);
  const y = (fen: number) => fenToYuan(fen);
  const ledger = db
    .prepare(
      'SELECT month, balance_pts AS balance, txn_pts AS txn, expired_pts AS expired FROM points_ledger WHERE customer_id = ? ORDER BY month DESC',
    )
    .all(customerId) as ScoreBreakdown['ledger'];
  const parts = JSON.parse(row.parts) as { cls: ProductClass; avgFen: number; incomeFen: number }[];
  return {
    asOf: st.asOf,
    window: [addMonths(st.asOf, -11), st.asOf],
    contribution: y(row.contribution_fen),
    deposit: y(row.deposit_fen),
    loan: y(row.loan_fen),
    wealth: y(row.wealth_fen),
    fee: y(row.fee_fen),
    parts: parts.map((x) => ({ cls: x.cls, average: y(x.avgFen), ratePpm: p.rates[x.cls], income: y(x.incomeFen) })),
    feeSharePpm: p.feeShare,
    loyalty: row.loyalty,
    loyaltyParts: [
      { part: 'tenure', score: row.tenure_x100 / 100, weight: p.loyalty.tenureWeight },
      { part: 'breadth', score: row.breadth_x100 / 100, weight: p.loyalty.breadthWeight },
      { part: 'activity', score: row.activity_x100 / 100, weight: p.loyalty.activityWeight },
      { part: 'kept', score: row.kept_x100 / 100, weight: p.loyalty.keptWeight },
    ],
    clv: y(row.clv_fen),
    retentionPpm: row.retention_ppm,
    discountRatePpm: p.clv.discountRate,
    horizonYears: p.clv.horizonYears,
    clvFactor: clvFactor(row.retention_ppm, p.clv.discountRate, p.clv.horizonYears),
    retentionSource: 'observed',
    points: row.points,
    expiryMonths: p.points.expiryMonths,
    ledger,
  };
}
