import { mkdirSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { CODED_COLUMN_KINDS, type ReportColumn, type ReportResult } from '../../shared/api';
import { CHANNELS } from '../../shared/drill';
import { AppError } from '../../shared/errors';
import { allProducts, branchesByIds, managersOfBranches, staffById } from '../../db/repos/catalog';
import { reportMonths, reportScopeOf } from '../../db/reporting/read';
import { label } from '../exports/labels';
import { buildReport, type ReportCaller } from '../reports/build';
import { handlers, type AuthedCtx } from './types';
import { TIERS_AND_NONE } from '../../shared/tiers';
import { reportingUpdating } from '../upgrade/updating';

/** The caller's report scope: a president their branch tree, a manager their own book (SQL-enforced in db/reporting/read.ts). */
function callerOf(ctx: AuthedCtx): ReportCaller {
  const scope = ctx.scope();
  return {
    scope: reportScopeOf(scope),
    ownStaffId: scope.kind === 'manager' ? (scope.staffId ?? null) : null,
    today: ctx.services.clock.today(),
  };
}

const CHANNEL_KEYS: ReadonlySet<string> = new Set(CHANNELS);
const TIER_KEYS: ReadonlySet<string> = new Set(TIERS_AND_NONE);

/** Column title: channel and tier columns of a pivot are named by their channel or tier. */
export function columnTitle(locale: 'zh-CN' | 'en', c: ReportColumn): string {
  if (CHANNEL_KEYS.has(c.key)) return label(locale, `reports.channel.${c.key}`);
  if (TIER_KEYS.has(c.key)) return label(locale, `reports.tier.${c.key}`);
  return label(locale, `reports.col.${c.key}`);
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

async function writeWorkbook(
  result: ReportResult,
  tables: string[] | null,
  locale: 'zh-CN' | 'en',
  file: string,
): Promise<number> {
  const wb = new ExcelJS.Workbook();
  let rows = 0;
  for (const t of result.tables) {
    if (tables && !tables.includes(t.id)) continue;
    const ws = wb.addWorksheet(label(locale, `reports.tables.${t.id}`).slice(0, 31));
    ws.addRow(t.columns.map((c) => columnTitle(locale, c)));
    ws.getRow(1).font = { bold: true };
    for (const r of t.rows) {
      ws.addRow(
        t.columns.map((c) => {
          const v = r.cells[c.key];
          if (v == null) return null;
          if (CODED_COLUMN_KINDS.has(c.kind)) return label(locale, `reports.${c.kind}.${v}`);
          // Money is exact decimal text; Excel gets a number with two decimals (yuan < 2^53 fen stay exact).
          if (c.kind === 'money') return Number(v);
          return v;
        }),
      );
      rows++;
    }
    t.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      col.width = c.kind === 'money' ? 18 : c.kind === 'text' ? 24 : 12;
      if (c.kind === 'money') col.numFmt = '#,##0.00';
      if (c.kind === 'pct') col.numFmt = '0.00"%"';
    });
  }
  await wb.xlsx.writeFile(file);
  return rows;
}

export const reportsHandlers = handlers({
  'reports.options': (_input, ctx) => {
    const db = ctx.services.db;
    const caller = callerOf(ctx);
    const ids = caller.scope.branchIds ?? [];
    const own = caller.ownStaffId;
    return {
      months: reportMonths(db),
      branches: own != null ? [] : branchesByIds(db, ids),
      managers: own != null ? staffById(db, own) : managersOfBranches(db, ids),
      products: allProducts(db),
      today: caller.today,
      ownBook: own != null,
    };
  },
  'reports.run': ({ report, filter }, ctx) =>
    ctx.services.db.transaction(() => ({
      ...buildReport(ctx.services.db, callerOf(ctx), report, filter),
      updating: reportingUpdating(ctx.services),
    }))(),

  'reports.export': async ({ report, filter, table }, ctx) => {
    const result = buildReport(ctx.services.db, callerOf(ctx), report, filter);
    if (table && !result.tables.some((t) => t.id === table))
      throw new AppError('NOT_FOUND', { entity: 'table', table });
    const locale = ctx.user.locale === 'en' ? 'en' : 'zh-CN';
    const title = `${label(locale, `reports.names.${report}`)}${table ? `-${label(locale, `reports.tables.${table}`)}` : ''}`;
    const name = `${title}-${stamp(ctx.services.clock.now())}.xlsx`;
    const dir = ctx.services.paths.exports;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `report-${ctx.user.id}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.xlsx`);
    const rows = await writeWorkbook(result, table ? [table] : null, locale, file);
    // Who exported which figures: the report, the table, the filter and the row count.
    ctx.audit({
      action: 'reports.export',
      outcome: 'ok',
      targetType: 'report',
      targetId: report,
      details: { table: table ?? null, filter, rows },
    });
    return { id: ctx.services.vault.register(file, name, ctx.user.id), name };
  },

  'reports.chartSaved': ({ report, table }, ctx) => {
    ctx.audit({
      action: 'reports.chartSaved',
      outcome: 'ok',
      targetType: 'report',
      targetId: report,
      details: { table },
    });
    return { ok: true as const };
  },
});
