import type { Contract } from '../../shared/api';
import type { ParsedInputOf } from '../../shared/api/define';
import { ENTRY_STATUSES, type EntryStatus } from '../../shared/api/campaigns';
import type { ExportColumn } from '../../shared/api/exports';
import { gridFilterSchema } from '../../shared/api/grid';
import { AppError } from '../../shared/errors';
import { recordAudit } from '../../db/repos/audit';
import { compileFilter } from '../../db/repos/customer-grid';
import { ownOrSharedQueryDefinition } from '../../db/repos/lists';
import {
  applyResults,
  closeCampaign,
  createCampaign,
  customerByNumber,
  entryScope,
  exportQuery,
  getCampaign,
  listCampaigns,
  listEntries,
  progress,
  setEntryStatus,
  type LineError,
  type ResultLine,
} from '../../db/relationship/campaigns';
import { findColumn, readTable } from '../campaigns/table-file';
import { label, type ColumnSpec } from '../exports/labels';
import { syncActor } from '../../db/sync/actor';
import { shareCampaignClose, shareNewCampaign, shareWorkedEntries, shareWorkedEntry } from '../../db/sync/campaigns';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';
import { TIERS } from '../../shared/tiers';

const CUSTOMER_NO = ['客户号', '客户编号', 'customerNo', 'customer no', 'customer number'];
const STATUS = ['状态', '营销状态', 'status'];
const NOTE = ['备注', '说明', 'note', 'notes'];

/** Status as written in a results file: the code, or its label in either language (as our export writes it). */
function statusOf(text: string): EntryStatus | null {
  const t = text.trim().toLowerCase();
  for (const s of ENTRY_STATUSES) {
    if (
      t === s ||
      t === label('zh-CN', `campaigns.status.${s}`).toLowerCase() ||
      t === label('en', `campaigns.status.${s}`).toLowerCase()
    )
      return s;
  }
  return null;
}

function refuse(file: string, errors: LineError[]): never {
  throw new AppError('CAMPAIGN_IMPORT_INVALID', { file, count: errors.length, errors: errors.slice(0, 20) });
}

/** Which customers a new campaign takes, as a condition over `c` within the president's scope. */
async function sourceWhere(ctx: AuthedCtx, src: ParsedInputOf<Contract['campaigns.create']>['source']) {
  const db = ctx.services.db;
  const scope = ctx.scope();
  const today = ctx.services.clock.today();
  if ('listId' in src) {
    return { origin: 'list' as const, ...compileFilter(scope, { listId: src.listId }, today, ctx.user.id) };
  }
  if ('queryId' in src) {
    const definition = ownOrSharedQueryDefinition(db, ctx.user.id, src.queryId);
    if (definition === undefined) throw new AppError('NOT_FOUND', { entity: 'query', id: src.queryId });
    return {
      origin: 'query' as const,
      ...compileFilter(scope, gridFilterSchema.parse(JSON.parse(definition)), today, ctx.user.id),
    };
  }
  if ('filter' in src) return { origin: 'filter' as const, ...compileFilter(scope, src.filter, today, ctx.user.id) };
  // 总行下发: customer numbers from a file; every number must be a customer of the branch.
  const table = await readTable(src.file.name, src.file.data);
  let col = findColumn(table.header, CUSTOMER_NO);
  let rows = table.rows;
  if (col < 0) {
    // A bare list of numbers: no header at all.
    if (/^\d{6,32}$/.test(table.header[0] ?? '')) rows = [{ line: 1, cells: table.header }, ...rows];
    else refuse(src.file.name, [{ line: 1, column: null, reason: 'missingCustomerNo' }]);
    col = 0;
  }
  const find = customerByNumber(db, scope);
  const errors: LineError[] = [];
  const ids = new Set<number>();
  const colName = table.header[col] && col >= 0 && !/^\d+$/.test(table.header[col]!) ? table.header[col]! : 'A';
  for (const r of rows) {
    const no = (r.cells[col] ?? '').trim();
    if (!no) {
      errors.push({ line: r.line, column: colName, reason: 'missingValue' });
      continue;
    }
    const hit = find(no);
    if (hit === undefined)
      errors.push({ line: r.line, column: colName, reason: 'unknownCustomer', value: no.slice(0, 32) });
    else ids.add(hit);
  }
  if (errors.length) refuse(src.file.name, errors);
  return {
    origin: 'import' as const,
    where: `c.id IN (SELECT value FROM json_each(?))`,
    params: [JSON.stringify([...ids])],
  };
}

