import type { Database } from 'better-sqlite3';
import { MAX_EFFECTS_PER_MUTATION } from '../../shared/sync/protocol';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { syncOpportunity } from '../relationship/campaigns';
import { query } from '../sql';
import {
  type LocalEffect,
  MutationRefused,
  type Mutators,
  type Projection,
  readRecord,
  recordMutation,
} from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined, unlinkRecord } from './schema';
import { BRANCH_ID as BRANCH, CUSTOMER_ID as CUSTOMER, STAFF_ID as STAFF, USER_ID as USER } from './local-ids';

/**
 * 营销活动 on the hub (issue 16). The president's campaign is one record (table `campaigns`, UUIDv7);
 * each of its customers is a record of its own (table `campaign_entries`, id = campaign id + ':' +
 * customer number), so managers working their entries on different PCs never touch the same record,
 * and the president's progress view on any PC is the projection of those records. An entry's
 * opportunity (source 'campaign') is derived on every PC from the entry, as where it was worked.
 */
export const CAMPAIGNS = 'campaigns';
export const ENTRIES = 'campaign_entries';

const CAMPAIGN_WIRE = query<[id: number], SyncRow>(
  `SELECT cp.name, cp.description, cp.product, b.code AS branch, cp.origin, cp.due_on, cp.status,
          u.username AS created_by, cp.created_on
   FROM campaigns cp JOIN branches b ON b.id = cp.branch_id JOIN users u ON u.id = cp.created_by WHERE cp.id = ?`,
);
const ENTRY_WIRE = query<[campaignId: number], SyncRow & { local: number }>(
  `SELECT e.id AS local, c.customer_no, s.employee_no AS manager, e.status, e.note, e.updated_on, u.username AS updated_by
   FROM campaign_entries e JOIN customers c ON c.id = e.customer_id LEFT JOIN staff s ON s.id = e.manager_staff_id
   LEFT JOIN users u ON u.id = e.updated_by WHERE e.campaign_id = ? ORDER BY e.id`,
);

const entryId = (campaign: string, customerNo: unknown) => `${campaign}:${String(customerNo)}`;

function campaignWire(db: Database, id: number): SyncRow {
  const r = CAMPAIGN_WIRE.get(db, id);
  if (!r) throw new Error(`campaign ${id} not found for sync`);
  return r;
}

function entriesWire(db: Database, campaignId: number, syncId: string): Map<number, { id: string; row: SyncRow }> {
  const out = new Map<number, { id: string; row: SyncRow }>();
  for (const { local, ...row } of ENTRY_WIRE.all(db, campaignId))
    out.set(local, { id: entryId(syncId, row.customer_no), row: { campaign: syncId, ...row } });
  return out;
}

type Records = { table: string; id: string; data: SyncRow }[];

/** Queues records in mutations of at most MAX_EFFECTS_PER_MUTATION effects (a campaign can be large). */
function queue(db: Database, name: string, records: Records, actor: SyncActor, args: Record<string, unknown>) {
  for (let i = 0; i < records.length; i += MAX_EFFECTS_PER_MUTATION) {
    const part = records.slice(i, i + MAX_EFFECTS_PER_MUTATION);
    recordMutation(db, { name, args: { ...args, records: part }, effects: part, actor });
  }
}

/**
 * Called by the handler in the campaign's transaction: on a joined PC, the new campaign and all its
 * entries are queued (the campaign first, then the entries in parts). Standalone: nothing, false.
 */
export function shareNewCampaign(db: Database, campaignId: number, actor: SyncActor): boolean {
  if (!syncJoined(db)) return false;
  const syncId = uuid7();
  linkRecord(db, CAMPAIGNS, syncId, campaignId);
  const records: Records = [{ table: CAMPAIGNS, id: syncId, data: campaignWire(db, campaignId) }];
  for (const e of entriesWire(db, campaignId, syncId).values()) records.push({ table: ENTRIES, id: e.id, data: e.row });
  queue(db, 'campaigns.create', records, actor, {});
  return true;
}

