import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  QUERY_ENUMS,
  QUERY_FIELDS,
  type CustomerList,
  type GridFilter,
  type QueryCondition,
  type QueryField,
  type QueryGroup,
  type QueryOptions,
  type SavedQuery,
} from '../../../shared/api';
import { CUSTOMER_FIELDS, FIELD_ENUMS, type CustomerField } from '../../../shared/customer-fields';
import { api, toApiError, type ApiError } from '../api/client';
import { useApi } from '../api/use-api';
import { count } from '../format';
import { currentLanguage } from '../i18n';
import { fieldLabel, PICKED } from './query-fields';
import { SearchPick, type PickOption } from './SearchPick';
import { Modal, useErrorText } from './ui';
import './query-builder.css';

type Translate = ReturnType<typeof useTranslation>['t'];
type Op = QueryCondition['op'];

/** Which operators make sense per field type (the main process re-checks all of this). */
function opsFor(field: QueryField): Op[] {
  const type = QUERY_FIELDS[field];
  if (type === 'enum' || type === 'code' || type === 'channel') return ['eq', 'ne', 'in'];
  if (field === 'loanMaturingDays' || field === 'depositMaturingDays') return ['lte'];
  if (type === 'id') return ['eq', 'ne', 'in'];
  return ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between'];
}

export function countConditions(g: QueryGroup): number {
  return g.items.reduce((n, i) => n + ('items' in i ? countConditions(i) : 1), 0);
}

/** A coded value in words: tiers, customer types and statuses from the catalogue, categories, channels. */
export function choiceLabel(t: Translate, field: QueryField, code: string): string {
  if (field === 'holdsCategory') return t(`reports.category.${code}`, { defaultValue: code });
  if (field === 'channelUse') return t(`reports.channel.${code}`, { defaultValue: code });
  const e = (CUSTOMER_FIELDS[field as CustomerField] as { enum?: keyof typeof FIELD_ENUMS } | undefined)?.enum;
  return e ? t(`${FIELD_ENUMS[e].key}.${code}`, { defaultValue: code }) : code;
}

/** A condition row as the form edits it: values as text (one, two for a range, or a list). */
interface Row {
  field: QueryField;
  op: Op;
  values: string[];
  days: string;
  minCount: string;
}

function toRows(g: QueryGroup | null): { op: 'and' | 'or'; rows: Row[] } {
  if (!g)
    return { op: 'and', rows: [{ field: 'tier', op: 'in', values: ['gold', 'quality'], days: '90', minCount: '1' }] };
  const rows = g.items
    .filter((i): i is QueryCondition => !('items' in i))
    .map((c) => ({
      field: c.field,
      op: c.op,
      values: (Array.isArray(c.value) ? c.value : [c.value]).map(String),
      days: String(c.days ?? 90),
      minCount: String(c.minCount ?? 1),
    }));
  return { op: g.op, rows };
}

/** "50万" or "1.5万" as yuan ("500000.00"): amounts at a branch are said in 万. Anything else as typed. */
export function wanToYuan(text: string): string {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?万$/.exec(text);
  if (!m) return text;
  const f = (m[2] ?? '').padEnd(6, '0');
  return `${BigInt(m[1]! + f.slice(0, 4))}.${f.slice(4)}`;
}

/** How many values an operator takes: a list, two (a range) or one. */
const arity = (op: Op): 'list' | 2 | 1 => (op === 'in' ? 'list' : op === 'between' ? 2 : 1);

function toGroup(op: 'and' | 'or', rows: Row[]): QueryGroup {
  return {
    op,
    items: rows.map((r): QueryCondition => {
      const type = QUERY_FIELDS[r.field];
      const numeric = type === 'number' || type === 'id';
      const conv = (x: string) => {
        const v = x.trim().replace(/[,，\s]/g, '');
        if (type === 'money') return wanToYuan(v);
        return numeric && /^\d+$/.test(v) ? Number(v) : v;
      };
      const vals = r.values.filter((v) => v.trim() !== '');
      const value = arity(r.op) === 1 ? conv(r.values[0] ?? '') : vals.map(conv);
      const c: QueryCondition = { field: r.field, op: r.op, value };
      if (r.field === 'channelUse') {
        c.days = /^\d+$/.test(r.days) ? Number(r.days) : 90;
        c.minCount = /^\d+$/.test(r.minCount) ? Number(r.minCount) : 1;
      }
      return c;
    }),
  };
}

