import type { ColDef } from 'ag-grid-community';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  OPPORTUNITY_STAGES,
  type CustomerSummary,
  type Opportunity,
  type OpportunityFilter,
  type OpportunityProduct,
  type OpportunityStage,
} from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { textColumnWidth } from '../../components/column-widths';
import { DetailPrompt, dateColumn, ListGrid, moneyColumn } from '../../components/ListGrid';
import { ErrorNotice, Loading, Pager, SuccessNotice } from '../../components/ui';
import { yuan } from '../../format';
import { openCustomer } from '../../router';
import { useHistoryState } from '../../history-state';
import { useSession } from '../../session';
import { FunnelView } from './FunnelView';
import { detailText, nextStages } from './text';
import { UndoWinDialog, WinDialog } from './WinDialogs';
import { DateField } from '../../components/DateField';
import { MoneyInput } from '../../components/MoneyInput';
import { moneyInputForApi } from '../../../../shared/money-input';
import { ProductSelect } from './ProductSelect';

// A page is what the grid sorts; 200 keeps most books on one page (the API allows 500).
const LIMIT = 200;
type Tab = 'list' | 'funnel';
const oppId = (o: Opportunity) => o.id;

/** What an opportunity is about: its rule, its title, or where it came from. */
function oppSubject(t: (k: string) => string, o: Opportunity): string {
  return o.ruleCode ? t(`opportunities.rule.${o.ruleCode}`) : (o.title ?? t(`opportunities.source.${o.source}`));
}

function useColumns(): ColDef<Opportunity>[] {
  // t changes with the language: the headers and values are rebuilt in the new one
  const { t } = useTranslation();
  return useMemo(
    () => [
      {
        colId: 'customer',
        headerName: t('opportunities.col.customer'),
        valueGetter: (p) => p.data?.customerName,
        tooltipValueGetter: (p) => (p.data ? `${p.data.customerName} ${p.data.customerNo}` : null),
      },
      {
        colId: 'title',
        headerName: t('opportunities.col.title'),
        valueGetter: (p) => (p.data ? oppSubject(t, p.data) : null),
        flex: 1,
        // "定期存款即将到期", "Term deposit maturing" whole at 1366: a long company name gives way first
        minWidth: Math.max(150, textColumnWidth([t('opportunities.rule.term_maturing')])),
      },
      {
        colId: 'product',
        headerName: t('opportunities.col.product'),
        valueGetter: (p) => (p.data ? t(`opportunities.product.${p.data.product}`) : null),
      },
      // the short header in English ("Amount"): the list is short of width at 1366 and every amount is in yuan
      moneyColumn<Opportunity>('amount', t('opportunities.col.amountShort'), (o) => o.amount, {
        headerTooltip: t('opportunities.col.amount'),
      }),
      {
        colId: 'stage',
        headerName: t('opportunities.col.stage'),
        valueGetter: (p) => (p.data ? t(`opportunities.stage.${p.data.stage}`) : null),
      },
      dateColumn<Opportunity>('dueOn', t('opportunities.col.dueOn'), (o) => o.dueOn),
      {
        colId: 'owner',
        headerName: t('opportunities.col.owner'),
        valueGetter: (p) => (p.data ? (p.data.ownerName ?? t('opportunities.queue')) : null),
        // "Branch queue" whole
        minWidth: Math.max(72, textColumnWidth([t('opportunities.queue')])),
      },
    ],
    [t],
  );
}

/**
 * 商机管理: the caller's opportunities (a manager's own, the president's branch, filtered in the main
 * process), one at a time in a side panel to move through the stages; and the funnel, whose figures
 * open the list filtered to exactly the opportunities behind them.
 */
