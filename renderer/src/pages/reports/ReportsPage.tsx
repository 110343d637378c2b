/**
 * 分析报表: the six reports, each a set of tables from reports.run drawn as echarts charts plus the
 * table itself. Every bar, slice, point and figure opens the customer grid filtered to exactly the
 * customers behind it (the row's drill filter); each table exports to Excel, each chart saves as PNG.
 * #/reports/<report> keeps the report in the URL.
 */
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CODED_COLUMN_KINDS,
  REPORTS,
  type GridFilter,
  type ReportFilterInput,
  type ReportName,
  type ReportOptions,
  type ReportResult,
  type ReportRow,
  type ReportTable,
} from '../../../../shared/api';
import { addDays, addMonths } from '../../../../shared/dates';
import { CHANNELS } from '../../../../shared/drill';
import { api, downloadFile, saveBlob } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { count, percent, yuan } from '../../format';
import { routeParam } from '../../nav';
import { DateField } from '../../components/DateField';
import { drillTo } from '../desktop/drill';
import { reportFilterFromHash, reportHash } from './report-url';
import { ReportChart, type ChartHandle, type ChartSpec } from './ReportChart';
import './reports.css';
import { TIERS_AND_NONE } from '../../../../shared/tiers';
import { UpdatingBadge, useReloadWhileUpdating } from '../../components/UpdatingBadge';

const TIER_CHOICES = TIERS_AND_NONE;

/** Which chart each table gets: category column, value columns ('*' = every count column but the total). */
const CHARTS: Record<string, { type: ChartSpec['type']; category: string; series: string[] | '*' }> = {
  trend: { type: 'line', category: 'month', series: ['deposits', 'wealth', 'loans', 'aum'] },
  tiers: { type: 'bar', category: 'tier', series: ['customers'] },
  value: { type: 'bar', category: 'tier', series: ['contribution'] },
  branches: { type: 'bar', category: 'branch', series: ['aum'] },
  composition: { type: 'pie', category: 'customerKind', series: ['customers'] },
  behaviour: { type: 'hbar', category: 'txnType', series: ['n'] },
  flows: { type: 'bar', category: 'month', series: ['inflow', 'outflow'] },
  holdings: { type: 'hbar', category: 'product', series: ['balance'] },
  sales: { type: 'hbar', category: 'product', series: ['sold'] },
  maturities: { type: 'pie', category: 'maturityKind', series: ['amount'] },
  income: { type: 'bar', category: 'month', series: ['feeIncome'] },
  mix: { type: 'pie', category: 'channel', series: ['n'] },
  hours: { type: 'stack', category: 'hour', series: '*' },
  weekdays: { type: 'stack', category: 'weekday', series: '*' },
  types: { type: 'stack', category: 'txnType', series: '*' },
  managers: { type: 'hbar', category: 'manager', series: ['aum'] },
  tellers: { type: 'hbar', category: 'teller', series: ['n'] },
  changes: { type: 'hbar', category: 'fromTier', series: ['customers'] },
};

function currentReport(): ReportName {
  const p = routeParam(window.location.hash);
  return (REPORTS as readonly string[]).includes(p ?? '') ? (p as ReportName) : 'overview';
}

