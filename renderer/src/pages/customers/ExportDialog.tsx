/** Excel导出 from the customer grid: what the grid shows, exported in a worker with progress and cancel. */
import type { GridApi } from 'ag-grid-community';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  EXPORT_COLUMNS,
  SORT_COLUMNS,
  type ExportColumn,
  type ExportStatus,
  type GridFilter,
  type GridRow,
  type GridSort,
  type SortColumn,
} from '../../../../shared/api';
import { api, downloadFile, toApiError, type ApiError } from '../../api/client';
import { Modal, useErrorText } from '../../components/ui';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';

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
export function ExportDialog({
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
          {format === 'csv' && (
            <p className="field-hint" data-testid="export-csv-note">
              {t('grid.csvNote')}
            </p>
          )}
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
