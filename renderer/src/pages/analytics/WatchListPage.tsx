import type { ColDef } from 'ag-grid-community';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  RISK_LEVELS,
  RISK_SIGNALS,
  WATCH_STATUSES,
  type RiskLevel,
  type RiskSignal,
  type WatchStatus,
} from '../../../../shared/analytics';
import type { WatchListRow } from '../../../../shared/api';
import { api, validateInput } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { DateField } from '../../components/DateField';
import { dateColumn, numberColumn } from '../../components/ListGrid';
import { customerColumns, listPage, managerColumn, PagedList } from '../../components/PagedList';
import { ErrorNotice, Modal, SuccessNotice } from '../../components/ui';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';
import { openCustomer } from '../../router';
import { LevelBadge } from './CustomerRisk';
import { SignalChips } from './SignalChips';
import { signalFacts } from './risk-text';
import '../../components/fields.css';
import './analytics.css';

const LIMIT = 100;
const rowId = (r: WatchListRow) => r.customerId;

function useColumns(): ColDef<WatchListRow>[] {
  const { t } = useTranslation();
  return useMemo(
    () => [
      ...customerColumns<WatchListRow>(
        { customerNo: t('customer.customerNo'), name: t('customer.name') },
        { minWidth: 90 },
      ),
      {
        colId: 'level',
        headerName: t('risk.col.level'),
        valueGetter: (p) => (p.data ? t(`risk.levels.${p.data.level}`) : null),
        cellRenderer: (p: { data?: WatchListRow }) => (p.data ? <LevelBadge level={p.data.level} /> : null),
      },
      numberColumn<WatchListRow>('score', t('risk.col.score'), (r) => r.score),
      {
        colId: 'signals',
        headerName: t('risk.col.signals'),
        valueGetter: (p) =>
          p.data ? p.data.signals.map((s) => t(`risk.signals.${s.signal}`)).join(t('common.listSeparator')) : null,
        tooltipValueGetter: (p) => (p.data ? p.data.signals.map((s) => signalFacts(t, s)).join('\n') : null),
        cellRenderer: (p: { data?: WatchListRow }) => (p.data ? <SignalChips signals={p.data.signals} /> : null),
        flex: 1,
        minWidth: 230,
      },
      managerColumn<WatchListRow>(t('risk.col.manager'), t('customer.noManager')),
      {
        colId: 'status',
        headerName: t('risk.col.status'),
        valueGetter: (p) => (p.data ? t(`risk.statuses.${p.data.followUp?.status ?? 'none'}`) : null),
      },
      {
        colId: 'owner',
        headerName: t('risk.col.owner'),
        valueGetter: (p) => (p.data?.followUp ? (p.data.followUp.ownerName ?? t('risk.noOwner')) : '—'),
      },
      dateColumn<WatchListRow>('due', t('risk.col.due'), (r) => r.followUp?.dueOn ?? null, {
        valueFormatter: (p) => p.value ?? '—',
      }),
    ],
    [t],
  );
}

