import type { ColDef } from 'ag-grid-community';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ENTRY_STATUSES,
  type Campaign,
  type CampaignEntry,
  type EntryStatus,
  type ManagerProgress,
  type OpportunityProduct,
} from '../../../../shared/api';
import { api, downloadFile, toApiError, type ApiError } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { DetailPrompt, dateColumn, ListGrid, numberColumn } from '../../components/ListGrid';
import { Empty, ErrorNotice, Pager, SuccessNotice } from '../../components/ui';
import { percent, yuan } from '../../format';
import { openCustomer } from '../../router';
import { useSession } from '../../session';
import { DateField } from '../../components/DateField';
import { ProductSelect } from './ProductSelect';

const LIMIT = 100;

/** A chosen file as the API takes it: name and base64 bytes. */
function readUpload(file: File): Promise<{ name: string; data: string }> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({ name: file.name, data: String(r.result).replace(/^data:[^,]*,/, '') });
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/** Line, column and reason of each refused line in a results or customer-number file. */
function FileErrors({ error }: { error: ApiError | undefined }) {
  const { t } = useTranslation();
  if (error?.code !== 'CAMPAIGN_IMPORT_INVALID') return null;
  const errs = (Array.isArray(error.details?.errors) ? error.details.errors : []) as {
    line: number | null;
    column: string | null;
    reason: string;
    value?: string;
  }[];
  return (
    <div role="alert" data-testid="campaign-file-errors">
      <p>{t('campaigns.importErrors')}</p>
      <ul className="plain-list">
        {errs.map((e, i) => {
          const reason = t(`campaigns.reason.${e.reason}`, { value: e.value ?? '', defaultValue: e.reason });
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: the refused lines of one file, in file order, never reordered
            <li key={i}>
              {e.line == null
                ? t('campaigns.errorFile', { reason })
                : t('campaigns.errorLine', { line: e.line, column: e.column ?? '—', reason })}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

const campaignId = (c: Campaign) => c.id;

function useColumns(): ColDef<Campaign>[] {
  // t changes with the language: the headers and values are rebuilt in the new one
  const { t } = useTranslation();
  return useMemo(
    () => [
      {
        colId: 'name',
        headerName: t('campaigns.name'),
        valueGetter: (p) => p.data?.name,
        cellRenderer: (p: { data?: Campaign; value?: string }) => (
          <>
            {p.value}
            {p.data?.status === 'closed' && <span className="badge"> {t('campaigns.closed')}</span>}
          </>
        ),
        flex: 1,
        minWidth: 160,
      },
      {
        colId: 'product',
        headerName: t('campaigns.product'),
        valueGetter: (p) => (p.data ? t(`opportunities.product.${p.data.product}`) : null),
      },
      dateColumn<Campaign>('dueOn', t('campaigns.dueOn'), (c) => c.dueOn),
      ...(['total', 'pending', 'contacted', 'won', 'declined'] as const).map((k) =>
        numberColumn<Campaign>(k, t(`campaigns.pcol.${k}`), (c) => c[k]),
      ),
    ],
    [t],
  );
}

/**
 * 营销名单: the president pushes a campaign (customer list, saved query, or head office's file of
 * customer numbers) and follows each manager's progress; a manager works their own part, exports it
 * for offline calls and brings the results back.
 */
export function CampaignsPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const president = user.permissions.includes('campaign.manage');
  const [includeClosed, setIncludeClosed] = useState(false);
  const list = useApi('campaigns.list', { includeClosed });
  const [chosen, setChosen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const campaign = list.data?.find((c) => c.id === chosen) ?? null;
  const columns = useColumns();
  return (
    <section className="page" data-testid="campaigns-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('campaigns.title')}</h1>
        <label className="inline-check">
          <input type="checkbox" checked={includeClosed} onChange={(e) => setIncludeClosed(e.target.checked)} />{' '}
          {t('campaigns.showClosed')}
        </label>
        {president && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="campaign-new"
            aria-expanded={creating}
            onClick={() => setCreating((v) => !v)}
          >
            {t('campaigns.new')}
          </button>
        )}
      </header>
      <SuccessNotice text={notice} />
      {creating && (
        <NewCampaign
          onCreated={(c) => {
            setCreating(false);
            setNotice(t('campaigns.created', { n: c.total }));
            list.reload();
            setChosen(c.id);
          }}
        />
      )}
      <section className="panel" aria-labelledby="campaign-list-title">
        <h2 id="campaign-list-title">{t('campaigns.list')}</h2>
        <ErrorNotice error={list.error} onRetry={list.reload} />
        <ListGrid<Campaign>
          rows={list.error && !list.data ? [] : list.data}
          columns={columns}
          rowId={campaignId}
          onOpen={(c) => setChosen(c.id)}
          selectedId={chosen}
          emptyText={t('campaigns.none')}
          label={t('campaigns.list')}
          testId="campaign-table"
          rowTestId="campaign-row"
          rowAttrs={(c) => ({ 'data-name': c.name })}
          // the chosen list's customers and progress open below: the list keeps to a few rows
          height={290}
          busy={list.loading}
        />
      </section>
      {campaign ? (
        <CampaignDetail key={campaign.id} campaign={campaign} president={president} onChanged={list.reload} />
      ) : (
        list.data &&
        list.data.length > 0 && (
          <section className="panel" data-testid="campaign-detail-prompt">
            <DetailPrompt text={t('campaigns.pickOne')} />
          </section>
        )
      )}
    </section>
  );
}

function NewCampaign({ onCreated }: { onCreated: (c: Campaign) => void }) {
  const { t } = useTranslation();
  const action = useAction();
  const lists = useApi('lists.list', {});
  const queries = useApi('queries.list', {});
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [product, setProduct] = useState<OpportunityProduct>('wealth');
  const [dueOn, setDueOn] = useState('');
  const [from, setFrom] = useState<'list' | 'query' | 'file'>('list');
  const [pick, setPick] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await action.run(async () => {
      const file = fileRef.current?.files?.[0];
      const source =
        from === 'list'
          ? { listId: Number(pick) }
          : from === 'query'
            ? { queryId: Number(pick) }
            : { file: await readUpload(file!) };
      return api('campaigns.create', {
        name: name.trim(),
        product,
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(dueOn ? { dueOn } : {}),
        source,
      });
    });
    if (c) onCreated(c);
  };
  const ready = name.trim() !== '' && (from === 'file' ? true : pick !== '');
  return (
    <section className="panel" data-testid="campaign-new-form" aria-labelledby="campaign-new-title">
      <h2 id="campaign-new-title">{t('campaigns.new')}</h2>
      <ErrorNotice error={action.error} />
      <FileErrors error={action.error} />
      <form className="form-grid" onSubmit={submit}>
        <div className="field">
          <label htmlFor="cp-name">{t('campaigns.name')}</label>
          <input
            id="cp-name"
            data-testid="campaign-name"
            maxLength={60}
            value={name}
            onChange={(e) => setName(e.target.value)}
            // biome-ignore lint/a11y/noAutofocus: the president just asked for the form; the list's name comes first
            autoFocus
          />
        </div>
        <div className="field">
          <label htmlFor="cp-product">{t('campaigns.product')}</label>
          <ProductSelect id="cp-product" value={product} onChange={setProduct} />
        </div>
        <div className="field">
          <label htmlFor="cp-due">{t('campaigns.dueOn')}</label>
          <DateField id="cp-due" value={dueOn} onChange={setDueOn} testId="cp-due" />
        </div>
        <div className="field">
          <label htmlFor="cp-desc">{t('campaigns.description')}</label>
          <input id="cp-desc" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset className="field">
          <legend>{t('campaigns.source')}</legend>
          {(['list', 'query', 'file'] as const).map((f) => (
            <label key={f}>
              <input
                type="radio"
                name="cp-from"
                value={f}
                data-testid={`campaign-from-${f}`}
                checked={from === f}
                onChange={() => {
                  setFrom(f);
                  setPick('');
                }}
              />{' '}
              {t(`campaigns.from.${f}`)}
            </label>
          ))}
        </fieldset>
        {from !== 'file' && (
          <div className="field">
            <label htmlFor="cp-pick">{t(`campaigns.from.${from}`)}</label>
            <select
              id="cp-pick"
              data-testid="campaign-pick-source"
              value={pick}
              onChange={(e) => setPick(e.target.value)}
            >
              <option value="">{t('campaigns.pick')}</option>
              {(from === 'list' ? lists.data : queries.data)?.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                  {'members' in x ? ` (${x.members})` : ''}
                </option>
              ))}
            </select>
          </div>
        )}
        {from === 'file' && (
          <div className="field">
            <label htmlFor="cp-file">{t('campaigns.file')}</label>
            <input id="cp-file" ref={fileRef} data-testid="campaign-file" type="file" accept=".xlsx,.csv" />
          </div>
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="campaign-create"
            disabled={!ready || action.busy}
          >
            {t('campaigns.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

function CampaignDetail({
  campaign,
  president,
  onChanged,
}: {
  campaign: Campaign;
  president: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<EntryStatus | ''>('');
  const [manager, setManager] = useState<number | undefined>(undefined);
  const entries = useApi('campaigns.entries', {
    campaignId: campaign.id,
    offset,
    limit: LIMIT,
    ...(status ? { status } : {}),
    ...(manager !== undefined ? { managerStaffId: manager } : {}),
  });
  const progress = useApi('campaigns.progress', { campaignId: campaign.id }, { enabled: president });
  const action = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const changed = () => {
    entries.reload();
    progress.reload();
    onChanged();
  };
  const doExport = async () => {
    setExporting(true);
    await action.run(async () => {
      let s = await api('campaigns.export', { campaignId: campaign.id, format: 'xlsx' });
      while (s.state === 'running') {
        await new Promise((r) => setTimeout(r, 300));
        s = await api('exports.status', { ticket: s.ticket });
      }
      if (s.state === 'done' && s.file) await downloadFile(s.file.id, s.file.name);
      else if (s.error) throw toApiError(s.error);
    });
    setExporting(false);
  };
  const doImport = async () => {
    const file = fileRef.current?.files?.[0];
    if (!file) return;
    const r = await action.run(async () =>
      api('campaigns.importResults', { campaignId: campaign.id, file: await readUpload(file) }),
    );
    if (fileRef.current) fileRef.current.value = '';
    if (r) {
      setNotice(t('campaigns.imported', { n: r.updated }));
      changed();
    }
  };
  const close = async () => {
    if (await action.run(() => api('campaigns.close', { id: campaign.id }))) changed();
  };
  const active = campaign.status === 'active';
  return (
    <section className="panel" data-testid="campaign-detail" aria-labelledby="campaign-detail-title">
      <h2 id="campaign-detail-title">
        {campaign.name}{' '}
        <span className="muted">
          {t('campaigns.counts', { total: campaign.total, contacted: campaign.contacted, won: campaign.won })}
        </span>
      </h2>
      {campaign.description && <p>{campaign.description}</p>}
      <ErrorNotice error={action.error} />
      <FileErrors error={action.error} />
      <SuccessNotice text={notice} />
      <div className="toolbar">
        <button
          type="button"
          className="btn"
          data-testid="campaign-export"
          disabled={exporting}
          onClick={() => void doExport()}
        >
          {exporting ? t('campaigns.exporting') : t('campaigns.export')}
        </button>
        {active && (
          <>
            <label htmlFor="cp-results">{t('campaigns.import')}</label>
            <input
              id="cp-results"
              ref={fileRef}
              data-testid="campaign-results-file"
              type="file"
              accept=".xlsx,.csv"
              onChange={() => void doImport()}
            />
          </>
        )}
        {president && active && (
          <button type="button" className="btn" data-testid="campaign-close" onClick={() => void close()}>
            {t('campaigns.closeCampaign')}
          </button>
        )}
      </div>
      {president && progress.data && (
        <>
          <h3>{t('campaigns.progress')}</h3>
          <NoLoginWarning rows={progress.data} />
          <table className="data-table" data-testid="campaign-progress">
            <thead>
              <tr>
                {(['manager', 'total', 'pending', 'contacted', 'won', 'declined', 'worked'] as const).map((k) => (
                  <th key={k} scope="col" className={k === 'manager' ? undefined : 'num'}>
                    {t(`campaigns.pcol.${k}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {progress.data.map((p) => (
                <tr
                  key={p.staffId ?? 0}
                  data-testid="campaign-progress-row"
                  data-manager={p.name ?? ''}
                  data-contacted={p.contacted}
                  data-won={p.won}
                >
                  <th scope="row">
                    <button type="button" className="btn btn-small" onClick={() => setManager(p.staffId ?? 0)}>
                      {p.name ?? t('campaigns.queue')}
                    </button>
                    {!p.hasLogin && (
                      <span className="status-pill pill-warn" data-testid="campaign-no-login">
                        {t('campaigns.noLogin.pill')}
                      </span>
                    )}
                  </th>
                  <td className="num tabular">{p.total}</td>
                  <td className="num tabular">{p.pending}</td>
                  <td className="num tabular">{p.contacted}</td>
                  <td className="num tabular">{p.won}</td>
                  <td className="num tabular">{p.declined}</td>
                  <td className="num tabular">{percent(p.workedRate === null ? null : p.workedRate * 100)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>{president ? t('campaigns.entries') : t('campaigns.mine')}</h3>
      <fieldset className="chips" aria-label={t('campaigns.col.status')}>
        {(['', ...ENTRY_STATUSES] as const).map((s) => (
          <button
            key={s || 'all'}
            type="button"
            className={s === status ? 'btn btn-small btn-active' : 'btn btn-small'}
            aria-pressed={s === status}
            onClick={() => {
              setStatus(s);
              setOffset(0);
            }}
          >
            {s ? t(`campaigns.status.${s}`) : t('opportunities.filter.all')}
          </button>
        ))}
        {manager !== undefined && (
          <button type="button" className="btn btn-small btn-active" onClick={() => setManager(undefined)}>
            {t('opportunities.filter.clear')}
          </button>
        )}
      </fieldset>
      <ErrorNotice error={entries.error} onRetry={entries.reload} />
      {entries.data && entries.data.rows.length === 0 && <Empty text={t('campaigns.none')} />}
      {entries.data && entries.data.rows.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="data-table" data-testid="campaign-entries">
              <thead>
                <tr>
                  <th scope="col">{t('campaigns.col.customerNo')}</th>
                  <th scope="col">{t('campaigns.col.name')}</th>
                  <th scope="col">{t('campaigns.col.mobile')}</th>
                  <th scope="col" className="num">
                    {t('campaigns.col.aum')}
                  </th>
                  {president && <th scope="col">{t('campaigns.col.manager')}</th>}
                  <th scope="col">{t('campaigns.col.status')}</th>
                  <th scope="col">{t('campaigns.col.note')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.data.rows.map((e) => (
                  <EntryRow key={e.id} entry={e} president={president} active={active} onSaved={changed} />
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            offset={offset}
            limit={LIMIT}
            rows={entries.data.rows.length}
            total={entries.data.total}
            onOffset={setOffset}
            busy={entries.loading}
          />
        </>
      )}
    </section>
  );
}

function EntryRow({
  entry,
  president,
  active,
  onSaved,
}: {
  entry: CampaignEntry;
  president: boolean;
  active: boolean;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<EntryStatus>(entry.status);
  const [note, setNote] = useState(entry.note ?? '');
  const action = useAction();
  useEffect(() => {
    setStatus(entry.status);
    setNote(entry.note ?? '');
  }, [entry.status, entry.note]);
  const dirty = status !== entry.status || note !== (entry.note ?? '');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (
      await action.run(() =>
        api('campaigns.setStatus', { entryId: entry.id, status, ...(note.trim() ? { note: note.trim() } : {}) }),
      )
    )
      onSaved();
  };
  const id = `entry-${entry.id}`;
  return (
    <tr data-testid="campaign-entry" data-customer-no={entry.customerNo} data-status={entry.status}>
      <td className="mono">
        <button type="button" className="btn btn-small" onClick={() => openCustomer(entry.customerId)}>
          {entry.customerNo}
        </button>
      </td>
      <td>{entry.customerName}</td>
      <td className="mono">{entry.mobile ?? '—'}</td>
      <td className="num tabular">{yuan(entry.aum)}</td>
      {president && <td>{entry.managerName ?? t('campaigns.queue')}</td>}
      <td colSpan={2}>
        <form className="chips" onSubmit={save}>
          <select
            aria-label={`${entry.customerName} ${t('campaigns.col.status')}`}
            id={`${id}-status`}
            data-testid="entry-status"
            value={status}
            disabled={!active}
            onChange={(e) => setStatus(e.target.value as EntryStatus)}
          >
            {ENTRY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`campaigns.status.${s}`)}
              </option>
            ))}
          </select>
          <input
            aria-label={`${entry.customerName} ${t('campaigns.col.note')}`}
            data-testid="entry-note"
            maxLength={200}
            value={note}
            disabled={!active}
            onChange={(e) => setNote(e.target.value)}
          />
          <button
            type="submit"
            className="btn btn-small"
            data-testid="entry-save"
            disabled={!dirty || !active || action.busy}
          >
            {t('campaigns.setStatus')}
          </button>
          <ErrorNotice error={action.error} />
        </form>
      </td>
    </tr>
  );
}

/**
 * Entries given to staff without a sign-in are seen by no one: say so, name them and what to do (the
 * president reassigns the customers' manager, or the administrator opens an account).
 */
function NoLoginWarning({ rows }: { rows: ManagerProgress[] }) {
  const { t } = useTranslation();
  const orphans = rows.filter((r) => !r.hasLogin);
  if (orphans.length === 0) return null;
  const entries = orphans.reduce((n, r) => n + r.total, 0);
  return (
    <div className="notice notice-warn" role="status" data-testid="campaign-no-login-warning">
      {t('campaigns.noLogin.warning', {
        entries,
        names: orphans.map((r) => r.name ?? '—').join(t('common.listSeparator')),
      })}
    </div>
  );
}