/** The first row (1-based) missing a value, before anything is sent. */
function firstIncomplete(rows: Row[]): number | null {
  const i = rows.findIndex((r) => {
    const filled = r.values.filter((v) => v.trim() !== '').length;
    const a = arity(r.op);
    return a === 'list' ? filled === 0 : filled < a;
  });
  return i < 0 ? null : i + 1;
}

/** The pick lists' options, by name; the values stay the ids and codes the query compares. */
function pickOptions(t: Translate, field: QueryField, o: QueryOptions | undefined): PickOption[] {
  if (!o) return [];
  if (field === 'managerId')
    return [
      { value: '0', label: t('qb.noManager') },
      ...o.managers.map((m) => ({
        value: String(m.id),
        label: m.name,
        hint: m.active ? m.branchName : `${m.branchName} · ${t('qb.inactive')}`,
      })),
    ];
  if (field === 'branchId') return o.branches.map((b) => ({ value: String(b.id), label: b.name }));
  return o.products.map((p) => ({
    value: p.code,
    label: p.name,
    hint: `${p.code} · ${t(`reports.category.${p.category}`, { defaultValue: p.category })}`,
  }));
}

/** One condition's value editor: choices in words, pick lists by name, amounts, dates, numbers. */
function ValueEditor({
  row,
  options,
  onValues,
}: {
  row: Row;
  options: QueryOptions | undefined;
  onValues: (values: string[]) => void;
}) {
  const { t } = useTranslation();
  const type = QUERY_FIELDS[row.field];
  const a = arity(row.op);
  const label = `${fieldLabel(t, row.field)} ${t('query.value')}`;

  if (PICKED.has(row.field))
    return (
      <SearchPick
        options={pickOptions(t, row.field, options)}
        selected={row.values.filter(Boolean)}
        multi={a === 'list'}
        onChange={onValues}
        label={label}
        placeholder={t(row.field === 'holdsProduct' ? 'qb.searchProduct' : 'qb.search')}
        testId="query-pick"
      />
    );

  const codes = QUERY_ENUMS[row.field];
  if (codes) {
    if (a === 'list')
      return (
        <fieldset className="qb-choices chips" data-testid="query-choices" aria-label={label}>
          {codes.map((c) => (
            <label key={c}>
              <input
                type="checkbox"
                value={c}
                checked={row.values.includes(c)}
                onChange={(e) => onValues(e.target.checked ? [...row.values, c] : row.values.filter((v) => v !== c))}
              />{' '}
              {choiceLabel(t, row.field, c)}
            </label>
          ))}
        </fieldset>
      );
    return (
      <select
        aria-label={label}
        data-testid="query-value"
        value={row.values[0] ?? ''}
        onChange={(e) => onValues([e.target.value])}
      >
        <option value="">{t('qb.choose')}</option>
        {codes.map((c) => (
          <option key={c} value={c}>
            {choiceLabel(t, row.field, c)}
          </option>
        ))}
      </select>
    );
  }

  const inputType = type === 'date' ? 'date' : 'text';
  const mode = type === 'money' ? 'decimal' : 'numeric';
  const unit =
    type === 'money'
      ? t('qb.yuan')
      : row.field === 'age'
        ? t('qb.ageUnit')
        : row.field === 'loanMaturingDays' || row.field === 'depositMaturingDays'
          ? t('qb.daysUnit')
          : '';
  const hint = type === 'money' || type === 'date' || type === 'number' ? t(`qb.hints.${type}`) : '';
  const input = (i: number, testId: string, aria: string) => (
    <input
      type={inputType}
      inputMode={inputType === 'text' ? mode : undefined}
      aria-label={aria}
      data-testid={testId}
      value={row.values[i] ?? ''}
      placeholder={hint}
      onChange={(e) => {
        const next = [...row.values];
        next[i] = e.target.value;
        onValues(next);
      }}
    />
  );
  if (a === 2)
    return (
      <>
        {input(0, 'query-value-min', `${label} ${t('qb.min')}`)}
        <span>{t('qb.and')}</span>
        {input(1, 'query-value-max', `${label} ${t('qb.max')}`)}
        {unit && <span className="muted">{unit}</span>}
      </>
    );
  return (
    <>
      {input(0, 'query-value', label)}
      {unit && <span className="muted">{unit}</span>}
    </>
  );
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
  const start = useMemo(() => toRows(initial), [initial]);
  const options = useApi('customers.queryOptions', {});
  const [op, setOp] = useState<'and' | 'or'>(start.op);
  const [rows, setRows] = useState<Row[]>(start.rows);
  const [preview, setPreview] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [missing, setMissing] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const group = toGroup(op, rows);
  const set = (i: number, patch: Partial<Row>) => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setPreview(null);
    setMissing(null);
  };
  /** Says which condition still lacks a value instead of sending it; true when all are filled. */
  const complete = () => {
    setError(undefined);
    const n = firstIncomplete(rows);
    setMissing(n);
    return n === null;
  };

  const check = () => {
    if (!complete()) return;
    api('customers.gridCount', { filter: { ...baseFilter, advanced: group } }).then(
      (c) => setPreview(c.filtered),
      (e: unknown) => setError(toApiError(e)),
    );
  };
  const save = () => {
    if (!complete()) return;
    const { advanced: _a, q: _q, ...rest } = baseFilter;
    api('queries.save', { name: name.trim(), shared, filter: { ...rest, advanced: group } }).then(
      onSaved,
      (e: unknown) => setError(toApiError(e)),
    );
  };

  return (
    <Modal open wide title={t('grid.advanced')} onClose={onClose} testId="query-builder">
      <div className="actions qb-inline" role="radiogroup" aria-label={t('query.combine')}>
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
      <table className="data-table qb-rows" data-testid="query-rows">
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
                    set(i, { field, op: opsFor(field)[0]!, values: [] });
                  }}
                >
                  {(Object.keys(QUERY_FIELDS) as QueryField[]).map((f) => (
                    <option key={f} value={f}>
                      {fieldLabel(t, f)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select
                  aria-label={t('query.op')}
                  data-testid="query-cmp"
                  value={r.op}
                  onChange={(e) => {
                    const next = e.target.value as Op;
                    // a list or a range keeps what fits the new operator
                    set(i, { op: next, values: arity(next) === 1 ? r.values.slice(0, 1) : r.values });
                  }}
                >
                  {opsFor(r.field).map((o) => (
                    <option key={o} value={o}>
                      {t(`query.cmp.${o}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <div className="qb-value">
                  <ValueEditor row={r} options={options.data} onValues={(values) => set(i, { values })} />
                  {r.field === 'channelUse' && (
                    <span className="muted">
                      {t('query.inLast')}{' '}
                      <input
                        aria-label={t('query.days')}
                        size={4}
                        style={{ width: '4em' }}
                        value={r.days}
                        onChange={(e) => set(i, { days: e.target.value })}
                      />{' '}
                      {t('query.daysAtLeast')}{' '}
                      <input
                        aria-label={t('query.minCount')}
                        size={4}
                        style={{ width: '4em' }}
                        value={r.minCount}
                        onChange={(e) => set(i, { minCount: e.target.value })}
                      />{' '}
                      {t('query.times')}
                    </span>
                  )}
                </div>
              </td>
              <td>
                <button
                  type="button"
                  className="btn-icon"
                  aria-label={t('query.remove')}
                  onClick={() => {
                    setRows((rs) => rs.filter((_, j) => j !== i));
                    setMissing(null);
                  }}
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
          onClick={() => setRows((rs) => [...rs, { field: 'aum', op: 'gte', values: [], days: '90', minCount: '1' }])}
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
        <button
          type="button"
          className="btn btn-primary"
          data-testid="query-apply"
          onClick={() => complete() && onApply(group)}
        >
          {t('query.apply')}
        </button>
      </div>
      <div className="actions qb-inline">
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
      {(error || missing !== null) && (
        <div className="notice notice-error" role="alert" data-testid="query-error">
          {missing !== null ? t('qb.needValue', { n: missing }) : error && errorText(error)}
        </div>
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
      {error && (
        <div className="notice notice-error" role="alert">
          {errorText(error)}
        </div>
      )}
    </Modal>
  );
}
