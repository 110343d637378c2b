import {
  AllCommunityModule,
  ModuleRegistry,
  type ColDef,
  type ColumnEventType,
  type GridApi,
  type IDatasource,
  type SortModelItem,
} from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  EXPORT_COLUMNS,
  SORT_COLUMNS,
  TIERS,
  type CustomerList,
  type ExportColumn,
  type ExportStatus,
  type GridColumnId,
  type GridColumnState,
  type GridFilter,
  type GridRow,
  type GridSort,
  type QueryGroup,
  type QuickStats,
  type SavedQuery,
  type SortColumn,
  type Tier,
} from '../../../shared/api';
import { api, downloadFile, toApiError, type ApiError } from '../api/client';
import { AddToListDialog, countConditions, QueryBuilder } from '../components/QueryBuilder';
import { PushCampaignDialog } from './opportunities/PushCampaignDialog';
import { ErrorNotice, Modal, useErrorText } from '../components/ui';
import { count, yuan } from '../format';
import { currentLanguage } from '../i18n';
import { anyModalOpen, isTyping, openCustomer } from '../router';
import { useCan, useSession } from '../session';
import { useDrill } from './desktop/drill';
import { PinToDesktop } from './desktop/PinToDesktop';
import { fieldColumnDefs } from './customer-columns';
import { legacyLayoutKey, parseLegacyLayout, toGridLayout } from './grid-layout';

ModuleRegistry.registerModules([AllCommunityModule]);

const BLOCK = 100;

/** Quick filter chips: each toggles one part of the filter. */
const CHIPS = ['maturing30', 'birthday', 'inactive180', 'hasLoan', 'corporate'] as const;
type Chip = (typeof CHIPS)[number];

function chipFilter(chips: ReadonlySet<Chip>): GridFilter {
  const f: GridFilter = {};
  if (chips.has('maturing30')) f.maturingWithinDays = 30;
  if (chips.has('birthday')) f.birthdayThisMonth = true;
  if (chips.has('inactive180')) f.inactiveDays = 180;
  if (chips.has('hasLoan')) f.loansMin = '0.01';
  if (chips.has('corporate')) f.kinds = ['corporate'];
  return f;
}

