import type { Database } from 'better-sqlite3';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { TIER_ACTIVE_ID, TIER_ACTIVE_TABLE, TIER_VERSIONS_TABLE } from '../../shared/sync/settings-rules';
import { type TierModel, tierModelSchema } from '../../shared/tiers';
import { query } from '../sql';
import {
  factorsAsOf,
  factorsRefreshedAt,
  lastImportChange,
  refreshFactors,
  retier,
  setFactorsRefreshedAt,
} from '../tiering';
import { USER_ID as USER } from './local-ids';
import { type LocalEffect, type Mutators, readRecord, recordMutation } from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined, unlinkRecord } from './schema';

/**
 * Tier model versions on the hub (issue 16). A version is immutable once saved, so each is an
 * insert-only record keyed by a UUIDv7 (each PC numbers its own tier_models rows, which never cross the
 * wire); which one is active is one record, the latest activation winning. A PC that applies a model
 * re-tiers its own book and queues the version and the pointer in the same transaction; the other PCs,
 * seeing a pointer to a version that is not their active one, re-tier their own book with it after the
 * sync cycle (a re-tier of a big book takes seconds: not inside the pull) and link their new local
 * version to the record.
 */
export { TIER_ACTIVE_TABLE, TIER_VERSIONS_TABLE };

const MODEL_ROW = query<[version: number], { definition: string }>(
  'SELECT definition FROM tier_models WHERE version = ?',
);
const LAST_CHANGE = query<[], { at: string | null }>('SELECT MAX(changed_at) AS at FROM customer_tier_changes');
const ACTIVE_LOCAL = query<[], { version: number }>('SELECT version FROM tier_models WHERE active = 1');

/**
 * Called in the transaction of a local re-tier (tiers.apply) with its new local version and the time
 * its tier changes carry: the version and the pointer to it are queued. Standalone: nothing.
 */
export function shareTierModel(db: Database, localVersion: number, actor: SyncActor, at: string): number {
  if (!syncJoined(db)) return 0;
  const m = MODEL_ROW.get(db, localVersion);
  if (!m) return 0;
  const id = uuid7();
  linkRecord(db, TIER_VERSIONS_TABLE, id, localVersion);
  const version = { definition: JSON.parse(m.definition) as unknown, created_by: actor.userId, created_at: at };
  const active = { version: id, activated_by: actor.userId, activated_at: at };
  const effects: LocalEffect[] = [
    { table: TIER_VERSIONS_TABLE, id, data: version },
    { table: TIER_ACTIVE_TABLE, id: TIER_ACTIVE_ID, data: active },
  ];
  return recordMutation(db, {
    name: 'tiers.apply',
    args: { id, version, active },
    effects,
    actor,
  });
}

/**
 * Re-run on a rebase (another PC activated a model meanwhile): this version is still saved (it is new,
 * no one else has its id) and, as the later act, made the active one.
 */
export const tierMutators: Mutators = {
  'tiers.apply': (db, raw) => {
    const a = raw as { id: string; version: SyncRow; active: SyncRow };
    const out: LocalEffect[] = [];
    if (!readRecord(db, TIER_VERSIONS_TABLE, a.id)?.data)
      out.push({ table: TIER_VERSIONS_TABLE, id: a.id, data: a.version });
    out.push({ table: TIER_ACTIVE_TABLE, id: TIER_ACTIVE_ID, data: a.active });
    return out;
  },
};

/**
 * Told after this PC adopted a version from the hub (its book re-tiered, committed), with the new local
 * version: the store's owner runs what follows a local re-tier (main/jobs/follow-ups.ts: the reminders of
 * the tier changes, the opportunity rules), as tiers.apply does. Per store handle, like the projections.
 */
export type TierAdoptListener = (db: Database, localVersion: number) => void;
const adoptListenerOf = new WeakMap<Database, TierAdoptListener>();

export function setTierAdoptListener(db: Database, fn: TierAdoptListener | null): void {
  if (fn) adoptListenerOf.set(db, fn);
  else adoptListenerOf.delete(db);
}

/**
 * After a sync cycle: when the branch's active version is not this PC's, re-tiers this book with it
 * (factors re-measured first when an import landed since), dated as the activation, in one transaction with the link from the
 * new local version to the record. Returns 1 when it re-tiered. A failure (a clock set back) is left
 * for the next cycle, the book unchanged.
 */
export function adoptActiveTierModel(db: Database): number {
  const pointer = readRecord(db, TIER_ACTIVE_TABLE, TIER_ACTIVE_ID)?.data;
  if (!pointer) return 0;
  const versionId = String(pointer.version);
  const local = ACTIVE_LOCAL.get(db)?.version ?? null;
  if (local !== null && syncIdOf(db, TIER_VERSIONS_TABLE, local) === versionId) return 0;
  const rec = readRecord(db, TIER_VERSIONS_TABLE, versionId)?.data;
  if (!rec) return 0;
  const parsed = tierModelSchema.safeParse(rec.definition);
  if (!parsed.success) return 0;
  const model: TierModel = parsed.data;
  // Dated as the activation on the PC that made it, so every PC's tier changes carry one time (never
  // before this PC's own last tier change: the change log is read in date order).
  const last = LAST_CHANGE.get(db)?.at;
  const now = new Date(Math.max(last ? Date.parse(last) : 0, Date.parse(String(pointer.activated_at))));
  if (Number.isNaN(now.getTime())) return 0;
  // A version this PC had before (activated again): re-tiered as a new local row all the same.
  const adopt = db.transaction(() => {
    const today = now.toISOString().slice(0, 10);
    const at = factorsRefreshedAt(db);
    const lastImport = lastImportChange(db);
    if (!(at && factorsAsOf(db) === today && (!lastImport || lastImport < at))) {
      refreshFactors(db, today);
      setFactorsRefreshedAt(db, now.toISOString());
    }
    const user = USER.get(db, String(pointer.activated_by))?.id ?? null;
    const { version } = retier(db, model, { userId: user, now });
    if (localIdOf(db, TIER_VERSIONS_TABLE, versionId) !== null) unlinkRecord(db, TIER_VERSIONS_TABLE, versionId);
    linkRecord(db, TIER_VERSIONS_TABLE, versionId, version);
    return version;
  });
  let version: number;
  try {
    version = adopt();
  } catch {
    // Refused by the re-tier itself (this PC's clock is behind its last tier change): the book stays
    // as it was and the next cycle tries again; the pointer stays in the replica for the screens.
    return 0;
  }
  adoptListenerOf.get(db)?.(db, version);
  return 1;
}