export function OpportunitiesPage() {
  const { t } = useTranslation();
  // tab, filter, page and the chosen opportunity live in the history entry: Back from a customer's 360
  // returns to the list as it was left
  const [tab, setTab] = useHistoryState<Tab>('opp.tab', () =>
    window.location.hash.includes('/funnel') ? 'funnel' : 'list',
  );
  // "#/opportunities?stage=proposal" (from the desktop's 商机漏斗 widget) opens the list on that stage.
  const [filter, setFilter] = useHistoryState<OpportunityFilter>('opp.filter', () => {
    const asked = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('stage');
    return (OPPORTUNITY_STAGES as readonly string[]).includes(asked ?? '')
      ? { stage: asked as OpportunityStage }
      : { open: true };
  });
  const [offset, setOffset] = useHistoryState('opp.offset', 0);
  const [chosen, setChosen] = useHistoryState<number | null>('opp.chosen', null);
  const [creating, setCreating] = useState(false);
  const list = useApi('opportunities.list', { filter, offset, limit: LIMIT }, { enabled: tab === 'list' });
  const columns = useColumns();
  const drill = (f: OpportunityFilter) => {
    setFilter(f);
    setOffset(0);
    setChosen(null);
    setTab('list');
  };
  const quick: { key: string; f: OpportunityFilter }[] = [
    { key: 'open', f: { open: true } },
    { key: 'all', f: {} },
    ...OPPORTUNITY_STAGES.map((s) => ({ key: s, f: { stage: s } as OpportunityFilter })),
  ];
  const current = quick.find((q) => JSON.stringify(q.f) === JSON.stringify(filter))?.key ?? null;

  return (
    <section className="page" data-testid="opportunities-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('opportunities.title')}</h1>
        <div className="chips" role="tablist" aria-label={t('opportunities.title')}>
          {(['list', 'funnel'] as const).map((x) => (
            <button
              key={x}
              type="button"
              role="tab"
              aria-selected={tab === x}
              className={tab === x ? 'btn btn-small btn-active' : 'btn btn-small'}
              data-testid={`opp-tab-${x}`}
              onClick={() => setTab(x)}
            >
              {t(`opportunities.tabs.${x}`)}
            </button>
          ))}
        </div>
      </header>
      {tab === 'funnel' && <FunnelView onDrill={drill} />}
      {tab === 'list' && (
        <>
          <fieldset className="chips" aria-label={t('opportunities.filter.stage')}>
            {quick.map((q) => (
              <button
                key={q.key}
                type="button"
                className={q.key === current ? 'btn btn-small btn-active' : 'btn btn-small'}
                aria-pressed={q.key === current}
                data-testid={`opp-filter-${q.key}`}
                onClick={() => drill(q.f)}
              >
                {q.key === 'open' || q.key === 'all'
                  ? t(`opportunities.filter.${q.key}`)
                  : t(`opportunities.stage.${q.key}`)}
              </button>
            ))}
            {current === null && (
              <span className="badge" data-testid="opp-drill-filter">
                {describeFilter(t, filter)}{' '}
                <button type="button" className="btn btn-small" onClick={() => drill({ open: true })}>
                  {t('opportunities.filter.clear')}
                </button>
              </span>
            )}
            <button
              type="button"
              className="btn btn-small btn-primary"
              data-testid="opp-new"
              onClick={() => setCreating((v) => !v)}
              aria-expanded={creating}
            >
              {t('opportunities.new')}
            </button>
          </fieldset>
          {creating && (
            <NewOpportunity
              onCreated={(o) => {
                setCreating(false);
                list.reload();
                setChosen(o.id);
              }}
            />
          )}
          <div className="list-detail">
            <section className="panel list-panel" aria-labelledby="opp-list-title">
              <div className="list-panel-head">
                <h2 id="opp-list-title" className="visually-hidden">
                  {t('opportunities.tabs.list')}
                </h2>
                {list.data && (
                  <span className="muted" data-testid="opp-total" data-total={list.data.total}>
                    {t('opportunities.total', { n: list.data.total })}
                  </span>
                )}
              </div>
              <ErrorNotice error={list.error} onRetry={list.reload} />
              <ListGrid<Opportunity>
                rows={list.error && !list.data ? [] : list.data?.rows}
                columns={columns}
                rowId={oppId}
                onOpen={(o) => setChosen(o.id)}
                selectedId={chosen}
                emptyText={t('opportunities.none')}
                label={t('opportunities.tabs.list')}
                testId="opp-table"
                rowTestId="opp-row"
                rowAttrs={(o) => ({ 'data-stage': o.stage, 'data-customer-no': o.customerNo })}
                busy={list.loading}
              />
              {list.data && list.data.total > list.data.rows.length && (
                <Pager
                  offset={offset}
                  limit={LIMIT}
                  rows={list.data.rows.length}
                  total={list.data.total}
                  onOffset={setOffset}
                  busy={list.loading}
                />
              )}
            </section>
            <DetailPanel id={chosen} onChanged={list.reload} />
          </div>
        </>
      )}
    </section>
  );
}

