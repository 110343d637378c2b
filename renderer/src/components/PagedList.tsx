import type { ColDef } from 'ag-grid-community';
import { useId } from 'react';
import type { ApiState } from '../api/use-api';
import { ListGrid, type ListGridProps } from './ListGrid';
import { Pager } from './ui';

export interface PagedListProps<T> extends Omit<ListGridProps<T>, 'busy'> {
  /** The list's heading (read by screen readers only) and the grid's accessible name. */
  label: string;
  /** The count line beside the heading, once the first page has come; announced when it changes. */
  count: string | null | undefined;
  countTestId: string;
  /** The page that came (null before the first): a pager appears when the total is more than its rows. */
  paging:
    | { offset: number; limit: number; rows: number; total: number; onOffset: (offset: number) => void }
    | null
    | undefined;
  busy: boolean;
}

/**
 * A panel of one API list page: a hidden heading with its count line, the grid, and a pager when the
 * list is longer than a page (久未联系客户, 风险预警名单). The page keeps its own filters and request.
 */
export function PagedList<T>({ count, countTestId, paging, ...grid }: PagedListProps<T>) {
  const id = useId();
  return (
    <section className="panel list-panel" aria-labelledby={`${id}-list`}>
      <div className="list-panel-head">
        <h2 id={`${id}-list`} className="visually-hidden">
          {grid.label}
        </h2>
        {typeof count === 'string' && (
          <span className="muted" data-testid={countTestId} aria-live="polite">
            {count}
          </span>
        )}
      </div>
      <ListGrid<T> {...grid} />
      {paging && paging.total > paging.rows && <Pager {...paging} busy={grid.busy} />}
    </section>
  );
}

/**
 * What a PagedList shows of its API page: the rows (none after a failed first load, or when the page's
 * own input is not valid), busy while a request is out, and the pager's figures once a page has come.
 */
export function listPage<T>(
  list: ApiState<{ rows: T[]; total: number }>,
  page: { offset: number; limit: number; onOffset: (offset: number) => void },
  show = true,
): Pick<PagedListProps<T>, 'rows' | 'busy' | 'paging'> {
  const d = list.data;
  return {
    rows: (list.error && !d) || !show ? [] : d?.rows,
    busy: list.loading,
    paging: d && { ...page, rows: d.rows.length, total: d.total },
  };
}

/** The customer number (monospace) and name columns a customer list starts with. */
export function customerColumns<T extends { customerNo: string; name: string }>(
  headers: { customerNo: string; name: string },
  name: Partial<ColDef<T>>,
): ColDef<T>[] {
  return [
    { colId: 'customerNo', headerName: headers.customerNo, valueGetter: (p) => p.data?.customerNo, cellClass: 'mono' },
    { colId: 'name', headerName: headers.name, valueGetter: (p) => p.data?.name, ...name },
  ];
}

/** The customer's manager, or the words for none. */
export function managerColumn<T extends { managerName: string | null }>(headerName: string, none: string): ColDef<T> {
  return { colId: 'manager', headerName, valueGetter: (p) => (p.data ? (p.data.managerName ?? none) : null) };
}
