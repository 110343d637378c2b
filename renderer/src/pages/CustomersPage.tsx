import { AllCommunityModule, ModuleRegistry, themeQuartz, type ColDef, type GridApi } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GridColumnId, GridRow } from '../../../shared/api';
import { api } from '../api/client';
import { AddToListDialog, QueryBuilder } from '../components/QueryBuilder';
import { ErrorNotice } from '../components/ui';
import { count, yuan } from '../format';
import { currentLanguage } from '../i18n';
import { anyModalOpen, isTyping, openCustomer } from '../router';
import { useSession } from '../session';
import { fieldColumnDefs } from './customer-columns';
import { ColumnChooser, useColumnLayout } from './customers/column-layout';
import { ExportDialog } from './customers/ExportDialog';
import { BLOCK, useGridData, useGridFilter } from './customers/use-customer-grid';
import { type GridDialog, SearchToolbar, ViewsToolbar } from './customers/GridToolbars';
import { QuickStatsPanel, useStatsCollapsed } from './customers/QuickStatsPanel';
import { originLabel } from './desktop/drill';
import { PushCampaignDialog } from './opportunities/PushCampaignDialog';

ModuleRegistry.registerModules([AllCommunityModule]);

/**
 * Compact rows and cell padding (as the work lists): at 1366x768 the grid shows 15+ rows and seven or
 * eight data columns beside the quick stats; the page's font carries the CJK fallbacks.
 */
const GRID_THEME = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 13,
  headerFontSize: 12.5,
  headerFontWeight: 600,
  accentColor: '#0b5c63',
  rowHeight: 32,
  headerHeight: 36,
  cellHorizontalPadding: 8,
  wrapperBorderRadius: 6,
});

/**
 * 客户列表: the whole book in one grid. Rows arrive in blocks of 100 from the main process (ag-grid's
 * infinite row model): sorting and filtering run in SQLite, so scrolling anywhere in a million
 * customers stays smooth. Exact counts and quick stats follow the filter. The parts live in
 * ./customers/: the filter's state and the counts, stats and rows it reads (use-customer-grid.ts), the
 * toolbars, the column layout and chooser, the export dialog and the quick stats panel.
 */
