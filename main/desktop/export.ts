/**
 * A desktop widget's figures as an Excel sheet (导出Excel on the widget): the same data the widget
 * shows, one row per bar, slice, tier, manager or customer, headers in the user's language, money as
 * numbers with two decimals. Kinds without a table (none yet) are refused.
 */
import ExcelJS from 'exceljs';
import type { Widget, WidgetData } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { label } from '../exports/labels';

type Locale = 'zh-CN' | 'en';
type Cell = string | number | null;
interface Col {
  key: string;
  money?: boolean;
  /** 'YYYY-MM-DD' values written as real dates (Excel sorts and filters them as dates, not text). */
  date?: boolean;
}
export interface Sheet {
  title: string;
  columns: { title: string; money: boolean; date?: boolean }[];
  rows: Cell[][];
}

const yuan = (v: string | undefined | null): number | null => (v == null ? null : Number(v));

export function widgetSheet(widget: Widget, data: WidgetData, locale: Locale): Sheet {
  const text = (key: string) => label(locale, key);
  const cols = (xs: Col[]) => xs.map((c) => ({ title: text(c.key), money: !!c.money, date: !!c.date }));
  const customerCols = (amountKey: string | null): Col[] => [
    { key: 'customer.customerNo' },
    { key: 'customer.name' },
    { key: 'customer.tier' },
    ...(amountKey ? [{ key: amountKey, money: true }] : []),
    { key: 'customer.aumYuan', money: true },
  ];
  const tier = (t: string | null) => text(`tiers.${t ?? 'none'}`);
  const title = (k: string) => text(`desktop.kinds.${k}`);
  switch (data.kind) {
    case 'kpi':
      return {
        title: text(`desktop.metrics.${data.metric}`),
        columns: cols([
          { key: 'desktop.export.figure' },
          { key: 'desktop.export.at' },
          { key: 'desktop.export.value', money: data.metric !== 'customers' },
        ]),
        rows: [
          [text('desktop.export.today'), null, Number(data.value)],
          ...(data.at && data.atValue !== null
            ? [[text('desktop.export.monthEnd'), data.at, Number(data.atValue)] as Cell[]]
            : []),
          ...(data.prevMonthAt
            ? [[text('desktop.vsPrevMonth'), data.prevMonthAt, Number(data.prevMonth)] as Cell[]]
            : []),
          ...(data.prevYearAt ? [[text('desktop.vsPrevYear'), data.prevYearAt, Number(data.prevYear)] as Cell[]] : []),
        ],
      };
    case 'depositTrend':
      return {
        title: title('depositTrend'),
        columns: cols([
          { key: 'desktop.trend.month' },
          { key: 'desktop.metrics.customers' },
          { key: 'desktop.export.deposits', money: true },
          { key: 'desktop.export.aum', money: true },
          { key: 'desktop.export.loans', money: true },
        ]),
        rows: data.points.map((p) => [p.month, p.customers, yuan(p.deposits), yuan(p.aum), yuan(p.loans)]),
      };
    case 'tierPyramid':
      return {
        title: title('tierPyramid'),
        columns: cols([
          { key: 'desktop.pyramid.tier' },
          { key: 'desktop.pyramid.customers' },
          { key: 'desktop.export.aum', money: true },
        ]),
        rows: data.tiers.map((t) => [tier(t.tier), t.customers, yuan(t.aum)]),
      };
    case 'channelMix':
      return {
        title: title('channelMix'),
        columns: cols([
          { key: 'desktop.channels.channel' },
          { key: 'desktop.channels.txns' },
          { key: 'desktop.export.amount', money: true },
        ]),
        rows: data.channels.map((c) => [text(`desktop.channels.${c.channel}`), c.txns, yuan(c.amount)]),
      };
    case 'productMix':
      return {
        title: title('productMix'),
        columns: cols([
          { key: 'desktop.export.productCode' },
          { key: 'desktop.products.product' },
          { key: 'desktop.products.customers' },
          { key: 'desktop.products.holdings' },
          { key: 'desktop.export.balance', money: true },
        ]),
        rows: data.products.map((p) => [p.code, p.name, p.holders, p.held, yuan(p.balance)]),
      };
    case 'movers':
      return {
        title: text(`desktop.movers.${data.direction}`),
        columns: cols(customerCols('desktop.movers.change')),
        rows: data.rows.map((r) => [r.customerNo, r.name, tier(r.tier), yuan(r.amount), yuan(r.aum)]),
      };
    case 'maturities':
      return {
        title: title('maturities'),
        columns: cols([
          ...customerCols('desktop.maturities.amountYuan').slice(0, 3),
          { key: 'desktop.maturities.on', date: true },
          { key: 'desktop.maturities.amountYuan', money: true },
        ]),
        rows: data.rows.map((r) => [r.customerNo, r.name, tier(r.tier), r.on ?? null, yuan(r.amount)]),
      };
    case 'staffLeague':
      return {
        title: title('staffLeague'),
        columns: cols([
          { key: 'desktop.league.manager' },
          { key: 'desktop.league.customers' },
          { key: 'desktop.export.aum', money: true },
          { key: 'desktop.export.deposits', money: true },
          { key: 'desktop.export.loans', money: true },
          { key: 'desktop.league.quality' },
        ]),
        rows: data.rows.map((r) => [r.name, r.customers, yuan(r.aum), yuan(r.deposits), yuan(r.loans), r.quality]),
      };
    case 'list':
    case 'query':
      return {
        title: data.name ?? title(data.kind),
        columns: cols(customerCols(null)),
        rows: data.rows.map((r) => [r.customerNo, r.name, tier(r.tier), yuan(r.aum)]),
      };
    case 'views':
      return {
        title: title('views'),
        columns: cols([
          { key: 'desktop.export.type' },
          { key: 'desktop.export.name' },
          { key: 'desktop.metrics.customers' },
        ]),
        rows: data.items.map((i) => [text(`desktop.views.${i.type}`), i.name, i.count]),
      };
    case 'modelGroups':
      return {
        title: text('modelGroups.title'),
        columns: cols([{ key: 'modelGroups.group' }, { key: 'modelGroups.customers' }]),
        rows: data.groups.map((g) => [g.group, g.customers]),
      };
    case 'customerValue':
      return {
        title: text('scores.widget.title'),
        columns: cols([
          { key: 'scores.widget.band' },
          { key: 'scores.widget.customers' },
          { key: 'scores.widget.contribution', money: true },
          { key: 'scores.widget.avgLoyalty' },
          { key: 'scores.widget.points' },
        ]),
        rows: data.bands.map((b) => [
          b.to === null ? `≥ ${b.from}` : `${b.from} – ${b.to}`,
          b.customers,
          yuan(b.contribution),
          b.avgLoyalty,
          b.points,
        ]),
      };
    default:
      throw new AppError('NOT_FOUND', { entity: 'widgetTable', kind: widget.kind });
  }
}

/** Sanitised sheet name: Excel allows 31 characters and none of : \ / ? * [ ]. */
const sheetName = (s: string) => s.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1';

export async function writeSheet(sheet: Sheet, file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName(sheet.title), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(sheet.columns.map((c) => c.title));
  ws.getRow(1).font = { bold: true };
  const asDate = (v: Cell): Cell | Date =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : v;
  for (const r of sheet.rows) ws.addRow(r.map((v, i) => (sheet.columns[i]?.date ? asDate(v) : v)));
  sheet.columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = c.money ? 18 : 16;
    if (c.money) col.numFmt = '#,##0.00';
    if (c.date) col.numFmt = 'yyyy-mm-dd';
  });
  await wb.xlsx.writeFile(file);
}
