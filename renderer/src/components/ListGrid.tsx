import {
  AllCommunityModule,
  ModuleRegistry,
  themeQuartz,
  type ColDef,
  type GridApi,
  type ValueFormatterParams,
} from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { yuan } from '../format';
import { capWidths } from './column-widths';
import { Empty, Loading } from './ui';
import '../styles/list.css';

// Registering twice is harmless; the customer grid does the same, and either page may be opened first.
ModuleRegistry.registerModules([AllCommunityModule]);

/** The app's look on ag-grid's default theme: the page's font (CJK fallbacks), brand accent, compact rows. */
const LIST_THEME = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 13,
  headerFontSize: 12.5,
  headerFontWeight: 600,
  accentColor: '#0b5c63',
  rowHeight: 36,
  headerHeight: 36,
  // narrower than the default: seven columns fit a 1366-wide screen beside the detail pane
  cellHorizontalPadding: 8,
  wrapperBorderRadius: 6,
});

const ROW_HEIGHT = 36;
const HEADER_HEIGHT = 36;

type RowKey = string | number;
type Attrs = Record<string, string | number | null | undefined>;

export interface ListGridProps<T> {
  /** The loaded rows; `undefined` while the first load is in flight. */
  rows: readonly T[] | undefined;
  rowId: (row: T) => RowKey;
  /** Click or Enter on a row. */
  onOpen: (row: T) => void;
  /**
   * Columns without `flex` are sized to their content; give the one long-text column `flex: 1` to
   * take the rest of the width.
   */
  columns: ColDef<T>[];
  /** The row shown in the page's detail pane (highlighted, kept in view). */
  selectedId?: RowKey | null;
  emptyText: string;
  /** Accessible name of the grid. */
  label: string;
  testId?: string;
  /** Each row element gets `data-testid={rowTestId}` and these attributes (what the e2e specs find rows by). */
  rowTestId?: string;
  rowAttrs?: (row: T) => Attrs;
  /**
   * 'fill': down to the bottom of the window less `reserve` px (a pager, the page's padding), for a list
   * with its detail beside it. A number: at most that many px, shrinking to the rows, for a list with
   * its detail below it.
   */
  height?: 'fill' | number;
  reserve?: number;
  busy?: boolean;
}

/**
 * One list for the work pages (opportunities, referrals, campaigns, reminders): ag-grid's client-side
 * row model over the page of rows the main process returned. One line per row (ellipsis, a tooltip
 * when cut), sortable and resizable columns, arrow keys move between rows, and a click or Enter opens
 * the row's detail through `onOpen`.
 */