/**
 * A campaign made while this PC was standalone, queued when it joins a hub (db/sync/seed.ts) as the hub's
 * rules require it to have happened: made active with every entry pending, by its creator; then the
 * entries worked since (in the creator's name: the president works any entry; each entry keeps who
 * worked it), then the close. Returns false when it is shared already.
 */
export function seedCampaign(db: Database, campaignId: number, actor: SyncActor): boolean {
  if (!syncJoined(db) || syncIdOf(db, CAMPAIGNS, campaignId) !== null) return false;
  const syncId = uuid7();
  linkRecord(db, CAMPAIGNS, syncId, campaignId);
  const campaign = campaignWire(db, campaignId);
  const records: Records = [{ table: CAMPAIGNS, id: syncId, data: { ...campaign, status: 'active' } }];
  for (const e of entriesWire(db, campaignId, syncId).values())
    records.push({
      table: ENTRIES,
      id: e.id,
      data: { ...e.row, status: 'pending', note: null, updated_on: null, updated_by: null },
    });
  queue(db, 'campaigns.create', records, actor, {});
  shareWorkedEntries(db, campaignId, actor);
  if (campaign.status !== 'active') shareCampaignClose(db, campaignId, actor);
  return true;
}

/** The campaign closed by the president (in the close's transaction). */
export function shareCampaignClose(db: Database, campaignId: number, actor: SyncActor): boolean {
  const syncId = syncJoined(db) ? syncIdOf(db, CAMPAIGNS, campaignId) : null;
  if (syncId === null) return false;
  recordMutation(db, {
    name: 'campaigns.close',
    args: { syncId },
    effects: [{ table: CAMPAIGNS, id: syncId, data: campaignWire(db, campaignId) }],
    actor,
  });
  return true;
}

/**
 * Entries worked by hand or by a results file (in that transaction): every entry of the campaign whose
 * local row now differs from the record this PC shows is queued, with the status the user set, so the
 * hub can re-check it and a rebase can re-apply it.
 */
export function shareWorkedEntries(db: Database, campaignId: number, actor: SyncActor): number {
  const syncId = syncJoined(db) ? syncIdOf(db, CAMPAIGNS, campaignId) : null;
  if (syncId === null) return 0;
  const changed: Records = [];
  for (const e of entriesWire(db, campaignId, syncId).values()) {
    const cur = readRecord(db, ENTRIES, e.id);
    if (!cur || cur.deleted || !cur.data) continue;
    const same = ['status', 'note', 'updated_on', 'updated_by'].every(
      (f) => (cur.data![f] ?? null) === (e.row[f] ?? null),
    );
    if (!same) changed.push({ table: ENTRIES, id: e.id, data: e.row });
  }
  const items = changed.map((r) => ({ id: r.id, status: r.data.status, note: r.data.note, on: r.data.updated_on }));
  for (let i = 0; i < changed.length; i += MAX_EFFECTS_PER_MUTATION)
    recordMutation(db, {
      name: 'campaigns.setStatus',
      args: { items: items.slice(i, i + MAX_EFFECTS_PER_MUTATION) },
      effects: changed.slice(i, i + MAX_EFFECTS_PER_MUTATION),
      actor,
    });
  return changed.length;
}

const CAMPAIGN_OF = query<[entryId: number], { id: number }>(
  'SELECT campaign_id AS id FROM campaign_entries WHERE id = ?',
);

/** One entry worked by hand: its campaign's changed entries are queued (shareWorkedEntries). */
export function shareWorkedEntry(db: Database, entryId: number, actor: SyncActor): number {
  const campaign = CAMPAIGN_OF.get(db, entryId)?.id;
  return campaign === undefined ? 0 : shareWorkedEntries(db, campaign, actor);
}

interface WorkItem {
  id: string;
  status: string;
  note: string | null;
  on: string | null;
}

