import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  QUERY_ENUMS,
  QUERY_FIELDS,
  type CustomerList,
  type GridFilter,
  type QueryCondition,
  type QueryField,
  type QueryGroup,
  type SavedQuery,
} from '../../../shared/api';
import { api, toApiError, type ApiError } from '../api/client';
import { count } from '../format';
import { currentLanguage } from '../i18n';
import { Modal, useErrorText } from './ui';

/** Suggested values per field: the same lists the main process accepts. */
const ENUM_VALUES = QUERY_ENUMS;

/** Which operators make sense per field type (the main process re-checks all of this). */
function opsFor(field: QueryField): QueryCondition['op'][] {
  const type = QUERY_FIELDS[field];
  if (type === 'enum' || type === 'code' || type === 'channel') return ['eq', 'ne', 'in'];
  if (field === 'loanMaturingDays' || field === 'depositMaturingDays') return ['lte'];
  if (type === 'id') return ['eq', 'ne', 'in'];
  return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between'];
}

export function countConditions(g: QueryGroup): number {
  return g.items.reduce((n, i) => n + ('items' in i ? countConditions(i) : 1), 0);
}

/** A condition row as the form edits it: the value as text ("a, b" for lists and ranges). */
interface Row {
  field: QueryField;
  op: QueryCondition['op'];
  text: string;
  days: string;
  minCount: string;
}

function toRows(g: QueryGroup | null): { op: 'and' | 'or'; rows: Row[] } {
  if (!g) return { op: 'and', rows: [{ field: 'tier', op: 'in', text: 'gold, quality', days: '90', minCount: '1' }] };
  const rows = g.items
    .filter((i): i is QueryCondition => !('items' in i))
    .map((c) => ({
      field: c.field,
      op: c.op,
      text: Array.isArray(c.value) ? c.value.join(', ') : String(c.value),
      days: String(c.days ?? 90),
      minCount: String(c.minCount ?? 1),
    }));
  return { op: g.op, rows };
}

function toGroup(op: 'and' | 'or', rows: Row[]): QueryGroup {
  return {
    op,
    items: rows.map((r): QueryCondition => {
      const type = QUERY_FIELDS[r.field];
      const numeric = type === 'number' || type === 'id';
      const parts = r.text
        .split(/[,，]/)
        .map((x) => x.trim())
        .filter(Boolean);
      const conv = (x: string) => (numeric && /^\d+$/.test(x) ? Number(x) : x);
      const value = r.op === 'in' || r.op === 'between' ? parts.map(conv) : conv(r.text.trim());
      const c: QueryCondition = { field: r.field, op: r.op, value };
      if (r.field === 'channelUse') {
        c.days = /^\d+$/.test(r.days) ? Number(r.days) : 90;
        c.minCount = /^\d+$/.test(r.minCount) ? Number(r.minCount) : 1;
      }
      return c;
    }),
  };
}