export function CustomersPage() {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const { user } = useSession();
  const searchRef = useRef<HTMLInputElement>(null);
  const gridRef = useRef<GridApi<GridRow> | null>(null);
  const { filter, shownFilter, drill, search, views } = useGridFilter();
  const { counts, stats, error, setError, datasource } = useGridData(shownFilter, gridRef);
  const [exporting, setExporting] = useState(false);
  const [builder, setBuilder] = useState(false);
  const [adding, setAdding] = useState(false);
  const [pushing, setPushing] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [statsCollapsed, setStatsCollapsed] = useStatsCollapsed();
  const open: Record<GridDialog, () => void> = {
    builder: () => setBuilder(true),
    adding: () => setAdding(true),
    pushing: () => setPushing(true),
    choosing: () => setChoosing(true),
  };
  const { setView, advanced, setAdvanced, lists, reloadViews } = views;

  // Page shortcuts (listed in the "?" overlay): "/" search, S star the focused row, Q advanced query,
  // L add to a list, E export, C columns. Never while typing or under a dialog.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || anyModalOpen() || e.altKey || e.ctrlKey || e.metaKey) return;
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const act: Record<string, () => void> = {
        '/': () => searchRef.current?.focus(),
        s: () => {
          const g = gridRef.current;
          const cell = g?.getFocusedCell();
          const node = cell ? g?.getDisplayedRowAtIndex(cell.rowIndex) : undefined;
          const d = node?.data as (GridRow & { fav?: boolean }) | undefined;
          if (node && d)
            void api('favorites.set', { customerId: d.id, on: !d.fav }).then((r) =>
              node.setData({ ...d, fav: r.on } as GridRow),
            );
        },
        q: () => setBuilder(true),
        l: () => setAdding(true),
        e: () => setExporting(true),
        c: () => setChoosing(true),
      };
      const run = act[k];
      if (!run) return;
      e.preventDefault();
      run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // ↓ from the search box: the first row's first field (after the star), scrolled into view; Enter opens it
  const focusFirstRow = useCallback(() => {
    const g = gridRef.current;
    if (!g || g.getDisplayedRowCount() === 0) return;
    const cols = g.getAllDisplayedColumns();
    const col = cols.find((c) => c.getColId() !== 'fav') ?? cols[0];
    if (!col) return;
    g.ensureIndexVisible(0, 'top');
    g.setFocusedCell(0, col);
  }, []);

  const money = useCallback((v: string | null | undefined) => (v == null ? '' : yuan(v)), []);
  // The star, then the catalogue's fields (./customer-columns.ts).
  const columnDefs: (ColDef<GridRow> & { colId: GridColumnId })[] = useMemo(
    () => [
      {
        colId: 'fav',
        headerName: '★',
        headerTooltip: t('grid.favorite'),
        initialWidth: 44,
        initialPinned: 'left',
        sortable: false,
        resizable: false,
        cellRenderer: (p: { data?: GridRow & { fav?: boolean }; node: { setData: (d: unknown) => void } }) =>
          p.data ? (
            <button
              type="button"
              className={`star${p.data.fav ? ' on' : ''}`}
              aria-pressed={!!p.data.fav}
              aria-label={t('grid.favorite')}
              data-testid="grid-star"
              onClick={() => {
                const d = p.data!;
                void api('favorites.set', { customerId: d.id, on: !d.fav }).then((r) =>
                  p.node.setData({ ...d, fav: r.on }),
                );
              }}
            >
              {p.data.fav ? '★' : '☆'}
            </button>
          ) : null,
      },
      ...fieldColumnDefs(t, money),
    ],
    [t, money],
  );

  // Column layout (order, widths, shown, pinned): the signed-in user's own, kept in the store.
  const { loadLayout, saveLayout, resetLayout, onColumnEvent } = useColumnLayout(gridRef, user.username, setError);

  return (
    <section className="page page-grid" data-testid="customers-page" aria-labelledby="page-title">
      <header className="page-header grid-header">
        <h1 id="page-title">{t('nav.customers')}</h1>
        <ViewsToolbar views={views} onOpen={(d) => open[d]()} />
        <div className="grid-counts" data-testid="grid-counts" aria-live="polite">
          {counts && t('grid.counts', { total: count(counts.total, lng), filtered: count(counts.filtered, lng) })}
        </div>
        <button
          type="button"
          className="btn"
          data-testid="grid-export"
          aria-keyshortcuts="E"
          onClick={() => setExporting(true)}
        >
          {t('grid.export')}
        </button>
      </header>
      {drill && (
        <div className="drill-banner" data-testid="grid-drill">
          <span>{t('drillOrigin.banner', { origin: originLabel(t, user.role, drill.from), label: drill.label })}</span>
          {drill.from && (
            // the page as it was left (the report with its filters); Back does the same
            <a href={drill.from} className="btn btn-small" data-testid="grid-drill-back">
              {t('drillOrigin.back', { origin: originLabel(t, user.role, drill.from) })}
            </a>
          )}
          <a href="#/customers" className="btn btn-small" data-testid="grid-drill-clear">
            {t('drillOrigin.clear')}
          </a>
        </div>
      )}
      <SearchToolbar search={search} searchRef={searchRef} onEnterResults={focusFirstRow} />
      <ErrorNotice error={error} />
      <div className="grid-and-stats">
        <div className="customer-grid" data-testid="customer-grid">
          <AgGridReact<GridRow>
            theme={GRID_THEME}
            columnDefs={columnDefs}
            // every column in the DOM (some 20): what a user, a screen reader and a test see does not depend
            // on how much of the grid is scrolled into view
            suppressColumnVirtualisation
            tooltipShowMode="whenTruncated"
            tooltipShowDelay={400}
            // new definitions (the headers in another language) keep the user's column order
            maintainColumnOrder
            defaultColDef={{
              resizable: true,
              sortable: false,
              // a cut name or amount shows whole on hover
              tooltipValueGetter: (p) => (p.valueFormatted ?? (p.value == null ? null : String(p.value))) || null,
            }}
            rowModelType="infinite"
            cacheBlockSize={BLOCK}
            maxBlocksInCache={50}
            getRowId={(p) => String(p.data.id)}
            onGridReady={(e) => {
              gridRef.current = e.api;
              e.api.setGridOption('datasource', datasource);
              void loadLayout(e.api);
            }}
            onColumnMoved={onColumnEvent}
            onColumnResized={(e) => e.finished && onColumnEvent(e)}
            onColumnVisible={onColumnEvent}
            onColumnPinned={onColumnEvent}
            localeText={{ loadingOoo: t('common.loading'), noRowsToShow: t('customers.empty') }}
            rowSelection={{ mode: 'multiRow', checkboxes: false, headerCheckbox: false, enableClickSelection: true }}
            onRowDoubleClicked={(e) => e.data && openCustomer(e.data.id)}
            onCellKeyDown={(e) => {
              const k = (e.event as KeyboardEvent | undefined)?.key;
              if (k === 'Enter' && e.data) openCustomer(e.data.id);
            }}
          />
        </div>
        {statsCollapsed !== null && (
          <QuickStatsPanel stats={stats} collapsed={statsCollapsed} onCollapse={setStatsCollapsed} />
        )}
      </div>
      {builder && (
        <QueryBuilder
          initial={advanced}
          onClose={() => setBuilder(false)}
          onApply={(g) => {
            setAdvanced(g);
            setBuilder(false);
          }}
          onSaved={(q2) => {
            reloadViews();
            setAdvanced(null);
            setView({ kind: 'query', id: q2.id });
            setBuilder(false);
          }}
          baseFilter={filter}
        />
      )}
      {choosing && gridRef.current && (
        <ColumnChooser
          grid={gridRef.current}
          onChanged={saveLayout}
          onReset={resetLayout}
          onClose={() => setChoosing(false)}
        />
      )}
      {adding && (
        <AddToListDialog
          lists={lists.filter((l) => l.mine)}
          filter={filter}
          selected={(gridRef.current?.getSelectedRows() ?? []).map((r) => r.id)}
          filteredCount={counts?.filtered ?? null}
          onClose={() => setAdding(false)}
          onDone={() => {
            reloadViews();
            setAdding(false);
          }}
        />
      )}
      {pushing && (
        <PushCampaignDialog filter={filter} filtered={counts?.filtered ?? null} onClose={() => setPushing(false)} />
      )}
      {exporting && (
        <ExportDialog
          filter={filter}
          rows={counts?.filtered ?? null}
          grid={gridRef.current}
          onClose={() => setExporting(false)}
        />
      )}
    </section>
  );
}