export function ListGrid<T>({
  rows,
  columns,
  rowId,
  onOpen,
  selectedId = null,
  emptyText,
  label,
  testId,
  rowTestId,
  rowAttrs,
  height = 'fill',
  reserve = 64,
  busy = false,
}: ListGridProps<T>) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const apiRef = useRef<GridApi<T> | null>(null);
  const fittedRef = useRef(false);
  const fillHeight = useFillHeight(wrapRef, height === 'fill', reserve);

  // The grid keeps the row objects it was given; look-ups by the id ag-grid puts on each row element.
  const byId = useMemo(() => new Map((rows ?? []).map((r) => [String(rowId(r)), r])), [rows, rowId]);
  useRowAttributes(wrapRef, byId, rowTestId, rowAttrs);

  const showSelected = useCallback(
    (api: GridApi<T>) => {
      const node = selectedId === null ? undefined : api.getRowNode(String(selectedId));
      if (!node) {
        api.deselectAll();
        return;
      }
      node.setSelected(true, true);
      if (node.rowIndex !== null) api.ensureIndexVisible(node.rowIndex);
    },
    [selectedId],
  );
  useEffect(() => {
    if (apiRef.current) showSelected(apiRef.current);
  }, [showSelected]);
  useEffect(() => nameGrid(wrapRef.current, label), [label]);

  // the default cap keeps a content-sized column from taking the list; the flex column has none
  const columnDefs = useMemo(() => columns.map((c) => (c.flex ? { maxWidth: 100_000, ...c } : c)), [columns]);
  const defaultColDef = useMemo<ColDef<T>>(
    () => ({
      sortable: true,
      resizable: true,
      minWidth: 56,
      maxWidth: 260,
      tooltipValueGetter: (p) => (p.valueFormatted ?? (p.value == null ? null : String(p.value))) || null,
    }),
    [],
  );

  const style =
    height === 'fill'
      ? { height: fillHeight }
      : { height: Math.min(height, HEADER_HEIGHT + ROW_HEIGHT * Math.max(rows?.length ?? 0, 3) + 2) };

  return (
    <div ref={wrapRef} className="list-grid" style={style} data-testid={testId} aria-busy={busy || rows === undefined}>
      <AgGridReact<T>
        theme={LIST_THEME}
        rowData={rows as T[] | undefined}
        columnDefs={columnDefs}
        defaultColDef={defaultColDef}
        getRowId={(p) => String(rowId(p.data))}
        // ag-grid reads its overlay texts once; ours (below) follow the language and the page's view
        loading={false}
        suppressNoRowsOverlay
        rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: false }}
        // ≤ a few hundred rows a page: all in the DOM, in display order, for find-in-page and screen readers
        suppressRowVirtualisation
        suppressColumnVirtualisation
        ensureDomOrder
        tooltipShowMode="whenTruncated"
        tooltipShowDelay={400}
        suppressDragLeaveHidesColumns
        onGridReady={(e) => {
          apiRef.current = e.api;
          nameGrid(wrapRef.current, label);
        }}
        onGridPreDestroyed={() => {
          apiRef.current = null;
        }}
        onRowDataUpdated={(e) => {
          // the first rows (a list that was empty at first, like a new user's campaigns) size the columns
          if (!fittedRef.current) fittedRef.current = fitColumns(e.api);
          showSelected(e.api);
        }}
        onFirstDataRendered={(e) => {
          fittedRef.current = fitColumns(e.api);
          showSelected(e.api);
        }}
        onColumnResized={(e) => {
          if (e.source === 'autosizeColumns' && e.finished) capColumns(e.api, wrapRef.current);
        }}
        // the window resized, or the page grew a scroll bar: fit again
        onGridSizeChanged={(e) => {
          if (fittedRef.current) fitColumns(e.api);
        }}
        // new definitions: the headers in the other language
        onNewColumnsLoaded={(e) => {
          fittedRef.current = fitColumns(e.api);
        }}
        onRowClicked={(e) => {
          // a button inside a cell does its own thing
          if ((e.event?.target as HTMLElement | null)?.closest('button, a, input, select')) return;
          if (e.data) onOpen(e.data);
        }}
        onCellKeyDown={(e) => {
          const k = (e.event as KeyboardEvent | undefined)?.key;
          if (k === 'Enter' && e.data) onOpen(e.data);
        }}
      />
      {rows === undefined && (
        <div className="list-grid-overlay">
          <Loading />
        </div>
      )}
      {rows?.length === 0 && (
        <div className="list-grid-overlay" data-testid={testId && `${testId}-empty`}>
          <Empty text={emptyText} />
        </div>
      )}
    </div>
  );
}

/** Width a real (space-taking) vertical scroll bar takes from the rows; overlay ones take none (list.css). */
function verticalScrollbar(host: HTMLElement | null): number {
  const bar = host?.querySelector<HTMLElement>('.ag-body-vertical-scroll');
  return bar && !bar.classList.contains('ag-hidden') && !bar.classList.contains('ag-scrollbar-invisible')
    ? bar.offsetWidth
    : 0;
}

/** ag-grid has no option for the grid's accessible name: put it on its role="grid" element. */
function nameGrid(host: HTMLElement | null, label: string): void {
  host?.querySelector('[role="grid"]')?.setAttribute('aria-label', label);
}

/**
 * Columns without `flex` take the width of their content and header (in the current language); the
 * flex column (the long text) takes what is left. The user's own resizing stands until the next first
 * rows or a language change. False when there is nothing to measure yet.
 */
function fitColumns<T>(api: GridApi<T>): boolean {
  const sized = (api.getColumns() ?? []).filter((c) => !c.getColDef().flex);
  if (sized.length === 0) return false;
  if (api.getDisplayedRowCount() === 0) {
    // nothing to measure but the headers: sized to them rather than run past the edge at 200px each
    // (not sizeColumnsToFit, which would take the flex column's flex away for good)
    requestAnimationFrame(() => {
      if (!api.isDestroyed())
        api.autoSizeColumns(
          sized.map((c) => c.getColId()),
          false,
        );
    });
    return false;
  }
  // a frame later: React cell renderers (a status pill, an urgency badge) are mounted and measurable
  requestAnimationFrame(() => {
    if (!api.isDestroyed())
      api.autoSizeColumns(
        sized.map((c) => c.getColId()),
        false,
      );
  });
  return true;
}

/**
 * After an auto-size (it lands once the cells are measured, so from the columnResized event): when the
 * columns do not fit beside the flex column's minimum, the widest (a long company name) give way first,
 * down to one cap, so short columns (stage, date) are never the ones cut.
 */
