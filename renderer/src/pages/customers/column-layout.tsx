/**
 * The customer grid's column layout (order, widths, shown, pinned): the signed-in user's own, kept in
 * the store (settings.gridLayout.*), loaded when the grid is ready and saved LAYOUT_SAVE_DELAY after
 * the last change; and 列设置, the dialog that shows, hides and pins columns.
 */
import type { ColumnEventType, GridApi } from 'ag-grid-community';
import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GridColumnState, GridRow } from '../../../../shared/api';
import { api, toApiError, type ApiError } from '../../api/client';
import { Modal } from '../../components/ui';
import { legacyLayoutKey, parseLegacyLayout, toGridLayout } from '../grid-layout';

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

const layoutOf = (g: GridApi<GridRow>) =>
  toGridLayout(g.getColumnState(), (id) => g.getColumn(id)?.getActualWidth() ?? 100);
const applyLayout = (g: GridApi<GridRow>, layout: GridColumnState[]) =>
  g.applyColumnState({ state: layout, applyOrder: true });

export function useColumnLayout(
  gridRef: RefObject<GridApi<GridRow> | null>,
  username: string,
  setError: (e: ApiError) => void,
) {
  const layoutLoaded = useRef(false);
  const pendingLayout = useRef<GridColumnState[] | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const sendLayout = useCallback(
    (layout: GridColumnState[]) => {
      api('settings.gridLayout.save', { layout }).catch((e: unknown) => setError(toApiError(e)));
    },
    [setError],
  );
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

  const loadLayout = async (g: GridApi<GridRow>) => {
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
    forgetLocalLayout(username);
    api('settings.gridLayout.reset', {}).catch((e: unknown) => setError(toApiError(e)));
  };
  return { loadLayout, saveLayout, resetLayout, onColumnEvent };
}

/**
 * 列设置: show or hide columns and pin them to the left; kept per user in the store like widths and
 * order. 恢复默认列 forgets the user's layout and shows the grid's default columns.
 */
export function ColumnChooser({
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