/**
 * The campaign operations as a rebase re-runs them. Creating writes new records only (never re-run on
 * news). Closing is idempotent. Working entries is re-applied on the entries as the hub now has them,
 * unless the campaign was closed meanwhile (a 同步冲突 entry); ownership is the write rules' to check.
 */
export const campaignMutators: Mutators = {
  'campaigns.create': (_db, raw) => (raw as { records: Records }).records,
  'campaigns.close': (db, raw) => {
    const { syncId } = raw as { syncId: string };
    const cur = readRecord(db, CAMPAIGNS, syncId);
    if (!cur?.data) throw new MutationRefused('NOT_FOUND', { syncId });
    if (cur.data.status === 'closed') return [];
    return [{ table: CAMPAIGNS, id: syncId, data: { ...cur.data, status: 'closed' } }];
  },
  'campaigns.setStatus': (db, raw, actor) => {
    const { items } = raw as { items: WorkItem[] };
    const effects: LocalEffect[] = [];
    for (const it of items) {
      const cur = readRecord(db, ENTRIES, it.id);
      if (!cur?.data) throw new MutationRefused('NOT_FOUND', { entry: it.id });
      const campaign = readRecord(db, CAMPAIGNS, String(cur.data.campaign));
      if (campaign?.data?.status !== 'active')
        throw new MutationRefused('CAMPAIGN_CLOSED', { name: campaign?.data?.name ?? null });
      const data = {
        ...cur.data,
        status: it.status,
        note: it.note,
        updated_on: it.on,
        updated_by: actor?.userId ?? null,
      };
      effects.push({ table: ENTRIES, id: it.id, data });
    }
    return effects;
  },
};

const INSERT_CAMPAIGN = query<
  [
    name: string,
    description: string | null,
    product: string,
    branchId: number,
    origin: string,
    dueOn: string | null,
    status: string,
    createdBy: number,
    createdOn: string,
  ]