function describeFilter(t: (k: string, o?: Record<string, unknown>) => string, f: OpportunityFilter): string {
  const parts: string[] = [];
  if (f.reached) parts.push(t('opportunities.filter.reached', { stage: t(`opportunities.stage.${f.reached}`) }));
  if (f.stage) parts.push(t(`opportunities.stage.${f.stage}`));
  if (f.source) parts.push(t(`opportunities.source.${f.source}`));
  if (f.ruleCode) parts.push(t(`opportunities.rule.${f.ruleCode}`));
  if (f.from || f.to) parts.push(`${f.from ?? ''} ~ ${f.to ?? ''}`);
  return parts.join(' · ');
}

function NewOpportunity({ onCreated }: { onCreated: (o: Opportunity) => void }) {
  const { t } = useTranslation();
  const action = useAction();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<CustomerSummary[] | null>(null);
  const [customerId, setCustomerId] = useState<number | null>(null);
  const [product, setProduct] = useState<OpportunityProduct>('wealth');
  const [amount, setAmount] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [title, setTitle] = useState('');
  const find = async (e: FormEvent) => {
    e.preventDefault();
    const rows = await action.run(() => api('customers.search', { query: query.trim(), limit: 10 }));
    if (rows) {
      setFound(rows);
      setCustomerId(rows[0]?.id ?? null);
    }
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (customerId === null) return;
    const o = await action.run(() =>
      api('opportunities.create', {
        customerId,
        product,
        ...(amount.trim() ? { amount: moneyInputForApi(amount) } : {}),
        ...(dueOn ? { dueOn } : {}),
        ...(title.trim() ? { title: title.trim() } : {}),
      }),
    );
    if (o) onCreated(o);
  };
  return (
    <section className="panel" data-testid="opp-new-form" aria-labelledby="opp-new-title">
      <h2 id="opp-new-title">{t('opportunities.new')}</h2>
      <ErrorNotice error={action.error} />
      <search>
        <form className="form-grid" onSubmit={find}>
          <div className="field">
            <label htmlFor="opp-customer-q">{t('opportunities.customerNo')}</label>
            <input
              id="opp-customer-q"
              data-testid="opp-customer-q"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              // biome-ignore lint/a11y/noAutofocus: the user just asked for the form; typing the customer number comes next
              autoFocus
            />
          </div>
          <div className="form-actions">
            <button type="submit" className="btn" disabled={!query.trim() || action.busy}>
              {t('opportunities.find')}
            </button>
          </div>
        </form>
      </search>
      {found && found.length === 0 && <p className="muted">{t('opportunities.notFound')}</p>}
      {found && found.length > 0 && (
        <form className="form-grid" onSubmit={create}>
          <div className="field">
            <label htmlFor="opp-customer">{t('opportunities.col.customer')}</label>
            <select
              id="opp-customer"
              data-testid="opp-customer"
              value={customerId ?? ''}
              onChange={(e) => setCustomerId(Number(e.target.value))}
            >
              {found.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} {c.customerNo}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="opp-product">{t('opportunities.col.product')}</label>
            <ProductSelect id="opp-product" data-testid="opp-product" value={product} onChange={setProduct} />
          </div>
          <div className="field">
            <label htmlFor="opp-amount">{t('opportunities.amount')}</label>
            <MoneyInput id="opp-amount" testId="opp-amount" bare value={amount} onChange={setAmount} />
          </div>
          <div className="field">
            <label htmlFor="opp-due">{t('opportunities.dueOn')}</label>
            <DateField id="opp-due" value={dueOn} onChange={setDueOn} testId="opp-due" />
          </div>
          <div className="field">
            <label htmlFor="opp-title">{t('opportunities.col.title')}</label>
            <input
              id="opp-title"
              data-testid="opp-title"
              maxLength={200}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
          </div>
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="opp-create"
              disabled={action.busy || customerId === null}
            >
              {t('opportunities.create')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function DetailPanel({ id, onChanged }: { id: number | null; onChanged: () => void }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const detail = useApi('opportunities.get', { id: id ?? 1 }, { enabled: id !== null });
  const owners = useApi('opportunities.owners', {}, { enabled: user.role === 'president' });
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [lostReason, setLostReason] = useState('');
  const [dialog, setDialog] = useState<'win' | 'undo' | null>(null);
  const { clearError } = action;
  // biome-ignore lint/correctness/useExhaustiveDependencies: another opportunity chosen: clear what was typed for the last one
  useEffect(() => {
    setDone(null);
    setNote('');
    setLostReason('');
    setDialog(null);
    clearError();
  }, [id, clearError]);
  if (id === null) {
    return (
      <section className="panel detail-pane" data-testid="opp-detail">
        <DetailPrompt text={t('opportunities.pickOne')} />
      </section>
    );
  }
  const d = detail.data;
  const o = d?.opportunity;
  const changed = (text: string) => {
    setDialog(null);
    setDone(text);
    setNote('');
    detail.reload();
    onChanged();
  };
  const move = async (to: OpportunityStage) => {
    // a win counts in the figures: it is confirmed with its product and amount first
    if (to === 'won') {
      setDialog('win');
      return;
    }
    const r = await action.run(() =>
      api('opportunities.move', {
        id,
        to,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(to === 'lost' ? { lostReason: lostReason.trim() } : {}),
      }),
    );
    if (r) changed(t('opportunities.moved', { stage: t(`opportunities.stage.${to}`) }));
  };
  // the stage the last win was made from: where 撤销成交 puts it back
  const wonFrom = d ? ([...d.history].reverse().find((h) => h.toStage === 'won')?.fromStage ?? null) : null;
  const assign = async (staffId: number) => {
    const r = await action.run(() => api('opportunities.assign', { id, ownerStaffId: staffId }));
    if (r) {
      setDone(t('opportunities.assigned'));
      detail.reload();
      onChanged();
    }
  };
  return (
    <section className="panel detail-pane" data-testid="opp-detail" aria-labelledby="opp-detail-title">
      <h2 id="opp-detail-title">{t('opportunities.detail')}</h2>
      {detail.loading && !d && <Loading />}
      <ErrorNotice error={detail.error ?? action.error} onRetry={detail.reload} />
      <SuccessNotice text={done} />
      {o && d && (
        <>
          <dl className="facts">
            <dt>{t('opportunities.col.customer')}</dt>
            <dd>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => openCustomer(o.customerId)}
                title={t('opportunities.openCustomer')}
              >
                {o.customerName} <span className="mono">{o.customerNo}</span>
              </button>
            </dd>
            <dt>{t('opportunities.col.source')}</dt>
            <dd>{o.ruleCode ? t(`opportunities.rule.${o.ruleCode}`) : t(`opportunities.source.${o.source}`)}</dd>
            {o.detail && o.ruleCode && (
              <>
                <dt>{t('opportunities.col.title')}</dt>
                <dd data-testid="opp-detail-text">{detailText(t, o)}</dd>
              </>
            )}
            {o.title && (
              <>
                <dt>{t('opportunities.col.title')}</dt>
                <dd>{o.title}</dd>
              </>
            )}
            <dt>{t('opportunities.col.product')}</dt>
            <dd>{t(`opportunities.product.${o.product}`)}</dd>
            <dt>{t('opportunities.col.amount')}</dt>
            <dd className="tabular">{o.amount ? yuan(o.amount) : '—'}</dd>
            <dt>{t('opportunities.col.stage')}</dt>
            <dd data-testid="opp-stage" data-stage={o.stage}>
              {t(`opportunities.stage.${o.stage}`)}
              {o.lostReason ? ` · ${o.lostReason}` : ''}
            </dd>
            <dt>{t('opportunities.col.dueOn')}</dt>
            <dd className="tabular">{o.dueOn ?? '—'}</dd>
            <dt>{t('opportunities.col.owner')}</dt>
            <dd>{o.ownerName ?? t('opportunities.queue')}</dd>
          </dl>
          {user.role === 'president' && owners.data && o.stage !== 'won' && o.stage !== 'lost' && (
            <div className="field">
              <label htmlFor="opp-assign">{t('opportunities.assign')}</label>
              <select
                id="opp-assign"
                data-testid="opp-assign"
                value={o.ownerStaffId ?? ''}
                onChange={(e) => e.target.value && void assign(Number(e.target.value))}
              >
                <option value="">{t('opportunities.queue')}</option>
                {owners.data.map((m) => (
                  <option key={m.staffId} value={m.staffId}>
                    {m.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          {nextStages(o.stage).length > 0 && (
            <form className="form-grid" onSubmit={(e) => e.preventDefault()}>
              <div className="field">
                <label htmlFor="opp-note">{t('opportunities.note')}</label>
                <input
                  id="opp-note"
                  data-testid="opp-note"
                  maxLength={200}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="opp-lost-reason">{t('opportunities.lostReason')}</label>
                <input
                  id="opp-lost-reason"
                  data-testid="opp-lost-reason"
                  maxLength={200}
                  value={lostReason}
                  onChange={(e) => setLostReason(e.target.value)}
                />
              </div>
              <div className="form-actions chips">
                {nextStages(o.stage).map((s) => (
                  <button
                    key={s}
                    type="button"
                    className={s === 'won' ? 'btn btn-small btn-primary' : 'btn btn-small'}
                    data-testid={`opp-move-${s}`}
                    disabled={action.busy || (s === 'lost' && !lostReason.trim())}
                    onClick={() => void move(s)}
                  >
                    {t('opportunities.moveTo', { stage: t(`opportunities.stage.${s}`) })}
                  </button>
                ))}
              </div>
            </form>
          )}
          {o.stage === 'won' && d.undo.allowed && (
            <div className="form-actions">
              <button
                type="button"
                className="btn btn-small"
                data-testid="opp-undo-won"
                onClick={() => setDialog('undo')}
              >
                {t('opportunities.undo.button')}
              </button>
            </div>
          )}
          {dialog === 'win' && (
            <WinDialog
              opportunity={o}
              note={note}
              onClose={() => setDialog(null)}
              onWon={() => changed(t('opportunities.moved', { stage: t('opportunities.stage.won') }))}
            />
          )}
          {dialog === 'undo' && d.undo.allowed && (
            <UndoWinDialog
              opportunity={o}
              backTo={wonFrom}
              undo={d.undo}
              onClose={() => setDialog(null)}
              onUndone={(r) => changed(t('opportunities.undo.done', { stage: t(`opportunities.stage.${r.stage}`) }))}
            />
          )}
          <h3>{t('opportunities.history')}</h3>
          <ol className="plain-list" data-testid="opp-history">
            {d.history.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an append-only log in date order, never reordered; entries have no id
              <li key={i}>
                {t('opportunities.historyLine', {
                  date: h.onDate,
                  user: h.userName ?? t('opportunities.system'),
                  from: h.fromStage ? t(`opportunities.stage.${h.fromStage}`) : '—',
                  to: t(`opportunities.stage.${h.toStage}`),
                })}
                {h.fromStage === 'won' ? ` · ${t('opportunities.undo.historyNote')}` : ''}
                {h.note ? ` · ${h.note}` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