/** 高级查询: conditions joined by AND or OR; preview the count, apply to the grid, or save by name. */
export function QueryBuilder({
  initial,
  baseFilter,
  onApply,
  onSaved,
  onClose,
}: {
  initial: QueryGroup | null;
  baseFilter: GridFilter;
  onApply: (g: QueryGroup) => void;
  onSaved: (q: SavedQuery) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const lng = currentLanguage();
  const errorText = useErrorText();
  const start = toRows(initial);
  const [op, setOp] = useState<'and' | 'or'>(start.op);
  const [rows, setRows] = useState<Row[]>(start.rows);
  const [preview, setPreview] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const group = toGroup(op, rows);
  const set = (i: number, patch: Partial<Row>) => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setPreview(null);
  };

  const check = () => {
    setError(undefined);
    api('customers.gridCount', { filter: { ...baseFilter, advanced: group } }).then(
      (c) => setPreview(c.filtered),
      (e: unknown) => setError(toApiError(e)),
    );
  };
  const save = () => {
    setError(undefined);
    const { advanced: _a, q: _q, ...rest } = baseFilter;
    api('queries.save', { name: name.trim(), shared, filter: { ...rest, advanced: group } }).then(
      onSaved,
      (e: unknown) => setError(toApiError(e)),
    );
  };

  return (
    <Modal open wide title={t('grid.advanced')} onClose={onClose} testId="query-builder">
      <div className="actions" role="radiogroup" aria-label={t('query.combine')}>
        {(['and', 'or'] as const).map((o) => (
          <label key={o}>
            <input
              type="radio"
              name={`${id}-op`}
              checked={op === o}
              onChange={() => setOp(o)}
              data-testid={`query-op-${o}`}
            />{' '}
            {t(`query.ops.${o}`)}
          </label>
        ))}
      </div>
      <table className="data-table mapping" data-testid="query-rows">
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own and every input is controlled from `rows`, so a removed row's values move with the array
            <tr key={i} data-testid="query-row">
              <td>
                <select
                  aria-label={t('query.field')}
                  data-testid="query-field"
                  value={r.field}
                  onChange={(e) => {
                    const field = e.target.value as QueryField;
                    set(i, { field, op: opsFor(field)[0]!, text: '' });
                  }}
                >
                  {(Object.keys(QUERY_FIELDS) as QueryField[]).map((f) => (
                    <option key={f} value={f}>
                      {t(`query.fields.${f}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select
                  aria-label={t('query.op')}
                  data-testid="query-cmp"
                  value={r.op}
                  onChange={(e) => set(i, { op: e.target.value as QueryCondition['op'] })}
                >
                  {opsFor(r.field).map((o) => (
                    <option key={o} value={o}>
                      {t(`query.cmp.${o}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={t('query.value')}
                  data-testid="query-value"
                  value={r.text}
                  list={ENUM_VALUES[r.field] ? `${id}-${r.field}` : undefined}
                  placeholder={t(`query.hints.${QUERY_FIELDS[r.field]}`)}
                  onChange={(e) => set(i, { text: e.target.value })}
                />
                {ENUM_VALUES[r.field] && (
                  <datalist id={`${id}-${r.field}`}>
                    {ENUM_VALUES[r.field]!.map((v) => (
                      <option key={v} value={v} />
                    ))}
                  </datalist>
                )}
                {r.field === 'channelUse' && (
                  <span className="muted">
                    {' '}
                    {t('query.inLast')}{' '}
                    <input
                      aria-label={t('query.days')}
                      size={4}
                      value={r.days}
                      onChange={(e) => set(i, { days: e.target.value })}
                    />{' '}
                    {t('query.daysAtLeast')}{' '}
                    <input
                      aria-label={t('query.minCount')}
                      size={4}
                      value={r.minCount}
                      onChange={(e) => set(i, { minCount: e.target.value })}
                    />{' '}
                    {t('query.times')}
                  </span>
                )}
              </td>
              <td>
                <button
                  type="button"
                  className="btn-icon"
                  aria-label={t('query.remove')}
                  onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                  disabled={rows.length === 1}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          className="btn"
          data-testid="query-add"
          onClick={() => setRows((rs) => [...rs, { field: 'aum', op: 'gte', text: '', days: '90', minCount: '1' }])}
          disabled={rows.length >= 20}
        >
          {t('query.add')}
        </button>
        <button type="button" className="btn" data-testid="query-check" onClick={check}>
          {t('query.check')}
        </button>
        {preview !== null && (
          <span data-testid="query-preview" className="status-pill pill-ok">
            {t('query.matches', { n: count(preview, lng) })}
          </span>
        )}
        <button type="button" className="btn btn-primary" data-testid="query-apply" onClick={() => onApply(group)}>
          {t('query.apply')}
        </button>
      </div>
      <div className="actions">
        <input
          aria-label={t('query.name')}
          placeholder={t('query.name')}
          data-testid="query-name"
          value={name}
          maxLength={40}
          onChange={(e) => setName(e.target.value)}
        />
        <label>
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> {t('query.shared')}
        </label>
        <button type="button" className="btn" data-testid="query-save" disabled={!name.trim()} onClick={save}>
          {t('query.save')}
        </button>
      </div>
      {error && (
        <p className="status status-error" role="alert" data-testid="query-error">
          {errorText(error)}
        </p>
      )}
    </Modal>
  );
}

/** 加入列表: the selected rows or every filtered customer, into one of my lists or a new one. */
export function AddToListDialog({
  lists,
  filter,
  selected,
  filteredCount,
  onClose,
  onDone,
}: {
  lists: CustomerList[];
  filter: GridFilter;
  selected: number[];
  filteredCount: number | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const errorText = useErrorText();
  const [target, setTarget] = useState<number | 'new'>(lists[0]?.id ?? 'new');
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [which, setWhich] = useState<'selected' | 'filtered'>(selected.length ? 'selected' : 'filtered');
  const [error, setError] = useState<ApiError | undefined>();
  const [added, setAdded] = useState<number | null>(null);

  const go = async () => {
    setError(undefined);
    try {
      const listId = target === 'new' ? (await api('lists.save', { name: name.trim(), shared })).id : target;
      const r =
        which === 'selected'
          ? await api('lists.add', { listId, customerIds: selected })
          : await api('lists.add', { listId, filter });
      setAdded(r.added);
      setTimeout(onDone, 800);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <Modal open title={t('grid.addToList')} onClose={onClose} testId="add-to-list">
      <fieldset className="radio-row">
        <legend>{t('lists.which')}</legend>
        <label>
          <input
            type="radio"
            checked={which === 'selected'}
            disabled={!selected.length}
            onChange={() => setWhich('selected')}
          />{' '}
          {t('lists.selected', { n: count(selected.length, lng) })}
        </label>
        <label>
          <input
            type="radio"
            checked={which === 'filtered'}
            onChange={() => setWhich('filtered')}
            data-testid="add-filtered"
          />{' '}
          {t('lists.filtered', { n: filteredCount === null ? '…' : count(filteredCount, lng) })}
        </label>
      </fieldset>
      <div className="form-rows">
        <label htmlFor="add-list-target">{t('lists.target')}</label>
        <select
          id="add-list-target"
          data-testid="add-list-target"
          value={target}
          onChange={(e) => setTarget(e.target.value === 'new' ? 'new' : Number(e.target.value))}
        >
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
          <option value="new">{t('lists.new')}</option>
        </select>
        {target === 'new' && (
          <>
            <label htmlFor="add-list-name">{t('lists.name')}</label>
            <div className="row">
              <input
                id="add-list-name"
                data-testid="add-list-name"
                value={name}
                maxLength={40}
                onChange={(e) => setName(e.target.value)}
              />
              <label>
                <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />{' '}
                {t('lists.shared')}
              </label>
            </div>
          </>
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="add-list-go"
          disabled={target === 'new' && !name.trim()}
          onClick={() => void go()}
        >
          {t('grid.addToList')}
        </button>
        {added !== null && (
          <span className="status-pill pill-ok" data-testid="add-list-done">
            {t('lists.added', { n: count(added, lng) })}
          </span>
        )}
      </div>
      {error && <p className="status status-error">{errorText(error)}</p>}
    </Modal>
  );
}