>(
  `INSERT INTO campaigns (name, description, product, branch_id, origin, due_on, status, created_by, created_on)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const UPDATE_CAMPAIGN = query<
  [name: string, description: string | null, product: string, dueOn: string | null, status: string, id: number]
>('UPDATE campaigns SET name = ?, description = ?, product = ?, due_on = ?, status = ? WHERE id = ?');
const UPSERT_ENTRY = query<
  [
    campaignId: number,
    customerId: number,
    managerId: number | null,
    status: string,
    note: string | null,
    updatedOn: string | null,
    updatedBy: number | null,
  ],
  { id: number }
>(
  `INSERT INTO campaign_entries (campaign_id, customer_id, manager_staff_id, status, note, updated_on, updated_by)
   VALUES (?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (campaign_id, customer_id) DO UPDATE SET manager_staff_id = excluded.manager_staff_id,
     status = excluded.status, note = excluded.note, updated_on = excluded.updated_on, updated_by = excluded.updated_by
   RETURNING id`,
);
const DELETE_OPPORTUNITY = query<[dedupeKey: string]>(
  "DELETE FROM opportunities WHERE dedupe_key = ? AND source = 'campaign'",
);
const DELETE_CAMPAIGN = query<[id: number]>('DELETE FROM campaigns WHERE id = ?');
const DELETE_CAMPAIGN_OPPORTUNITIES = query<[campaignId: string]>(
  "DELETE FROM opportunities WHERE source = 'campaign' AND source_ref = ?",
);
const CREATED_BY = query<[id: number], { createdBy: number; createdOn: string }>(
  'SELECT created_by AS createdBy, created_on AS createdOn FROM campaigns WHERE id = ?',
);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The campaign's local row, made or updated; left out while its branch or creator is unknown here. */
export const projectCampaign: Projection = (db, syncId, row) => {
  const local = localIdOf(db, CAMPAIGNS, syncId);
  if (row === null) {
    // Never on the hub (its push was refused there): the campaign goes, with its entries and their
    // opportunities.
    if (local !== null) {
      DELETE_CAMPAIGN_OPPORTUNITIES.run(db, String(local));
      DELETE_CAMPAIGN.run(db, local);
      unlinkRecord(db, CAMPAIGNS, syncId);
    }
    return;
  }
  if (local !== null) {
    UPDATE_CAMPAIGN.run(
      db,
      String(row.name),
      text(row.description),
      String(row.product),
      text(row.due_on),
      String(row.status),
      local,
    );
    return;
  }
  const branch = BRANCH.get(db, String(row.branch))?.id;
  const by = USER.get(db, String(row.created_by))?.id;
  if (branch === undefined || by === undefined) return;
  const id = Number(
    INSERT_CAMPAIGN.run(
      db,
      String(row.name),
      text(row.description),
      String(row.product),
      branch,
      String(row.origin),
      text(row.due_on),
      String(row.status),
      by,
      String(row.created_on),
    ).lastInsertRowid,
  );
  linkRecord(db, CAMPAIGNS, syncId, id);
};

/**
 * The entry's local row, and the opportunity a worked entry is on every PC (syncOpportunity: made once
 * per campaign and customer, then moved along, as where the entry was worked). Left out while its
 * campaign or customer is not here yet.
 */
export const projectEntry: Projection = (db, _id, row) => {
  if (row === null) return;
  const campaign = localIdOf(db, CAMPAIGNS, String(row.campaign));
  const customer = CUSTOMER.get(db, String(row.customer_no))?.id;
  if (campaign === null || customer === undefined) return;
  const manager = row.manager == null ? null : (STAFF.get(db, String(row.manager))?.id ?? null);
  const by = row.updated_by == null ? null : (USER.get(db, String(row.updated_by))?.id ?? null);
  const { id } = UPSERT_ENTRY.get(
    db,
    campaign,
    customer,
    manager,
    String(row.status),
    text(row.note),
    text(row.updated_on),
    by,
  )!;
  if (row.status === 'pending') {
    // Back at pending as the hub has it (work refused there, e.g. on a closed campaign): the opportunity
    // the refused work made here goes too, so every PC holds the same opportunities.
    DELETE_OPPORTUNITY.run(db, `campaign:${campaign}:${customer}`);
    return;
  }
  const c = CREATED_BY.get(db, campaign)!;
  syncOpportunity(db, id, by ?? c.createdBy, text(row.updated_on) ?? c.createdOn);
};

const UNPLACED_CAMPAIGNS = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s WHERE s.tbl = 'campaigns' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'campaigns' AND l.id = s.id)`,
);
// One indexed look-up per entry record (the campaign's link, the customer by number, the entry by its
// UNIQUE (campaign_id, customer_id)): a large campaign's placed entries cost a few ms per cycle.
const UNPLACED_ENTRIES = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s WHERE s.tbl = 'campaign_entries' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l
                     JOIN customers c ON c.customer_no = json_extract(s.data, '$.customer_no')
                     JOIN campaign_entries e ON e.campaign_id = l.local_id AND e.customer_id = c.id
                     WHERE l.tbl = 'campaigns' AND l.id = json_extract(s.data, '$.campaign'))`,
);

/** Campaigns and entries that arrived before their branch, creator or customers did here, placed now. */
export function reprojectCampaigns(db: Database): number {
  const campaigns = UNPLACED_CAMPAIGNS.all(db);
  const entries = campaigns.length > 0 ? null : UNPLACED_ENTRIES.all(db);
  if (campaigns.length === 0 && entries?.length === 0) return 0;
  return db.transaction(() => {
    for (const r of campaigns) projectCampaign(db, r.id, JSON.parse(r.data) as SyncRow);
    const left = entries ?? UNPLACED_ENTRIES.all(db);
    for (const r of left) projectEntry(db, r.id, JSON.parse(r.data) as SyncRow);
    return campaigns.length - UNPLACED_CAMPAIGNS.all(db).length + left.length - UNPLACED_ENTRIES.all(db).length;
  })();
}