/** 风险预警名单: customers in scope rated 关注 or worse, worst first; a row opens its follow-up. */
export function WatchListPage() {
  const { t } = useTranslation();
  const id = useId();
  const [level, setLevel] = useState<RiskLevel | ''>('');
  const [status, setStatus] = useState<WatchStatus | 'none' | ''>('');
  const [signal, setSignal] = useState<RiskSignal | ''>('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<WatchListRow | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const list = useApi('risk.watchList', {
    ...(level ? { level } : {}),
    ...(status ? { status } : {}),
    ...(signal ? { signal } : {}),
    offset,
    limit: LIMIT,
  });
  const d = list.data;
  const columns = useColumns();
  return (
    <section className="page" data-testid="watchlist-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('risk.title')}</h1>
        <span className="muted">{t('risk.intro')}</span>
      </header>
      <div className="toolbar">
        <FilterSelect
          id={`${id}-level`}
          label={t('risk.filterLevel')}
          testId="watch-level"
          value={level}
          all={t('risk.allLevels')}
          options={RISK_LEVELS.filter((l) => l !== 'normal').map((l) => ({
            value: l,
            text: `${t(`risk.levels.${l}`)}${d ? ` (${count(d.byLevel[l], currentLanguage())})` : ''}`,
          }))}
          onChange={(v) => {
            setLevel(v as RiskLevel | '');
            setOffset(0);
          }}
        />
        <FilterSelect
          id={`${id}-status`}
          label={t('risk.filterStatus')}
          testId="watch-status"
          value={status}
          all={t('risk.allStatuses')}
          options={[...WATCH_STATUSES, 'none' as const].map((s) => ({ value: s, text: t(`risk.statuses.${s}`) }))}
          onChange={(v) => {
            setStatus(v as WatchStatus | 'none' | '');
            setOffset(0);
          }}
        />
        <FilterSelect
          id={`${id}-signal`}
          label={t('risk.filterSignal')}
          testId="watch-signal"
          value={signal}
          all={t('risk.allSignals')}
          options={RISK_SIGNALS.map((s) => ({ value: s, text: t(`risk.signals.${s}`) }))}
          onChange={(v) => {
            setSignal(v as RiskSignal | '');
            setOffset(0);
          }}
        />
      </div>
      <SuccessNotice text={saved} />
      <ErrorNotice error={list.error} onRetry={list.reload} />
      <PagedList<WatchListRow>
        label={t('risk.title')}
        count={d && t('risk.count', { count: d.total })}
        countTestId="watch-count"
        {...listPage(list, { offset, limit: LIMIT, onOffset: setOffset })}
        columns={columns}
        rowId={rowId}
        onOpen={setEditing}
        emptyText={t('risk.none')}
        testId="watch-table"
        rowTestId="watch-row"
        rowAttrs={(r) => ({ 'data-customer-no': r.customerNo })}
      />
      {editing && (
        <FollowUpDialog
          row={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setSaved(t('risk.saved', { name: editing.name }));
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}

/** A filter of the list: its label over a choice box whose first entry is "all". */
function FilterSelect(props: {
  id: string;
  label: string;
  testId: string;
  value: string;
  all: string;
  options: { value: string; text: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        data-testid={props.testId}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      >
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
}

function FollowUpDialog({ row, onClose, onSaved }: { row: WatchListRow; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const owners = useApi('risk.owners', {});
  const action = useAction();
  const f = row.followUp;
  const [status, setStatus] = useState<WatchStatus>(f?.status ?? 'following');
  const [owner, setOwner] = useState<string>(f?.ownerStaffId != null ? String(f.ownerStaffId) : '');
  const [dueOn, setDueOn] = useState(f?.dueOn ?? '');
  const [note, setNote] = useState(f?.note ?? '');
  const ownerList = owners.data ?? [];
  // a manager names only themselves: their own entry is the default
  const ownerValue = owner || (ownerList.length === 1 ? String(ownerList[0]!.id) : '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = {
      customerId: row.customerId,
      status,
      ownerStaffId: ownerValue ? Number(ownerValue) : null,
      note: note.trim() ? note.trim() : null,
      dueOn: dueOn || null,
    };
    const checked = validateInput('risk.followUp', input);
    if (!checked.ok) {
      await action.run(() => Promise.reject(checked.error));
      return;
    }
    const r = await action.run(() => api('risk.followUp', input));
    if (r) onSaved();
  };
  return (
    <Modal open title={t('risk.followTitle', { name: row.name })} onClose={onClose} testId="watch-follow-dialog">
      <form noValidate onSubmit={submit} className="form-grid">
        <ul className="plain-list">
          {row.signals.map((s) => (
            <li key={s.signal}>
              <strong>{t(`risk.signals.${s.signal}`)}</strong>
              <span className="muted"> · {signalFacts(t, s)}</span>
            </li>
          ))}
        </ul>
        <p>
          <a
            href={`#/customer/${row.customerId}`}
            onClick={(e) => {
              e.preventDefault();
              openCustomer(row.customerId);
            }}
          >
            {row.name} <span className="mono">{row.customerNo}</span>
          </a>
        </p>
        <ErrorNotice error={action.error} />
        <div className="field">
          <label htmlFor="watch-status-edit">{t('risk.col.status')}</label>
          <select
            id="watch-status-edit"
            data-testid="watch-status-edit"
            value={status}
            onChange={(e) => setStatus(e.target.value as WatchStatus)}
          >
            {WATCH_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`risk.statuses.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="watch-owner">{t('risk.col.owner')}</label>
          <select
            id="watch-owner"
            data-testid="watch-owner"
            value={ownerValue}
            onChange={(e) => setOwner(e.target.value)}
          >
            <option value="">{t('risk.noOwner')}</option>
            {ownerList.map((o) => (
              <option key={o.id} value={String(o.id)}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="watch-due">{t('risk.col.due')}</label>
          <DateField id="watch-due" testId="watch-due" value={dueOn} onChange={setDueOn} />
        </div>
        <div className="field">
          <label htmlFor="watch-note">{t('risk.col.note')}</label>
          <textarea
            id="watch-note"
            data-testid="watch-note"
            maxLength={500}
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('risk.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="watch-save" disabled={action.busy}>
            {t('risk.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