type View = { kind: 'all' } | { kind: 'favorites' } | { kind: 'list'; id: number } | { kind: 'query'; id: number };
const viewValue = (v: View): string => (v.kind === 'list' || v.kind === 'query' ? `${v.kind}:${v.id}` : v.kind);
function parseView(s: string): View {
  const [k, id] = s.split(':');
  if ((k === 'list' || k === 'query') && id && /^\d+$/.test(id)) return { kind: k, id: Number(id) };
  return k === 'favorites' ? { kind: 'favorites' } : { kind: 'all' };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Saving the column layout waits this long after the last move, resize, show/hide or pin. */
const LAYOUT_SAVE_DELAY = 500;

/**
 * Column events the user caused (drag, resize, header menu); the column chooser saves explicitly.
 * Programmatic ones (restoring the saved layout, reset, new column definitions) are not saved back.
 */
const USER_COLUMN_SOURCES: ReadonlySet<ColumnEventType> = new Set<ColumnEventType>([
  'uiColumnMoved',
  'uiColumnResized',
  'uiColumnDragged',
  'toolPanelUi',
  'columnMenu',
  'contextMenu',
]);

function localLayout(username: string): string | null {
  try {
    return localStorage.getItem(legacyLayoutKey(username));
  } catch {
    return null;
  }
}
function forgetLocalLayout(username: string): void {
  try {
    localStorage.removeItem(legacyLayoutKey(username));
  } catch {
    /* storage unavailable: nothing to forget */
  }
}

/**
 * 客户列表: the whole book in one grid. Rows arrive in blocks of 100 from the main process (ag-grid's
 * infinite row model): sorting and filtering run in SQLite, so scrolling anywhere in a million
 * customers stays smooth. Exact counts and quick stats follow the filter.
 */
export function CustomersPage() {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const { user } = useSession();
  const searchId = useId();
  const searchRef = useRef<HTMLInputElement>(null);
  const gridRef = useRef<GridApi<GridRow> | null>(null);
  const [q, setQ] = useState('');
  const [tiers, setTiers] = useState<ReadonlySet<Tier>>(new Set());
  const [chips, setChips] = useState<ReadonlySet<Chip>>(new Set());
  const [aumMin, setAumMin] = useState('');
  const [aumMax, setAumMax] = useState('');
  const [counts, setCounts] = useState<{ total: number; filtered: number } | null>(null);
  const [stats, setStats] = useState<QuickStats | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const debouncedQ = useDebounced(q.trim(), 250);
  const [exporting, setExporting] = useState(false);
  const [view, setView] = useState<View>({ kind: 'all' });
  const [advanced, setAdvanced] = useState<QueryGroup | null>(null);
  const [builder, setBuilder] = useState(false);
  const [adding, setAdding] = useState(false);
  const [pushing, setPushing] = useState(false);
  const canPush = useCan('campaign.manage');
  const [choosing, setChoosing] = useState(false);
  const [lists, setLists] = useState<CustomerList[]>([]);
  const [queries, setQueries] = useState<SavedQuery[]>([]);
  // Opened from a desktop figure: exactly the customers behind it (#/customers?filter=...).
  const drill = useDrill();
  const canPin = useCan('portfolio.overview');
  const reloadViews = useCallback(() => {
    api('lists.list', {}).then(setLists, () => undefined);
    api('queries.list', {}).then(setQueries, () => undefined);
  }, []);
  useEffect(reloadViews, [reloadViews]);

  const filter: GridFilter = useMemo(() => {
    const saved = view.kind === 'query' ? (queries.find((x) => x.id === view.id)?.filter ?? {}) : {};
    const f: GridFilter = { ...(drill?.filter ?? {}), ...saved, ...chipFilter(chips) };
    if (view.kind === 'favorites') f.favorites = true;
    if (view.kind === 'list') f.listId = view.id;
    if (advanced) f.advanced = advanced;
    if (debouncedQ) f.q = debouncedQ;
    if (tiers.size) f.tiers = [...tiers];
    if (/^\d+(\.\d{1,2})?$/.test(aumMin)) f.aumMin = aumMin;
    if (/^\d+(\.\d{1,2})?$/.test(aumMax)) f.aumMax = aumMax;
    return f;
  }, [chips, debouncedQ, tiers, aumMin, aumMax, view, advanced, queries, drill]);
  const filterKey = JSON.stringify(filter);
  // The filter by value: a new object with the same content (any re-render) asks for nothing again.
  const shownFilter = useMemo(() => JSON.parse(filterKey) as GridFilter, [filterKey]);

  // Counts and quick stats follow the filter; an older answer never overwrites a newer one.
  useEffect(() => {
    let live = true;
    const filter = shownFilter;
    Promise.all([api('customers.gridCount', { filter }), api('customers.quickStats', { filter })]).then(
      ([c, s]) => {
        if (!live) return;
        setCounts(c);
        setStats(s);
        setError(undefined);
      },
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [shownFilter]);

  const datasource: IDatasource = useMemo(
    () => ({
      getRows(p) {
        const sort: GridSort = (p.sortModel as SortModelItem[])
          .filter((s) => (SORT_COLUMNS as readonly string[]).includes(s.colId))
          .slice(0, 3)
          .map((s) => ({ col: s.colId as SortColumn, dir: s.sort }));
        api('customers.grid', { filter: shownFilter, sort, offset: p.startRow, limit: p.endRow - p.startRow })
          .then(async (r) => {
            // Stars for this block, in one call.
            const fav = new Set(
              r.rows.length ? await api('favorites.which', { customerIds: r.rows.map((x) => x.id) }) : [],
            );
            return r.rows.map((x) => ({ ...x, fav: fav.has(x.id) }));
          })
          .then(
            (rows) =>
              p.successCallback(rows, rows.length < p.endRow - p.startRow ? p.startRow + rows.length : undefined),
            (e: unknown) => {
              setError(toApiError(e));
              p.failCallback();
            },
          );
      },
    }),
    [shownFilter],
  );

  useEffect(() => {
    gridRef.current?.setGridOption('datasource', datasource);
  }, [datasource]);

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

  const money = useCallback((v: string | null | undefined) => (v == null ? '' : yuan(v)), []);
  // The star, then the catalogue's fields (./customer-columns.ts).
  const columnDefs: (ColDef<GridRow> & { colId: GridColumnId })[] = useMemo(
    () => [
      {
        colId: 'fav',
        headerName: '★',
        headerTooltip: t('grid.favorite'),
        initialWidth: 52,
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

  // Column layout (order, widths, shown, pinned): the signed-in user's own, kept in the store
  // (settings.gridLayout.*). Loaded when the grid is ready; saved LAYOUT_SAVE_DELAY after the last change.
  const layoutLoaded = useRef(false);
  const pendingLayout = useRef<GridColumnState[] | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const layoutOf = (g: GridApi<GridRow>) =>
    toGridLayout(g.getColumnState(), (id) => g.getColumn(id)?.getActualWidth() ?? 100);
  const sendLayout = useCallback((layout: GridColumnState[]) => {
    api('settings.gridLayout.save', { layout }).catch((e: unknown) => setError(toApiError(e)));
  }, []);
  const flushLayout = useCallback(() => {
    clearTimeout(saveTimer.current);
    saveTimer.current = undefined;
    const layout = pendingLayout.current;
    pendingLayout.current = null;
    if (layout) sendLayout(layout);
  }, [sendLayout]);
  const saveLayout = () => {
    const g = gridRef.current;
    if (!g || g.isDestroyed() || !layoutLoaded.current) return;
    pendingLayout.current = layoutOf(g);
    clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(flushLayout, LAYOUT_SAVE_DELAY);
  };
  const onColumnEvent = (e: { source: ColumnEventType }) => {
    if (USER_COLUMN_SOURCES.has(e.source)) saveLayout();
  };
  // Leaving the page saves a change still waiting for its delay.
  useEffect(() => flushLayout, [flushLayout]);

  const applyLayout = (g: GridApi<GridRow>, layout: GridColumnState[]) =>
    g.applyColumnState({ state: layout, applyOrder: true });
  const loadLayout = async (g: GridApi<GridRow>) => {
    const username = user.username;
    try {
      const { layout } = await api('settings.gridLayout.get', {});
      if (g.isDestroyed()) return;
      const local = localLayout(username);
      if (layout) {
        applyLayout(g, layout);
        // The store's layout wins; a leftover per-PC copy is stale.
        if (local !== null) forgetLocalLayout(username);
      } else if (local !== null) {
        // One-time move of the layout this PC kept in localStorage (before layouts were kept per user
        // in the store): applied, saved to the store, then removed here.
        const legacy = parseLegacyLayout(local);
        if (legacy) {
          applyLayout(
            g,
            toGridLayout(legacy, (id) => g.getColumn(id)?.getActualWidth() ?? 100),
          );
          await api('settings.gridLayout.save', { layout: layoutOf(g) });
        }
        forgetLocalLayout(username);
      }
    } catch (e) {
      setError(toApiError(e));
    } finally {
      layoutLoaded.current = true;
    }
  };
  const resetLayout = () => {
    const g = gridRef.current;
    if (!g) return;
    clearTimeout(saveTimer.current);
    pendingLayout.current = null;
    g.resetColumnState();
    forgetLocalLayout(user.username);
    api('settings.gridLayout.reset', {}).catch((e: unknown) => setError(toApiError(e)));
  };

  const toggle = <T,>(set: ReadonlySet<T>, v: T): Set<T> => {
    const n = new Set(set);
    if (n.has(v)) n.delete(v);
    else n.add(v);
    return n;
  };

  return (
    <section className="page page-grid" data-testid="customers-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.customers')}</h1>
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
      <div className="grid-toolbar">
        <label htmlFor={`${searchId}-view`}>{t('grid.view')}</label>
        <select
          id={`${searchId}-view`}
          data-testid="grid-view"
          value={viewValue(view)}
          onChange={(e) => setView(parseView(e.target.value))}
        >
          <option value="all">{t('grid.views.all')}</option>
          <option value="favorites">{t('grid.views.favorites')}</option>
          {lists.length > 0 && (
            <optgroup label={t('grid.views.lists')}>
              {lists.map((l) => (
                <option key={l.id} value={`list:${l.id}`}>
                  {l.name} ({count(l.members, lng)}){l.mine ? '' : ` · ${l.ownerName}`}
                </option>
              ))}
            </optgroup>
          )}
          {queries.length > 0 && (
            <optgroup label={t('grid.views.queries')}>
              {queries.map((q2) => (
                <option key={q2.id} value={`query:${q2.id}`}>
                  {q2.name}
                  {q2.mine ? '' : ` · ${q2.ownerName}`}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <button
          type="button"
          className={`btn${advanced ? ' btn-active' : ''}`}
          data-testid="grid-advanced"
          aria-keyshortcuts="Q"
          onClick={() => setBuilder(true)}
          aria-pressed={!!advanced}
        >
          {t('grid.advanced')}
          {advanced ? ` (${countConditions(advanced)})` : ''}
        </button>
        {advanced && (
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="grid-advanced-clear"
            onClick={() => setAdvanced(null)}
          >
            {t('grid.clearAdvanced')}
          </button>
        )}
        <button
          type="button"
          className="btn"
          data-testid="grid-add-to-list"
          aria-keyshortcuts="L"
          onClick={() => setAdding(true)}
        >
          {t('grid.addToList')}
        </button>
        {canPush && (
          <button type="button" className="btn" data-testid="grid-push-campaign" onClick={() => setPushing(true)}>
            {t('campaigns.push')}
          </button>
        )}
        <button
          type="button"
          className="btn"
          data-testid="grid-columns"
          aria-keyshortcuts="C"
          onClick={() => setChoosing(true)}
        >
          {t('grid.columns')}
        </button>
        {canPin && (view.kind === 'list' || view.kind === 'query') && (
          <PinToDesktop what={{ kind: view.kind, id: view.id }} />
        )}
      </div>
      {drill && (
        <div className="drill-banner" data-testid="grid-drill">
          <span>{t('desktop.drill.banner', { label: drill.label })}</span>
          <a href="#/customers" className="btn btn-small" data-testid="grid-drill-clear">
            {t('desktop.drill.clear')}
          </a>
        </div>
      )}
      {/* biome-ignore lint/a11y/useSemanticElements: the toolbar holds more than the search box (chips, AUM range); <search> is for the search form alone */}
      <div className="grid-toolbar" role="search">
        <label htmlFor={searchId} className="visually-hidden">
          {t('grid.search')}
        </label>
        <input
          id={searchId}
          ref={searchRef}
          data-testid="grid-search"
          className="grid-search"
          type="search"
          value={q}
          maxLength={64}
          placeholder={t('grid.searchPlaceholder')}
          aria-keyshortcuts="/"
          onChange={(e) => setQ(e.target.value)}
        />
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons, not form fields; a fieldset would bring its border and legend layout */}
        <div className="chips" role="group" aria-label={t('grid.tierChips')}>
          {TIERS.map((tier) => (
            <button
              key={tier}
              type="button"
              className="chip"
              aria-pressed={tiers.has(tier)}
              data-testid={`chip-tier-${tier}`}
              onClick={() => setTiers((s) => toggle(s, tier))}
            >
              {t(`tiers.${tier}`)}
            </button>
          ))}
        </div>
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons, not form fields; a fieldset would bring its border and legend layout */}
        <div className="chips" role="group" aria-label={t('grid.quickChips')}>
          {CHIPS.map((c) => (
            <button
              key={c}
              type="button"
              className="chip"
              aria-pressed={chips.has(c)}
              data-testid={`chip-${c}`}
              onClick={() => setChips((s) => toggle(s, c))}
            >
              {t(`grid.chips.${c}`)}
            </button>
          ))}
        </div>
        <div className="range">
          <input
            aria-label={t('grid.aumMin')}
            placeholder={t('grid.aumMin')}
            inputMode="decimal"
            value={aumMin}
            onChange={(e) => setAumMin(e.target.value.trim())}
            data-testid="grid-aum-min"
          />
          <span aria-hidden="true">–</span>
          <input
            aria-label={t('grid.aumMax')}
            placeholder={t('grid.aumMax')}
            inputMode="decimal"
            value={aumMax}
            onChange={(e) => setAumMax(e.target.value.trim())}
            data-testid="grid-aum-max"
          />
        </div>
      </div>
      <ErrorNotice error={error} />
      <div className="grid-and-stats">
        <div className="customer-grid" data-testid="customer-grid">
          <AgGridReact<GridRow>
            columnDefs={columnDefs}
            // new definitions (the headers in another language) keep the user's column order
            maintainColumnOrder
            defaultColDef={{ resizable: true, sortable: false }}
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
        <QuickStatsPanel stats={stats} />
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

/**
 * 列设置: show or hide columns and pin them to the left; kept per user in the store like widths and
 * order. 恢复默认列 forgets the user's layout and shows the grid's default columns.
 */
function ColumnChooser({
  grid,
  onChanged,
  onReset,
  onClose,
}: {
  grid: GridApi<GridRow>;
  onChanged: () => void;
  onReset: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [, bump] = useState(0);
  const cols = grid.getColumns()?.filter((c) => c.getColId() !== 'fav') ?? [];
  return (
    <Modal open title={t('grid.columns')} onClose={onClose} testId="column-chooser">
      <table className="data-table compact">
        <thead>
          <tr>
            <th scope="col">{t('grid.column')}</th>
            <th scope="col">{t('grid.visible')}</th>
            <th scope="col">{t('grid.pinned')}</th>
          </tr>
        </thead>
        <tbody>
          {cols.map((c) => (
            <tr key={c.getColId()}>
              <th scope="row">{c.getColDef().headerName}</th>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${c.getColDef().headerName} ${t('grid.visible')}`}
                  data-testid={`col-visible-${c.getColId()}`}
                  checked={c.isVisible()}
                  onChange={(e) => {
                    grid.setColumnsVisible([c.getColId()], e.target.checked);
                    onChanged();
                    bump((x) => x + 1);
                  }}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${c.getColDef().headerName} ${t('grid.pinned')}`}
                  checked={c.getPinned() === 'left'}
                  onChange={(e) => {
                    grid.setColumnsPinned([c.getColId()], e.target.checked ? 'left' : null);
                    onChanged();
                    bump((x) => x + 1);
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          className="btn"
          data-testid="grid-columns-reset"
          onClick={() => {
            onReset();
            bump((x) => x + 1);
          }}
        >
          {t('grid.resetColumns')}
        </button>
      </div>
    </Modal>
  );
}

/** What the grid shows, as an export request: sort and visible columns in their order. */
function gridView(grid: GridApi<GridRow> | null): { sort: GridSort; columns: ExportColumn[] } {
  if (!grid) return { sort: [], columns: [...EXPORT_COLUMNS] };
  const state = grid.getColumnState();
  const sort = state
    .filter((c) => c.sort && (SORT_COLUMNS as readonly string[]).includes(c.colId))
    .sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0))
    .slice(0, 3)
    .map((c) => ({ col: c.colId as SortColumn, dir: c.sort as 'asc' | 'desc' }));
  const columns = grid
    .getAllDisplayedColumns()
    .map((c) => c.getColId())
    .filter((id): id is ExportColumn => (EXPORT_COLUMNS as readonly string[]).includes(id));
  return { sort, columns };
}

/** Excel导出: streamed in a worker with a progress bar and cancel; audited in the main process. */
function ExportDialog({
  filter,
  rows,
  grid,
  onClose,
}: {
  filter: GridFilter;
  rows: number | null;
  grid: GridApi<GridRow> | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const errorText = useErrorText();
  const [format, setFormat] = useState<'xlsx' | 'csv'>('xlsx');
  const [status, setStatus] = useState<ExportStatus | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState(false);
  const view = useMemo(() => gridView(grid), [grid]);

  useEffect(() => {
    if (status?.state !== 'running') return;
    const timer = setTimeout(() => {
      api('exports.status', { ticket: status.ticket }).then(setStatus, (e: unknown) => setError(toApiError(e)));
    }, 300);
    return () => clearTimeout(timer);
  }, [status]);

  const start = () => {
    setError(undefined);
    api('exports.start', { filter, sort: view.sort, columns: view.columns, format }).then(setStatus, (e: unknown) =>
      setError(toApiError(e)),
    );
  };
  const save = () => {
    if (!status?.file) return;
    downloadFile(status.file.id, status.file.name).then(setSaved, (e: unknown) => setError(toApiError(e)));
  };

  return (
    <Modal open title={t('grid.export')} onClose={onClose} testId="export-dialog">
      <p>{t('grid.exportWhat', { rows: rows === null ? '…' : count(rows, lng), columns: view.columns.length })}</p>
      {!status && (
        <>
          <fieldset className="radio-row">
            <legend>{t('grid.exportFormat')}</legend>
            {(['xlsx', 'csv'] as const).map((f) => (
              <label key={f}>
                <input
                  type="radio"
                  name="export-format"
                  value={f}
                  checked={format === f}
                  onChange={() => setFormat(f)}
                  data-testid={`export-format-${f}`}
                />
                {t(`grid.formats.${f}`)}
              </label>
            ))}
          </fieldset>
          <div className="actions">
            <button
              type="button"
              className="btn btn-primary"
              data-testid="export-start"
              onClick={start}
              disabled={view.columns.length === 0}
            >
              {t('grid.exportStart')}
            </button>
          </div>
        </>
      )}
      {status && (
        <div data-testid="export-progress" data-state={status.state}>
          <progress max={1} value={status.fraction} aria-label={t('imports.progress')} />
          <p className="muted tabular">
            {t('grid.exportRows', { rows: count(status.rows, lng), total: count(status.total, lng) })}
          </p>
          {status.state === 'running' && (
            <button
              type="button"
              className="btn"
              data-testid="export-cancel"
              onClick={() => void api('exports.cancel', { ticket: status.ticket }).then(setStatus)}
            >
              {t('common.cancel')}
            </button>
          )}
          {status.state === 'done' && status.file && (
            <div className="actions">
              <button type="button" className="btn btn-primary" data-testid="export-save" onClick={save}>
                {t('grid.exportSave')}
              </button>
              <span className="muted">{status.file.name}</span>
              {saved && <span className="status-pill pill-ok">{t('grid.exportSaved')}</span>}
            </div>
          )}
          {status.state === 'cancelled' && <p className="status">{t('grid.exportCancelled')}</p>}
          {status.state === 'failed' && <p className="status status-error">{t('grid.exportFailed')}</p>}
        </div>
      )}
      {error && (
        <p className="status status-error" role="alert">
          {errorText(error)}
        </p>
      )}
    </Modal>
  );
}

function QuickStatsPanel({ stats }: { stats: QuickStats | null }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (!stats) return <aside className="quick-stats panel" aria-busy="true" />;
  return (
    <aside className="quick-stats panel" data-testid="quick-stats" aria-labelledby="qs-title">
      <h2 id="qs-title">{t('grid.quickStats')}</h2>
      <dl className="facts">
        <dt>{t('grid.statCount')}</dt>
        <dd data-testid="qs-count" className="num">
          {count(stats.count, lng)}
        </dd>
        <dt>{t('grid.statAum')}</dt>
        <dd data-testid="qs-aum" className="num">
          {yuan(stats.aum)}
        </dd>
        <dt>{t('grid.statAvgAum')}</dt>
        <dd className="num">{yuan(stats.avgAum)}</dd>
        <dt>{t('grid.deposits')}</dt>
        <dd className="num">{yuan(stats.deposits)}</dd>
        <dt>{t('grid.wealth')}</dt>
        <dd className="num">{yuan(stats.wealth)}</dd>
        <dt>{t('grid.loans')}</dt>
        <dd className="num">{yuan(stats.loans)}</dd>
      </dl>
      <h3>{t('grid.byTier')}</h3>
      <table className="data-table compact" data-testid="qs-by-tier">
        <tbody>
          {stats.byTier.map((r) => (
            <tr key={r.tier}>
              <th scope="row">{r.tier === 'none' ? t('customers.noTier') : t(`tiers.${r.tier}`)}</th>
              <td className="num">{count(r.count, lng)}</td>
              <td className="num">{yuan(r.aum)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('grid.byManager')}</h3>
      <table className="data-table compact" data-testid="qs-by-manager">
        <tbody>
          {stats.byManager.slice(0, 12).map((r) => (
            <tr key={r.managerId}>
              <th scope="row">{r.managerName ?? t('grid.noManager')}</th>
              <td className="num">{count(r.count, lng)}</td>
              <td className="num">{yuan(r.aum)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