function capColumns<T>(api: GridApi<T>, host: HTMLElement | null): void {
  const viewport = host?.querySelector<HTMLElement>('[role="grid"]') ?? host;
  if (!viewport) return;
  const columns = api.getColumns() ?? [];
  const flexMin = columns.filter((c) => c.getColDef().flex).reduce((n, c) => n + (c.getColDef().minWidth ?? 56), 0);
  const capped = capWidths(
    columns
      .filter((c) => !c.getColDef().flex)
      // a figure (a right-aligned column: amounts) is never the one cut: 1,473,921.45 read "1,473,921…"
      .map((c) => ({
        key: c.getColId(),
        width: c.getActualWidth(),
        min: c.getColDef().type === 'rightAligned' ? c.getActualWidth() : (c.getColDef().minWidth ?? 56),
      })),
    viewport.clientWidth - verticalScrollbar(host) - flexMin,
  );
  if (capped) api.setColumnWidths([...capped].map(([key, newWidth]) => ({ key, newWidth })));
}

/** Height from the element's top to the bottom of the window less `reserve`, kept up on resize. */
function useFillHeight(ref: React.RefObject<HTMLDivElement | null>, on: boolean, reserve: number): number {
  const [h, setH] = useState(420);
  // Runs after every render: what sits above the list (notices, an open form) moves it down.
  useLayoutEffect(() => {
    if (!on) return undefined;
    const measure = () => {
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top + window.scrollY;
      setH(Math.max(240, Math.floor(window.innerHeight - top - reserve)));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  });
  return h;
}

/**
 * ag-grid renders its own row elements, with no hook for attributes; put the page's test id and data
 * attributes on them whenever rows are added (a MutationObserver) or the data changes (the effect).
 */
function useRowAttributes<T>(
  ref: React.RefObject<HTMLDivElement | null>,
  byId: ReadonlyMap<string, T>,
  rowTestId: string | undefined,
  rowAttrs: ((row: T) => Attrs) | undefined,
) {
  const attrsRef = useRef(rowAttrs);
  attrsRef.current = rowAttrs;
  useEffect(() => {
    const el = ref.current;
    if (!el || (!rowTestId && !attrsRef.current)) return undefined;
    const sync = () => {
      for (const rowEl of el.querySelectorAll<HTMLElement>('.ag-row[row-id]')) {
        const row = byId.get(rowEl.getAttribute('row-id') ?? '');
        if (row === undefined) continue;
        const attrs: Attrs = { ...(rowTestId ? { 'data-testid': rowTestId } : {}), ...attrsRef.current?.(row) };
        for (const [k, v] of Object.entries(attrs)) {
          const s = v == null ? '' : String(v);
          if (rowEl.getAttribute(k) !== s) rowEl.setAttribute(k, s);
        }
      }
    };
    sync();
    const observer = new MutationObserver(sync);
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [ref, byId, rowTestId]);
}

/** Money in yuan, right-aligned, sorted by amount (the API sends decimal strings). */
export function moneyColumn<T>(
  colId: string,
  headerName: string,
  get: (row: T) => string | null | undefined,
  extra: Partial<ColDef<T>> = {},
): ColDef<T> {
  return {
    colId,
    headerName,
    valueGetter: (p) => (p.data ? (get(p.data) ?? null) : null),
    valueFormatter: (p: ValueFormatterParams<T, string | null>) => (p.value ? yuan(p.value) : '—'),
    comparator: (a: string | null, b: string | null) => Number(a ?? -Infinity) - Number(b ?? -Infinity),
    type: 'rightAligned',
    cellClass: ['tabular', 'ag-right-aligned-cell'],
    ...extra,
  };
}

/** A count, right-aligned. */
export function numberColumn<T>(
  colId: string,
  headerName: string,
  get: (row: T) => number | null,
  extra: Partial<ColDef<T>> = {},
): ColDef<T> {
  return {
    colId,
    headerName,
    valueGetter: (p) => (p.data ? get(p.data) : null),
    valueFormatter: (p: ValueFormatterParams<T, number | null>) => (p.value == null ? '—' : String(p.value)),
    type: 'rightAligned',
    cellClass: ['tabular', 'ag-right-aligned-cell'],
    ...extra,
  };
}

/** A date (YYYY-MM-DD sorts as text). */
export function dateColumn<T>(
  colId: string,
  headerName: string,
  get: (row: T) => string | null | undefined,
  extra: Partial<ColDef<T>> = {},
): ColDef<T> {
  return {
    colId,
    headerName,
    valueGetter: (p) => (p.data ? (get(p.data) ?? null) : null),
    valueFormatter: (p: ValueFormatterParams<T, string | null>) => p.value ?? '—',
    cellClass: 'tabular',
    // a cut date is no date: the other columns give way first
    minWidth: 96,
    ...extra,
  };
}

/** What the page's detail pane shows before a row is chosen. */
export function DetailPrompt({ text, children }: { text: string; children?: ReactNode }) {
  return (
    <div className="detail-prompt">
      <p>{text}</p>
      {children}
    </div>
  );
}