export const campaignsHandlers = handlers({
  'campaigns.list': ({ includeClosed }, ctx) =>
    listCampaigns(ctx.services.db, entryScope(ctx.scope()), { includeClosed }),

  'campaigns.create': async ({ name, description, product, dueOn, source }, ctx) => {
    if (ctx.user.branch_id == null) throw new AppError('FORBIDDEN', { reason: 'noBranch' });
    const w = await sourceWhere(ctx, source);
    const db = ctx.services.db;
    const branchId = ctx.user.branch_id;
    const id = db.transaction(() => {
      const made = createCampaign(db, {
        name,
        description: description ?? null,
        product,
        dueOn: dueOn ?? null,
        origin: w.origin,
        branchId,
        createdBy: ctx.user.id,
        today: ctx.services.clock.today(),
        where: w.where,
        params: w.params,
      });
      // On a PC joined to a hub: the campaign and its entries are queued with it (db/sync/campaigns.ts).
      shareNewCampaign(db, made, syncActor(db, ctx.user));
      return made;
    })();
    kickSync(db);
    const c = getCampaign(ctx.services.db, entryScope(ctx.scope()), id);
    ctx.audit({
      action: 'campaigns.create',
      outcome: 'ok',
      targetType: 'campaign',
      targetId: id,
      details: { name, origin: w.origin, entries: c.total },
    });
    return c;
  },

  'campaigns.close': ({ id }, ctx) => {
    const es = entryScope(ctx.scope());
    const db = ctx.services.db;
    getCampaign(db, es, id);
    db.transaction(() => {
      closeCampaign(db, id);
      shareCampaignClose(db, id, syncActor(db, ctx.user));
    })();
    kickSync(db);
    return getCampaign(db, es, id);
  },

  'campaigns.entries': ({ campaignId, status, managerStaffId, offset, limit }, ctx) =>
    listEntries(ctx.services.db, entryScope(ctx.scope()), { campaignId, status, managerStaffId }, offset, limit),

  'campaigns.setStatus': ({ entryId, status, note }, ctx) => {
    const db = ctx.services.db;
    const entry = db.transaction(() => {
      const e = setEntryStatus(
        db,
        entryScope(ctx.scope()),
        entryId,
        status,
        note,
        ctx.user.id,
        ctx.services.clock.today(),
      );
      shareWorkedEntry(db, entryId, syncActor(db, ctx.user));
      return e;
    })();
    kickSync(db);
    return entry;
  },

  'campaigns.progress': ({ campaignId }, ctx) => progress(ctx.services.db, entryScope(ctx.scope()), campaignId),

  'campaigns.export': ({ campaignId, format }, ctx) => {
    const { exports } = ctx.services;
    const es = entryScope(ctx.scope());
    const c = getCampaign(ctx.services.db, es, campaignId);
    if (exports.running(ctx.user.id)) throw new AppError('CONFLICT', { field: 'exportRunning' });
    const locale = ctx.user.locale === 'en' ? 'en' : 'zh-CN';
    const text = (k: string) => label(locale, k);
    const statusLabels = Object.fromEntries(ENTRY_STATUSES.map((s) => [s, text(`campaigns.status.${s}`)]));
    const tierLabels = Object.fromEntries(TIERS.map((t) => [t, text(`tiers.${t}`)]));
    // The export worker keys columns by the grid's column ids; these sheets have their own columns.
    const col = (
      id: string,
      header: string,
      type: ColumnSpec['type'],
      width: number,
      extra: Partial<ColumnSpec> = {},
    ): ColumnSpec => ({
      id: id as ExportColumn,
      header,
      type,
      width,
      ...extra,
    });
    const columns: ColumnSpec[] = [
      col('customerNo', text('campaigns.col.customerNo'), 'text', 16),
      col('name', text('campaigns.col.name'), 'text', 14),
      col('mobile', text('campaigns.col.mobile'), 'text', 14, { mask: 'phone' }),
      col('tier', text('campaigns.col.tier'), 'label', 10, { labels: tierLabels }),
      col('aum', text('campaigns.col.aum'), 'money', 16),
      col('managerName', text('campaigns.col.manager'), 'text', 12),
      col('status', text('campaigns.col.status'), 'label', 10, { labels: statusLabels }),
      col('note', text('campaigns.col.note'), 'text', 30),
    ];
    const q = exportQuery(es, campaignId);
    const stamp = ctx.services.clock.today().replaceAll('-', '');
    const name = `${text('campaigns.exportTitle')}-${c.name}-${stamp}.${format}`.replace(/[\\/:*?"<>|]/g, '_');
    ctx.audit({
      action: 'campaigns.export',
      outcome: 'ok',
      targetType: 'campaign',
      targetId: campaignId,
      details: { format, rows: c.total },
    });
    const actor = { userId: ctx.user.id, username: ctx.user.username, role: ctx.user.role };
    return exports.start({
      userId: ctx.user.id,
      ...q,
      columns,
      format,
      name,
      sheetName: text('campaigns.exportTitle'),
      onFinished: (s) =>
        recordAudit(ctx.services.db, actor, {
          action: 'exports.finish',
          outcome: s.state === 'done' ? 'ok' : 'failed',
          targetType: 'campaign',
          targetId: campaignId,
          details: { ticket: s.ticket, state: s.state, rows: s.rows, format },
        }),
    });
  },

  'campaigns.importResults': async ({ campaignId, file }, ctx) => {
    const db = ctx.services.db;
    const es = entryScope(ctx.scope());
    getCampaign(db, es, campaignId);
    const table = await readTable(file.name, file.data);
    const cNo = findColumn(table.header, [
      ...CUSTOMER_NO,
      label('zh-CN', 'campaigns.col.customerNo'),
      label('en', 'campaigns.col.customerNo'),
    ]);
    const cSt = findColumn(table.header, [
      ...STATUS,
      label('zh-CN', 'campaigns.col.status'),
      label('en', 'campaigns.col.status'),
    ]);
    const cNote = findColumn(table.header, [
      ...NOTE,
      label('zh-CN', 'campaigns.col.note'),
      label('en', 'campaigns.col.note'),
    ]);
    const missing: LineError[] = [];
    if (cNo < 0) missing.push({ line: 1, column: CUSTOMER_NO[0]!, reason: 'missingColumn' });
    if (cSt < 0) missing.push({ line: 1, column: STATUS[0]!, reason: 'missingColumn' });
    if (missing.length) refuse(file.name, missing);
    const noName = table.header[cNo]!;
    const stName = table.header[cSt]!;
    const errors: LineError[] = [];
    const lines: ResultLine[] = [];
    const seen = new Map<string, number>();
    for (const r of table.rows) {
      const no = (r.cells[cNo] ?? '').trim();
      const stText = (r.cells[cSt] ?? '').trim();
      const note = cNote >= 0 ? (r.cells[cNote] ?? '').trim() : '';
      const status = statusOf(stText);
      if (!no) errors.push({ line: r.line, column: noName, reason: 'missingValue' });
      else if (seen.has(no)) errors.push({ line: r.line, column: noName, reason: 'duplicate', value: no.slice(0, 32) });
      if (!status) errors.push({ line: r.line, column: stName, reason: 'badStatus', value: stText.slice(0, 32) });
      if (note.length > 200) errors.push({ line: r.line, column: table.header[cNote]!, reason: 'tooLong' });
      if (no) seen.set(no, r.line);
      if (no && status && note.length <= 200) lines.push({ line: r.line, customerNo: no, status, note: note || null });
    }
    if (errors.length) refuse(file.name, errors);
    if (lines.length === 0) refuse(file.name, [{ line: null, column: null, reason: 'empty' }]);
    const out = db.transaction(() => {
      const r = applyResults(db, es, campaignId, lines, noName, ctx.user.id, ctx.services.clock.today());
      if (r.errors.length === 0) shareWorkedEntries(db, campaignId, syncActor(db, ctx.user));
      return r;
    })();
    kickSync(db);
    if (out.errors.length) refuse(file.name, out.errors);
    ctx.audit({
      action: 'campaigns.importResults',
      outcome: 'ok',
      targetType: 'campaign',
      targetId: campaignId,
      details: { file: file.name, updated: out.updated },
    });
    return { updated: out.updated };
  },
});