export function ReportsPage() {
  const { t } = useTranslation();
  const [report, setReport] = useState<ReportName>(currentReport);
  // the applied filter lives in the URL (report-url.ts): Back from a drill, a reload or a link restores it
  const [draft, setDraft] = useState<ReportFilterInput>(() => reportFilterFromHash(window.location.hash));
  const [filter, setFilter] = useState<ReportFilterInput>(() => reportFilterFromHash(window.location.hash));
  useEffect(() => {
    const on = () => {
      setReport(currentReport());
      const f = reportFilterFromHash(window.location.hash);
      setFilter(f);
      setDraft(f);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const apply = (f: ReportFilterInput) => {
    setFilter(f);
    // the same history entry, with the filter in its URL (no Back step per change)
    window.history.replaceState(window.history.state, '', reportHash(report, f));
  };
  const options = useApi('reports.options', {});
  const result = useApi('reports.run', { report, filter });
  // Summaries refilled after an upgrade: marked, and fetched again until they are complete.
  useReloadWhileUpdating(result.data?.updating, result.reload);
  const [notice, setNotice] = useState<string | null>(null);
  const exporting = useAction();

  const exportTables = async (table?: string) => {
    const out = await exporting.run(() => api('reports.export', { report, filter, ...(table ? { table } : {}) }));
    if (out && (await downloadFile(out.id, out.name))) setNotice(t('reports.exported', { name: out.name }));
  };

  return (
    <section className="page reports-page" data-testid="reports-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('reports.title')}</h1>
        {options.data?.ownBook && <span className="muted">{t('reports.ownBook')}</span>}
        <UpdatingBadge updating={result.data?.updating} />
      </header>
      {/* Each report is its own URL: a nav of links marked aria-current, not ARIA tabs (tabs switch panels in place). */}
      <nav className="report-tabs" aria-label={t('reports.title')}>
        {REPORTS.map((r) => (
          <a
            key={r}
            aria-current={r === report ? 'page' : undefined}
            className={r === report ? 'active' : ''}
            href={reportHash(r, filter)}
            data-testid={`report-tab-${r}`}
          >
            {t(`reports.names.${r}`)}
          </a>
        ))}
      </nav>
      {options.data && (
        <Filters
          report={report}
          options={options.data}
          draft={draft}
          setDraft={setDraft}
          onApply={() => apply(draft)}
          onReset={() => {
            setDraft({});
            apply({});
          }}
        />
      )}
      <ErrorNotice error={result.error ?? options.error ?? exporting.error} onRetry={result.reload} />
      <SuccessNotice text={notice} />
      {result.loading && <Loading label={t('reports.loading')} />}
      {result.data && (
        <>
          <p className="muted report-meta">
            {result.data.from && result.data.to && t('reports.period', { from: result.data.from, to: result.data.to })}{' '}
            · {t('reports.actions.drillHint')}
            <button
              type="button"
              className="link-button"
              onClick={() => void exportTables()}
              disabled={exporting.busy}
              data-testid="report-export-all"
            >
              {t('reports.actions.exportAll')}
            </button>
          </p>
          <Tables result={result.data} onExport={(id) => void exportTables(id)} busy={exporting.busy} />
        </>
      )}
    </section>
  );
}

function Filters({
  report,
  options,
  draft,
  setDraft,
  onApply,
  onReset,
}: {
  report: ReportName;
  options: ReportOptions;
  draft: ReportFilterInput;
  setDraft: (f: ReportFilterInput) => void;
  onApply: () => void;
  onReset: () => void;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<ReportFilterInput>) => {
    const next: Record<string, unknown> = { ...draft, ...patch };
    for (const k of Object.keys(next))
      if (next[k] === undefined || (Array.isArray(next[k]) && (next[k] as unknown[]).length === 0)) delete next[k];
    setDraft(next as ReportFilterInput);
  };
  const toggle = <T extends string>(list: readonly T[] | undefined, v: T): T[] =>
    list?.includes(v) ? list.filter((x) => x !== v) : [...(list ?? []), v];
  const months = [...options.months].reverse();
  // the period the report runs over when none is chosen (main/reports/build.ts): the latest month with
  // balances, from the same month as "to"; shown as such, never as a blank
  const latest = options.months[options.months.length - 1] ?? '';
  const shownTo = draft.to ?? latest;
  const shownFrom = draft.from ?? shownTo;
  // 客户层级迁移 runs over the last 30 days to today unless told otherwise (main/reports/build.ts)
  const shownMigrationTo = draft.migrationTo ?? options.today;
  const shownMigrationFrom = draft.migrationFrom ?? addDays(shownMigrationTo, -30);
  return (
    <form
      className="report-filters"
      data-testid="report-filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply();
      }}
    >
      {report !== 'migration' && (
        <>
          <label>
            {t('reports.filter.from')}
            <select
              value={shownFrom}
              onChange={(e) => set({ from: e.target.value || undefined })}
              data-testid="filter-from"
            >
              {months.length === 0 && <option value="">{t('reports.filter.noMonths')}</option>}
              {months.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <label>
            {t('reports.filter.to')}
            <select value={shownTo} onChange={(e) => set({ to: e.target.value || undefined })} data-testid="filter-to">
              {months.length === 0 && <option value="">{t('reports.filter.noMonths')}</option>}
              {months.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
        </>
      )}
      {report === 'migration' && (
        <>
          <div className="date-filter">
            <label htmlFor="report-migration-from">{t('reports.filter.migrationFrom')}</label>
            <DateField
              id="report-migration-from"
              value={shownMigrationFrom}
              max={shownMigrationTo}
              onChange={(v) => set({ migrationFrom: v || undefined })}
              testId="filter-migration-from"
            />
          </div>
          <div className="date-filter">
            <label htmlFor="report-migration-to">{t('reports.filter.migrationTo')}</label>
            <DateField
              id="report-migration-to"
              value={shownMigrationTo}
              min={shownMigrationFrom}
              max={options.today}
              onChange={(v) => set({ migrationTo: v || undefined })}
              testId="filter-migration-to"
            />
          </div>
        </>
      )}
      {options.branches.length > 1 && (
        <label>
          {t('reports.filter.branch')}
          <select
            value={draft.branchIds?.[0] ?? ''}
            onChange={(e) => set({ branchIds: e.target.value ? [Number(e.target.value)] : undefined })}
            data-testid="filter-branch"
          >
            <option value="">{t('reports.filter.all')}</option>
            {options.branches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {!options.ownBook && (
        <label>
          {t('reports.filter.manager')}
          <select
            value={draft.managerId ?? ''}
            onChange={(e) => set({ managerId: e.target.value ? Number(e.target.value) : undefined })}
            data-testid="filter-manager"
          >
            <option value="">{t('reports.filter.all')}</option>
            {options.managers.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {(report === 'overview' || report === 'migration') && (
        <label>
          {t('reports.filter.kind')}
          <select
            value={draft.kind ?? ''}
            onChange={(e) => set({ kind: (e.target.value || undefined) as ReportFilterInput['kind'] })}
            data-testid="filter-kind"
          >
            <option value="">{t('reports.filter.all')}</option>
            <option value="individual">{t('reports.customerKind.individual')}</option>
            <option value="corporate">{t('reports.customerKind.corporate')}</option>
          </select>
        </label>
      )}
      {report === 'products' && (
        <>
          <label>
            {t('reports.filter.product')}
            <select
              value={draft.productIds?.[0] ?? ''}
              onChange={(e) => set({ productIds: e.target.value ? [Number(e.target.value)] : undefined })}
              data-testid="filter-product"
            >
              <option value="">{t('reports.filter.all')}</option>
              {options.products.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('reports.filter.maturityDays')}
            <input
              type="number"
              min={1}
              max={366}
              value={draft.maturityDays ?? ''}
              // the report's own default (main/reports/build.ts) where none is typed
              placeholder="30"
              onChange={(e) => set({ maturityDays: e.target.value ? Number(e.target.value) : undefined })}
            />
          </label>
        </>
      )}
      <fieldset className="chips" title={t('reports.filter.tierHint')}>
        <legend>{t('reports.filter.tier')}</legend>
        {TIER_CHOICES.map((tier) => (
          <label key={tier} className="chip">
            <input
              type="checkbox"
              checked={draft.tiers?.includes(tier) ?? false}
              onChange={() => set({ tiers: toggle(draft.tiers, tier) })}
              data-testid={`filter-tier-${tier}`}
            />
            {t(`reports.tier.${tier}`)}
          </label>
        ))}
      </fieldset>
      {(report === 'channels' || report === 'customers') && (
        <fieldset className="chips">
          <legend>{t('reports.filter.channel')}</legend>
          {CHANNELS.map((c) => (
            <label key={c} className="chip">
              <input
                type="checkbox"
                checked={draft.channels?.includes(c) ?? false}
                onChange={() => set({ channels: toggle(draft.channels, c) })}
                data-testid={`filter-channel-${c}`}
              />
              {t(`reports.channel.${c}`)}
            </label>
          ))}
        </fieldset>
      )}
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary" data-testid="filter-apply">
          {t('reports.filter.apply')}
        </button>
        <button type="button" className="btn" onClick={onReset}>
          {t('reports.filter.reset')}
        </button>
      </div>
    </form>
  );
}

const CHANNEL_KEYS = new Set<string>(CHANNELS);
const TIER_KEYS = new Set<string>(TIER_CHOICES);

function useFormat() {
  const { t } = useTranslation();
  const title = (key: string) =>
    CHANNEL_KEYS.has(key)
      ? t(`reports.channel.${key}`)
      : TIER_KEYS.has(key)
        ? t(`reports.tier.${key}`)
        : t(`reports.col.${key}`);
  const cell = (kind: string, v: string | number | null | undefined): string => {
    if (v == null) return '—';
    if (CODED_COLUMN_KINDS.has(kind)) return t(`reports.${kind}.${v}`);
    if (typeof v === 'number' && kind !== 'pct' && kind !== 'hour') return count(v);
    if (kind === 'money') return yuan(String(v));
    if (kind === 'pct') return percent(Number(v));
    if (kind === 'hour') return `${String(v).padStart(2, '0')}:00`;
    return String(v);
  };
  return { title, cell, t };
}

/** A row's label in words (first column), for drill labels and chart categories. */
function rowLabel(
  table: ReportTable,
  row: ReportRow,
  cell: (kind: string, v: string | number | null | undefined) => string,
): string {
  const first = table.columns[0]!;
  const base = cell(first.kind, row.cells[first.key]);
  if (table.id === 'behaviour') return `${base} ${cell('direction', row.cells.direction)}`;
  if (table.id === 'changes') return `${base} → ${cell('tier', row.cells.toTier)}`;
  return base;
}

function Tables({
  result,
  onExport,
  busy,
}: {
  result: ReportResult;
  onExport: (table: string) => void;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const tables = result.tables;
  if (tables.every((x) => x.rows.length === 0)) return <Empty text={t('reports.noData')} />;
  return (
    <div className="report-tables">
      {tables.map((tb) => (
        <TableSection
          key={`${result.report}-${tb.id}`}
          report={result.report}
          table={tb}
          to={result.to}
          onExport={() => onExport(tb.id)}
          busy={busy}
        />
      ))}
    </div>
  );
}

function TableSection({
  report,
  table,
  to,
  onExport,
  busy,
}: {
  report: ReportName;
  table: ReportTable;
  /** The period's last month: the month end 环比 / 同比 compare (shared/comparisons.ts). */
  to: string | null;
  onExport: () => void;
  busy: boolean;
}) {
  const { title, cell, t } = useFormat();
  const chart: RefObject<ChartHandle | null> = useRef<ChartHandle>(null);
  const name = t(`reports.tables.${table.id}`);
  const drill = (row: ReportRow, col: string | null) => {
    const f: GridFilter | undefined = (col ? row.drills?.[col] : undefined) ?? row.drill;
    if (!f) return;
    drillTo(
      f,
      t('reports.drillLabel', {
        report: t(`reports.names.${report}`),
        what: `${name} ${rowLabel(table, row, cell)}${col && row.drills?.[col] ? ` ${title(col)}` : ''}`,
      }),
    );
  };
  // cell and title are made from t each render; t changes with the language, so [table, t] recomputes
  // exactly when the chart's data or language does (before, a language switch kept the old labels).
  // biome-ignore lint/correctness/useExhaustiveDependencies: t stands for cell and title
  const spec = useMemo((): ChartSpec | null => {
    const c = CHARTS[table.id];
    if (!c || table.rows.length === 0) return null;
    const keys =
      c.series === '*'
        ? table.columns.filter((x) => x.kind === 'count' && x.key !== 'n' && x.key !== c.category).map((x) => x.key)
        : c.series;
    return {
      type: c.type,
      categories: table.rows.map((r) => rowLabel(table, r, cell)),
      series: keys.map((k) => ({ key: k, name: title(k), values: table.rows.map((r) => Number(r.cells[k] ?? 0)) })),
      money: keys.every((k) => table.columns.find((x) => x.key === k)?.kind === 'money'),
    };
  }, [table, t]);
  const savePng = () => {
    const url = chart.current?.png();
    if (!url) return;
    const bytes = Uint8Array.from(atob(url.split(',')[1] ?? ''), (ch) => ch.charCodeAt(0));
    saveBlob(new Blob([bytes], { type: 'image/png' }), `${t(`reports.names.${report}`)}-${name}.png`);
    void api('reports.chartSaved', { report, table: table.id }).catch(() => undefined);
  };
  return (
    <section
      // a table of many figures (13-digit yuan to the fen), or of long names beside a bar per name (products,
      // managers), takes the whole row instead of breaking its names over three lines in half of it
      className={`report-section${table.columns.length > 4 || CHARTS[table.id]?.type === 'hbar' ? ' report-section-wide' : ''}`}
      data-testid={`report-table-${table.id}`}
      aria-label={name}
    >
      <header className="report-section-header">
        <h2>{name}</h2>
        <div className="report-section-actions">
          {spec && (
            <button type="button" className="btn btn-small" onClick={savePng} data-testid={`report-png-${table.id}`}>
              {t('reports.actions.savePng')}
            </button>
          )}
          <button
            type="button"
            className="btn btn-small"
            onClick={onExport}
            disabled={busy}
            data-testid={`report-export-${table.id}`}
          >
            {t('reports.actions.exportExcel')}
          </button>
        </div>
      </header>
      {spec && (
        <ReportChart
          ref={chart as RefObject<ChartHandle>}
          spec={spec}
          label={name}
          testId={`report-chart-${table.id}`}
          onPick={(i, key) => {
            const row = table.rows[i];
            if (row) drill(row, row.drills?.[key] ? key : null);
          }}
        />
      )}
      <div className="table-wrap">
        <table className="data-table report-table">
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={c.kind === 'money' || c.kind === 'count' || c.kind === 'pct' ? 'num' : undefined}
                  title={
                    table.id === 'kpi' && to && (c.key === 'mom' || c.key === 'yoy')
                      ? t(`comparison.${c.key}Hint`, { at: to, base: addMonths(to, c.key === 'mom' ? -1 : -12) })
                      : undefined
                  }
                  data-testid={table.id === 'kpi' ? `report-kpi-head-${c.key}` : undefined}
                >
                  {title(c.key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a report table is replaced whole, never reordered in place
              <tr key={i}>
                {table.columns.map((c, j) => {
                  const text = cell(c.kind, row.cells[c.key]);
                  const numeric = c.kind === 'money' || c.kind === 'count';
                  const target = row.drills?.[c.key] ?? (numeric || j === 0 ? row.drill : undefined);
                  return (
                    <td key={c.key} className={numeric || c.kind === 'pct' ? 'num' : undefined}>
                      {target && row.cells[c.key] != null ? (
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => drill(row, row.drills?.[c.key] ? c.key : null)}
                          data-testid={`drill-${table.id}-${i}-${c.key}`}
                        >
                          {text}
                        </button>
                      ) : (
                        text
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
