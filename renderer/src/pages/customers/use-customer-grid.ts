/**
 * The customer grid's state, as two hooks:
 *  - useGridFilter: the filter as the user builds it (quick search, tier and quick chips, the AUM
 *    range, the view: all, favourites, a list or a saved query; an advanced query; a desktop
 *    drill-down), merged into one GridFilter for counts, stats, pages, exports and lists;
 *  - useGridData: what the grid reads for that filter (exact counts, quick stats, and the datasource
 *    ag-grid's infinite row model asks for blocks of rows, sorted and filtered in SQLite in the main
 *    process, with each block's favourite stars).
 */
import type { GridApi, IDatasource, SortModelItem } from 'ag-grid-community';
import { type Dispatch, type RefObject, type SetStateAction, useCallback, useEffect, useMemo, useState } from 'react';
import {
  SORT_COLUMNS,
  type CustomerList,
  type GridFilter,
  type GridRow,
  type GridSort,
  type QueryGroup,
  type QuickStats,
  type SavedQuery,
  type SortColumn,
  type Tier,
} from '../../../../shared/api';
import { parseAmountInput, yuanToFen } from '../../../../shared/money';
import { api, toApiError, type ApiError } from '../../api/client';
import { useDrill } from '../desktop/drill';

/** Quick filter chips: each toggles one part of the filter. */
export const CHIPS = ['maturing30', 'birthday', 'inactive180', 'hasLoan', 'corporate'] as const;
export type Chip = (typeof CHIPS)[number];

function chipFilter(chips: ReadonlySet<Chip>): GridFilter {
  const f: GridFilter = {};
  if (chips.has('maturing30')) f.maturingWithinDays = 30;
  if (chips.has('birthday')) f.birthdayThisMonth = true;
  if (chips.has('inactive180')) f.inactiveDays = 180;
  if (chips.has('hasLoan')) f.loansMin = '0.01';
  if (chips.has('corporate')) f.kinds = ['corporate'];
  return f;
}

export type View =
  | { kind: 'all' }
  | { kind: 'favorites' }
  | { kind: 'list'; id: number }
  | { kind: 'query'; id: number };
export const viewValue = (v: View): string => (v.kind === 'list' || v.kind === 'query' ? `${v.kind}:${v.id}` : v.kind);
export function parseView(s: string): View {
  const [k, id] = s.split(':');
  if ((k === 'list' || k === 'query') && id && /^\d+$/.test(id)) return { kind: k, id: Number(id) };
  return k === 'favorites' ? { kind: 'favorites' } : { kind: 'all' };
}

/** The set with `v` added, or removed when it was there (a chip's toggle). */
export function toggle<T>(set: ReadonlySet<T>, v: T): Set<T> {
  const n = new Set(set);
  if (n.has(v)) n.delete(v);
  else n.add(v);
  return n;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** The search toolbar's state (search box, chips, AUM range). */
export interface SearchState {
  q: string;
  setQ: Dispatch<SetStateAction<string>>;
  tiers: ReadonlySet<Tier>;
  setTiers: Dispatch<SetStateAction<ReadonlySet<Tier>>>;
  chips: ReadonlySet<Chip>;
  setChips: Dispatch<SetStateAction<ReadonlySet<Chip>>>;
  aumMin: string;
  setAumMin: Dispatch<SetStateAction<string>>;
  aumMax: string;
  setAumMax: Dispatch<SetStateAction<string>>;
  /** What is wrong with the AUM range as typed (shown under it), or null. */
  aumProblem: AumProblem | null;
}

/** A bound that is not an amount (e.g. "abc"), or a lower bound above the upper one. */
export type AumProblem = 'min' | 'max' | 'order';

/** The AUM range as typed (yuan, or with 万/亿): the wire bounds and what is wrong with it. */
export function aumRange(
  minText: string,
  maxText: string,
): { min: string | null; max: string | null; problem: AumProblem | null } {
  // the wire takes up to 13 digits of yuan; more is not a range anyone means
  const read = (s: string) => {
    const v = parseAmountInput(s);
    return v !== null && v.length <= 16 ? v : null;
  };
  const min = read(minText);
  const max = read(maxText);
  const problem: AumProblem | null =
    min === null ? 'min' : max === null ? 'max' : min && max && yuanToFen(min) > yuanToFen(max) ? 'order' : null;
  return { min: min || null, max: max || null, problem };
}

/** The views toolbar's state: the view, the advanced query, and the user's lists and saved queries. */
export interface ViewsState {
  view: View;
  setView: Dispatch<SetStateAction<View>>;
  advanced: QueryGroup | null;
  setAdvanced: Dispatch<SetStateAction<QueryGroup | null>>;
  lists: CustomerList[];
  queries: SavedQuery[];
  /** Reads the lists and saved queries again (after one is saved or a list changes). */
  reloadViews: () => void;
}

export function useGridFilter() {
  const [q, setQ] = useState('');
  const [tiers, setTiers] = useState<ReadonlySet<Tier>>(new Set());
  const [chips, setChips] = useState<ReadonlySet<Chip>>(new Set());
  const [aumMin, setAumMin] = useState('');
  const [aumMax, setAumMax] = useState('');
  const debouncedQ = useDebounced(q.trim(), 250);
  const [view, setView] = useState<View>({ kind: 'all' });
  const [advanced, setAdvanced] = useState<QueryGroup | null>(null);
  const [lists, setLists] = useState<CustomerList[]>([]);
  const [queries, setQueries] = useState<SavedQuery[]>([]);
  // Opened from a desktop figure: exactly the customers behind it (#/customers?filter=...).
  const drill = useDrill();
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
    // a bound that is not an amount is left out (and said so under the range), never sent as text
    const aum = aumRange(aumMin, aumMax);
    if (aum.min) f.aumMin = aum.min;
    if (aum.max) f.aumMax = aum.max;
    return f;
  }, [chips, debouncedQ, tiers, aumMin, aumMax, view, advanced, queries, drill]);
  const filterKey = JSON.stringify(filter);
  // The filter by value: a new object with the same content (any re-render) asks for nothing again.
  const shownFilter = useMemo(() => JSON.parse(filterKey) as GridFilter, [filterKey]);

  const aumProblem = aumRange(aumMin, aumMax).problem;
  const search: SearchState = {
    q,
    setQ,
    tiers,
    setTiers,
    chips,
    setChips,
    aumMin,
    setAumMin,
    aumMax,
    setAumMax,
    aumProblem,
  };
  const views: ViewsState = { view, setView, advanced, setAdvanced, lists, queries, reloadViews };
  return { filter, shownFilter, drill, search, views };
}

/** Rows per block the grid asks for. */
export const BLOCK = 100;

export function useGridData(shownFilter: GridFilter, gridRef: RefObject<GridApi<GridRow> | null>) {
  const [counts, setCounts] = useState<{ total: number; filtered: number } | null>(null);
  const [stats, setStats] = useState<QuickStats | null>(null);
  const [error, setError] = useState<ApiError | undefined>();

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
  }, [datasource, gridRef]);

  return { counts, stats, error, setError, datasource };
}
