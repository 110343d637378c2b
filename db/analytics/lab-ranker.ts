import type { Database } from 'better-sqlite3';
import { NEXT_PRODUCT_ITEMS, type NextProductItem } from '../../shared/analytics';
import type { NextProductRanker } from './next-product';

/**
 * The model lab's propensity models as a next-product ranker: every active take-up model (target keys
 * 'loan', 'wealth', 'product:<category>', migration 0027 lab_active) offers its item to the customers in its
 * top `deciles` groups, with the model's score as the chance. Only the top groups: a model scores the whole
 * book, and an offer from its bottom groups would only crowd out the rules' better-founded ones.
 */
export function labRanker(deciles = 2): NextProductRanker {
  return {
    name: 'model-lab',
    *scores(db: Database) {
      // the lab's tables may be absent in a store older than its migration: then no model ranks
      const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lab_active'`).get();
      if (!has) return;
      const rows = db
        .prepare<[number], { customerId: number; key: string; score: number; version: number }>(
          `SELECT s.customer_id AS customerId, a.target_key AS key, s.score, s.version
           FROM lab_active a JOIN lab_scores s ON s.version = a.version
           WHERE s.decile <= ? AND (a.target_key IN ('loan', 'wealth') OR a.target_key LIKE 'product:%')`,
        )
        .iterate(deciles);
      for (const r of rows) {
        const item = (r.key.startsWith('product:') ? r.key.slice('product:'.length) : r.key) as NextProductItem;
        if (!(NEXT_PRODUCT_ITEMS as readonly string[]).includes(item)) continue;
        yield { customerId: r.customerId, item, score: r.score, modelVersion: r.version };
      }
    },
  };
}
