import type { ColDef } from 'ag-grid-community';
import { findWorkday } from 'chinese-days';
import { createContext, useContext, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  REMINDER_KINDS,
  REMINDER_SORTS,
  REMINDER_VIEWS,
  THRESHOLD_KINDS,
  type Reminder,
  type ReminderAudience,
  type ReminderKind,
  type ReminderPref,
  type ReminderSort,
  type ReminderView,
} from '../../../../shared/api';
import { addDays } from '../../../../shared/dates';
import { TIER_ORDER } from '../../../../shared/tiers';
import { fenToYuan } from '../../../../shared/money';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { DateField } from '../../components/DateField';
import { useHistoryState } from '../../history-state';
import { textColumnWidth } from '../../components/column-widths';
import { DetailPrompt, dateColumn, ListGrid, moneyColumn } from '../../components/ListGrid';
import { ErrorNotice, Loading, Modal, Pager, SuccessNotice } from '../../components/ui';
import { dateTime } from '../../format';
import { openCustomer } from '../../router';
import { drillTo } from '../desktop/drill';
import { reminderText } from './text';
import { formatMoneyInput, parseMoneyInput } from '../../../../shared/money-input';
import { MoneyInput } from '../../components/MoneyInput';

// A page is what the grid sorts; 200 keeps most inboxes on one page (the API allows 500).
const PAGE_SIZE = 200;
const reminderId = (r: Reminder) => r.id;

/** The ticked reminders of the page (bulk done / snooze / dismiss), read by each row's checkbox. */
interface Ticks {
  ids: ReadonlySet<number>;
  toggle: (id: number) => void;
}
const TicksContext = createContext<Ticks>({ ids: new Set(), toggle: () => {} });

function TickCell({ data }: { data?: Reminder }) {
  const { t } = useTranslation();
  const ticks = useContext(TicksContext);
  if (!data) return null;
  return (
    <input
      type="checkbox"
      className="row-tick"
      data-testid="reminder-tick"
      aria-label={t('reminders.selectRow')}
      checked={ticks.ids.has(data.id)}
      onChange={() => ticks.toggle(data.id)}
    />
  );
}

const tierRank = (tier: string | null | undefined) => {
  const i = TIER_ORDER.indexOf((tier ?? '') as (typeof TIER_ORDER)[number]);
  return i < 0 ? TIER_ORDER.length : i;
};

function useColumns(snoozedView: boolean): ColDef<Reminder>[] {
  // t changes with the language: the headers and values are rebuilt in the new one
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return useMemo(() => {
    const cols: ColDef<Reminder>[] = [
      {
        colId: 'tick',
        headerName: '',
        cellRenderer: TickCell,
        width: 36,
        minWidth: 36,
        maxWidth: 36,
        sortable: false,
        resizable: false,
        suppressSizeToFit: true,
        tooltipValueGetter: () => null,
        // the box centred in the row, not on a text line that would overflow the cell's height
        cellStyle: { display: 'flex', alignItems: 'center' },
      },
      dateColumn<Reminder>('dueOn', t('reminders.due'), (r) => r.dueOn),
      dateColumn<Reminder>('actBy', t('reminders.actByCol'), (r) => r.actBy, {
        headerTooltip: t('reminders.actByHint'),
      }),
      {
        colId: 'kind',
        headerName: t('reminders.kind'),
        valueGetter: (p) => (p.data ? t(`reminders.kinds.${p.data.kind}`) : null),
        // every kind whole in either language ("理财产品到期", "Deposit maturing"): the subject gives way first
        minWidth: Math.max(96, textColumnWidth(REMINDER_KINDS.map((k) => t(`reminders.kinds.${k}`)))),
      },
      {
        colId: 'customer',
        headerName: t('reminders.customer'),
        valueGetter: (p) => p.data?.customer?.name ?? '—',
        // the header whole in English ("Customer"); long company names give way (tooltip)
        minWidth: 90,
        tooltipValueGetter: (p) => (p.data?.customer ? `${p.data.customer.name} ${p.data.customer.customerNo}` : null),
      },
      {
        colId: 'tier',
        headerName: t('reminders.tier'),
        valueGetter: (p) =>
          p.data?.customer ? (p.data.customer.tier ? t(`tiers.${p.data.customer.tier}`) : t('customers.noTier')) : '—',
        // the tier order (gold first), not the alphabet of the label
        comparator: (_a, _b, x, y) => tierRank(x.data?.customer?.tier) - tierRank(y.data?.customer?.tier),
        minWidth: 76,
      },
      // to the fen and never cut: 2,307,818.00
      moneyColumn<Reminder>(
        'amount',
        t('reminders.amount'),
        (r) => (r.amountFen == null ? null : fenToYuan(r.amountFen)),
        { minWidth: 104, headerTooltip: t('reminders.amountHint') },
      ),
      {
        colId: 'subject',
        headerName: t('reminders.subject'),
        valueGetter: (p) => (p.data ? reminderText(t, p.data, lang) : null),
        flex: 1,
        // the reminder itself (its amount and date have their own columns): the rest give way before it drops below this
        minWidth: 112,
      },
    ];
    if (snoozedView) {
      cols.push({
        colId: 'snoozedUntil',
        headerName: t('reminders.views.snoozed'),
        valueGetter: (p) =>
          p.data?.snoozedUntil ? t('reminders.snoozedUntil', { time: dateTime(p.data.snoozedUntil) }) : '—',
      });
    }
    return cols;
  }, [t, lang, snoozedView]);
}

/** A checkbox and its label on one line. */
const CHECK = { display: 'inline-flex', alignItems: 'center', gap: 6, marginRight: 20 } as const;

/** A button that reads as a link (opens the customer 360). */
export const LINK = {
  background: 'none',
  border: 0,
  padding: 0,
  color: 'var(--brand)',
  cursor: 'pointer',
  textDecoration: 'underline',
  font: 'inherit',
} as const;

/** Tell the header badge to count again (after done / snooze / dismiss). */
export function announceRemindersChanged(): void {
  window.dispatchEvent(new Event('crm:reminders-changed'));
}

/** 消息提醒: the inbox (filters, done, snooze, dismiss, open the customer) and the user's reminder settings. */
export function RemindersPage() {
  const { t } = useTranslation();
  const id = useId();
  // the list's filters, page and chosen reminder live in the history entry: Back from a 360 returns to them
  const [view, setView] = useHistoryState<ReminderView>('reminders.view', 'open');
  const [kind, setKind] = useHistoryState<ReminderKind | ''>('reminders.kind', '');
  const [dueFrom, setDueFrom] = useHistoryState('reminders.dueFrom', '');
  const [dueTo, setDueTo] = useHistoryState('reminders.dueTo', '');
  const [sort, setSort] = useHistoryState<ReminderSort>('reminders.sort', 'due');
  const [offset, setOffset] = useHistoryState('reminders.offset', 0);
  const [snoozing, setSnoozing] = useState<number[] | null>(null);
  const [ticked, setTicked] = useState<ReadonlySet<number>>(new Set());
  const [chosenId, setChosenId] = useHistoryState<number | null>('reminders.chosen', null);
  const [settings, setSettings] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const { data, error, loading, reload } = useApi('reminders.list', {
    view,
    sort,
    offset,
    limit: PAGE_SIZE,
    ...(kind ? { kinds: [kind] } : {}),
    ...(dueFrom ? { dueFrom } : {}),
    ...(dueTo ? { dueTo } : {}),
  });
  const columns = useColumns(view === 'snoozed');
  // the detail follows the list: a reminder done, snoozed or dismissed out of this view leaves it
  const chosen = data?.rows.find((r) => r.id === chosenId) ?? null;

  // ticks follow the rows on the page: a reminder that left the view is no longer ticked
  const pageIds = useMemo(() => new Set(data?.rows.map((r) => r.id) ?? []), [data]);
  const tickedOnPage = [...ticked].filter((x) => pageIds.has(x));
  const ticks = useMemo<Ticks>(
    () => ({
      ids: ticked,
      toggle: (rid) =>
        setTicked((prev) => {
          const next = new Set(prev);
          if (!next.delete(rid)) next.add(rid);
          return next;
        }),
    }),
    [ticked],
  );
  const resetPage = () => {
    setOffset(0);
    setTicked(new Set());
  };

  async function act(method: 'reminders.done' | 'reminders.dismiss' | 'reminders.reopen', rid: number) {
    const r = await action.run(() => api(method, { ids: [rid] }));
    if (r) {
      announceRemindersChanged();
      reload();
    }
  }

  async function bulk(method: 'reminders.done' | 'reminders.dismiss' | 'reminders.reopen') {
    const ids = tickedOnPage;
    if (ids.length === 0) return;
    const r = await action.run(() => api(method, { ids }));
    if (r) {
      setNotice(
        t(method === 'reminders.dismiss' ? 'reminders.bulkDismissNotice' : 'reminders.bulkDoneNotice', {
          count: r.updated,
        }),
      );
      setTicked(new Set());
      announceRemindersChanged();
      reload();
    }
  }

  async function generate() {
    const r = await action.run(() => api('reminders.generate', {}));
    if (r) {
      setNotice(t('reminders.generated', { count: r.created }));
      announceRemindersChanged();
      reload();
    }
  }

  return (
    <section className="page" data-testid="reminders-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('reminders.title')}</h1>
        {/* beside the title: the filters below keep one line at 1366 px */}
        <div className="actions">
          <button
            type="button"
            className="btn"
            data-testid="reminders-generate"
            disabled={action.busy}
            onClick={() => void generate()}
          >
            {t('reminders.generate')}
          </button>
          <button type="button" className="btn" data-testid="reminders-settings" onClick={() => setSettings(true)}>
            {t('reminders.settings')}
          </button>
        </div>
        <search className="toolbar" style={{ flexBasis: '100%' }}>
          <label htmlFor={`${id}-view`}>{t('reminders.view')}</label>
          <select
            id={`${id}-view`}
            data-testid="reminders-view"
            value={view}
            onChange={(e) => {
              setView(e.target.value as ReminderView);
              resetPage();
            }}
          >
            {REMINDER_VIEWS.map((v) => (
              <option key={v} value={v}>
                {t(`reminders.views.${v}`)}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-kind`}>{t('reminders.kind')}</label>
          <select
            id={`${id}-kind`}
            data-testid="reminders-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as ReminderKind | '');
              resetPage();
            }}
          >
            <option value="">{t('reminders.allKinds')}</option>
            {REMINDER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`reminders.kinds.${k}`)}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-from`}>{t('reminders.dueFrom')}</label>
          <DateField
            id={`${id}-from`}
            value={dueFrom}
            max={dueTo || undefined}
            testId="reminders-due-from"
            onChange={(v) => {
              setDueFrom(v);
              resetPage();
            }}
          />
          <label htmlFor={`${id}-to`}>{t('reminders.dueTo')}</label>
          <DateField
            id={`${id}-to`}
            value={dueTo}
            min={dueFrom || undefined}
            testId="reminders-due-to"
            onChange={(v) => {
              setDueTo(v);
              resetPage();
            }}
          />
          <label htmlFor={`${id}-sort`}>{t('reminders.sort')}</label>
          <select
            id={`${id}-sort`}
            data-testid="reminders-sort"
            value={sort}
            onChange={(e) => {
              setSort(e.target.value as ReminderSort);
              resetPage();
            }}
          >
            {REMINDER_SORTS.map((v) => (
              <option key={v} value={v}>
                {t(`reminders.sorts.${v}`)}
              </option>
            ))}
          </select>
        </search>
      </header>
      <SuccessNotice text={notice} />
      <ErrorNotice error={error ?? action.error} onRetry={reload} />
      <div className="list-detail">
        <section className="panel list-panel" aria-labelledby={`${id}-list`}>
          <div className="list-panel-head">
            <h2 id={`${id}-list`} className="visually-hidden">
              {t(`reminders.views.${view}`)}
            </h2>
            {data && (
              <span className="muted" data-testid="reminders-total">
                {t('reminders.total', { count: data.total })}
              </span>
            )}
            {data && data.rows.length > 0 && (
              <label className="bulk-tick">
                <input
                  type="checkbox"
                  data-testid="reminders-tick-page"
                  checked={tickedOnPage.length === data.rows.length}
                  onChange={(e) => setTicked(e.target.checked ? new Set(data.rows.map((r) => r.id)) : new Set())}
                />{' '}
                {t('reminders.selectPage')}
              </label>
            )}
            {tickedOnPage.length > 0 && (
              <div className="bulk-bar" data-testid="reminders-bulk">
                <span>{t('reminders.selected', { n: tickedOnPage.length })}</span>
                {view === 'open' || view === 'snoozed' || view === 'all' ? (
                  <>
                    <button
                      type="button"
                      className="btn btn-small btn-primary"
                      data-testid="bulk-done"
                      disabled={action.busy}
                      onClick={() => void bulk('reminders.done')}
                    >
                      {t('reminders.bulkDone')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      data-testid="bulk-snooze"
                      disabled={action.busy}
                      onClick={() => setSnoozing(tickedOnPage)}
                    >
                      {t('reminders.bulkSnooze')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      data-testid="bulk-dismiss"
                      disabled={action.busy}
                      onClick={() => void bulk('reminders.dismiss')}
                    >
                      {t('reminders.bulkDismiss')}
                    </button>
                  </>
                ) : (
                  <button
                    type="button"
                    className="btn btn-small"
                    data-testid="bulk-reopen"
                    disabled={action.busy}
                    onClick={() => void bulk('reminders.reopen')}
                  >
                    {t('reminders.reopen')}
                  </button>
                )}
                <button type="button" className="btn btn-small btn-ghost" onClick={() => setTicked(new Set())}>
                  {t('reminders.clearSelection')}
                </button>
              </div>
            )}
          </div>
          <TicksContext.Provider value={ticks}>
            <ListGrid<Reminder>
              rows={error && !data ? [] : data?.rows}
              columns={columns}
              rowId={reminderId}
              onOpen={(r) => setChosenId(r.id)}
              selectedId={chosen?.id ?? null}
              emptyText={t('reminders.empty')}
              label={t('reminders.title')}
              testId="reminders-table"
              rowTestId="reminder-row"
              rowAttrs={(r) => ({
                'data-id': r.id,
                'data-kind': r.kind,
                'data-status': r.status,
                'data-has-customer': r.customer ? 'true' : 'false',
                'data-amount': r.amountFen ?? '',
                'data-tier': r.customer?.tier ?? '',
              })}
              busy={loading}
            />
          </TicksContext.Provider>
          {data && data.total > data.rows.length && (
            <Pager
              offset={offset}
              limit={PAGE_SIZE}
              rows={data.rows.length}
              total={data.total}
              busy={loading}
              onOffset={(o) => {
                setOffset(o);
                setTicked(new Set());
              }}
            />
          )}
        </section>
        <ReminderDetail
          reminder={chosen}
          busy={action.busy}
          onAct={(method, rid) => void act(method, rid)}
          onSnooze={(r) => setSnoozing([r.id])}
        />
      </div>
      <SnoozeDialog
        ids={snoozing}
        onClose={() => setSnoozing(null)}
        onSnoozed={(n) => {
          if ((snoozing?.length ?? 0) > 1) setNotice(t('reminders.bulkSnoozeNotice', { count: n }));
          setSnoozing(null);
          setTicked(new Set());
          announceRemindersChanged();
          reload();
        }}
      />
      <SettingsDialog
        open={settings}
        onClose={() => setSettings(false)}
        onSaved={() => setNotice(t('reminders.saved'))}
      />
    </section>
  );
}

/** One reminder in full (the list cuts long text) with what can be done to it. */
function ReminderDetail({
  reminder: r,
  busy,
  onAct,
  onSnooze,
}: {
  reminder: Reminder | null;
  busy: boolean;
  onAct: (method: 'reminders.done' | 'reminders.dismiss' | 'reminders.reopen', id: number) => void;
  onSnooze: (r: Reminder) => void;
}) {
  const { t, i18n } = useTranslation();
  if (!r) {
    return (
      <section className="panel detail-pane" data-testid="reminder-detail">
        <DetailPrompt text={t('reminders.pickOne')} />
      </section>
    );
  }
  return (
    <section className="panel detail-pane" data-testid="reminder-detail" aria-labelledby="reminder-detail-title">
      <h2 id="reminder-detail-title">{t(`reminders.kinds.${r.kind}`)}</h2>
      <p data-testid="reminder-subject">{reminderText(t, r, i18n.language)}</p>
      <dl className="facts">
        <dt>{t('reminders.due')}</dt>
        <dd className="tabular">{r.dueOn}</dd>
        {r.actBy && (
          <>
            <dt>{t('reminders.actByCol')}</dt>
            <dd>{t('reminders.actBy', { date: r.actBy })}</dd>
          </>
        )}
        {/* a digest is about many customers: its own row below says how many */}
        {!(r.kind === 'tier_change' && r.params.digest === 1) && (
          <>
            <dt>{t('reminders.customer')}</dt>
            <dd>
              {r.customer ? (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="reminder-customer"
                  onClick={() => openCustomer(r.customer!.id)}
                  title={t('reminders.open360')}
                >
                  {r.customer.name} <span className="mono">{r.customer.customerNo}</span>
                </button>
              ) : (
                '—'
              )}
            </dd>
          </>
        )}
        {r.kind === 'tier_change' && r.params.digest === 1 && (
          <>
            <dt>{t('reminders.digestCount')}</dt>
            <dd className="tabular" data-testid="digest-count">
              {t('reminders.digestCountText', { count: r.params.count, up: r.params.up, down: r.params.down })}
            </dd>
          </>
        )}
        {r.snoozed && r.snoozedUntil && (
          <>
            <dt>{t('reminders.views.snoozed')}</dt>
            <dd>{t('reminders.snoozedUntil', { time: dateTime(r.snoozedUntil) })}</dd>
          </>
        )}
      </dl>
      {r.kind === 'tier_change' && r.params.digest === 1 && <DigestLinks reminder={r} />}
      <div className="form-actions chips">
        {r.status === 'open' ? (
          <>
            <button
              type="button"
              className="btn btn-small btn-primary"
              data-testid="reminder-done"
              disabled={busy}
              onClick={() => onAct('reminders.done', r.id)}
            >
              {t('reminders.done')}
            </button>
            <button
              type="button"
              className="btn btn-small"
              data-testid="reminder-snooze"
              disabled={busy}
              onClick={() => onSnooze(r)}
            >
              {t('reminders.snooze')}
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              data-testid="reminder-dismiss"
              disabled={busy}
              onClick={() => onAct('reminders.dismiss', r.id)}
            >
              {t('reminders.dismiss')}
            </button>
          </>
        ) : (
          <button
            type="button"
            className="btn btn-small"
            data-testid="reminder-reopen"
            disabled={busy}
            onClick={() => onAct('reminders.reopen', r.id)}
          >
            {t('reminders.reopen')}
          </button>
        )}
      </div>
    </section>
  );
}

/**
 * A re-tier's digest opens what it summarises: the customers that run moved (the grid, limited to the
 * user's scope exactly as the digest counted them) and the tier migration report over its day.
 */
function DigestLinks({ reminder: r }: { reminder: Reminder }) {
  const { t } = useTranslation();
  const version = Number(r.params.version);
  const at = String(r.params.at ?? '');
  return (
    <div className="form-actions chips">
      <button
        type="button"
        className="btn btn-small"
        data-testid="digest-customers"
        onClick={() => drillTo({ drill: { kind: 'tierRun', version, at } }, t('reminders.digestLabel', { version }))}
      >
        {t('reminders.digestChanged')}
      </button>
      <a
        className="btn btn-small"
        data-testid="digest-report"
        href={`#/reports/migration?from=${addDays(r.dueOn, -1)}&to=${r.dueOn}`}
      >
        {t('reminders.digestReport')}
      </a>
    </div>
  );
}

/** 'YYYY-MM-DDTHH:mm:ss' in the browser's zone (what a datetime-local input holds). */
function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Business date today in Beijing. */
function todayBeijing(): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

/** A time of day as typed: 09:30 or 09:30:15. */
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

function SnoozeDialog({
  ids,
  onClose,
  onSnoozed,
}: {
  /** The reminders to snooze (one from the detail pane, or the ticked ones). */
  ids: number[] | null;
  onClose: () => void;
  onSnoozed: (updated: number) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  // the date in the app's DateField and the time as typed (HH:MM or HH:MM:SS), both local, like the buttons
  const [date, setDate] = useState(() => localInputValue(new Date(Date.now() + 3600_000)).slice(0, 10));
  const [time, setTime] = useState(() => localInputValue(new Date(Date.now() + 3600_000)).slice(11, 16));
  const action = useAction();
  const tomorrow = (() => {
    const d = new Date(`${todayBeijing()}T09:00:00+08:00`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d;
  })();
  const nextWorkday = new Date(`${findWorkday(1, todayBeijing())}T09:00:00+08:00`);

  async function save(until: Date) {
    if (!ids || ids.length === 0 || Number.isNaN(until.getTime())) return;
    const r = await action.run(() => api('reminders.snooze', { ids, until: until.toISOString() }));
    if (r) onSnoozed(r.updated);
  }

  return (
    <Modal open={ids !== null} title={t('reminders.snoozeTitle')} onClose={onClose} testId="snooze-dialog">
      <ErrorNotice error={action.error} />
      <div className="form-row">
        <button type="button" className="btn" onClick={() => void save(new Date(Date.now() + 3600_000))}>
          {t('reminders.snoozeHour')}
        </button>{' '}
        <button type="button" className="btn" onClick={() => void save(tomorrow)}>
          {t('reminders.snoozeTomorrow')}
        </button>{' '}
        <button type="button" className="btn" data-testid="snooze-next-workday" onClick={() => void save(nextWorkday)}>
          {t('reminders.snoozeNextWorkday')}
        </button>
      </div>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (date && TIME.test(time)) void save(new Date(`${date}T${time.length === 5 ? `${time}:00` : time}`));
        }}
      >
        <label htmlFor={`${id}-until`}>{t('reminders.snoozeUntil')}</label>{' '}
        <DateField id={`${id}-until`} testId="snooze-until" value={date} onChange={setDate} required />{' '}
        <input
          className="time-input"
          data-testid="snooze-until-time"
          aria-label={t('timeField.label')}
          placeholder={t('timeField.placeholder')}
          inputMode="numeric"
          autoComplete="off"
          value={time}
          required
          onChange={(e) => {
            const v = e.target.value.trim().replace('：', ':');
            setTime(v);
            e.target.setCustomValidity(v && !TIME.test(v) ? t('timeField.problem') : '');
          }}
        />{' '}
        <button type="submit" className="btn btn-primary" data-testid="snooze-save" disabled={action.busy}>
          {t('reminders.snooze')}
        </button>{' '}
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {t('reminders.cancel')}
        </button>
      </form>
    </Modal>
  );
}

function SettingsDialog({ open, onClose, onSaved }: { open: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { data, error, loading } = useApi('reminders.prefs', {}, { enabled: open });
  return (
    <Modal open={open} title={t('reminders.settings')} onClose={onClose} testId="reminder-settings" wide>
      <ErrorNotice error={error} />
      {loading && !data && <Loading />}
      {data && open && (
        <SettingsForm
          key={JSON.stringify(data)}
          prefs={data.prefs}
          audience={data.audience}
          canBranch={data.canBranch}
          onDone={() => {
            onSaved();
            onClose();
          }}
          onCancel={onClose}
        />
      )}
    </Modal>
  );
}

/** A money box's text as fen; throws (the save sends -1, refused by name) when it is not an amount. */
function moneyFen(text: string): number {
  const fen = parseMoneyInput(text);
  if (fen === null) throw new RangeError('not an amount');
  return Number(fen);
}

interface PrefDraft extends Omit<ReminderPref, 'thresholdFen'> {
  threshold: string;
}

function SettingsForm({
  prefs,
  audience,
  canBranch,
  onDone,
  onCancel,
}: {
  prefs: ReminderPref[];
  audience: ReminderAudience;
  canBranch: boolean;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<PrefDraft[]>(() =>
    prefs.map((p) => ({
      kind: p.kind,
      enabled: p.enabled,
      leadDays: p.leadDays,
      workingDays: p.workingDays,
      threshold: p.thresholdFen != null ? formatMoneyInput(BigInt(p.thresholdFen)) : '',
    })),
  );
  const [aud, setAud] = useState(audience);
  const action = useAction();
  const set = (kind: ReminderKind, patch: Partial<PrefDraft>) =>
    setRows((rs) => rs.map((r) => (r.kind === kind ? { ...r, ...patch } : r)));

  async function save() {
    let out: ReminderPref[];
    try {
      out = rows.map((r) => ({
        kind: r.kind,
        enabled: r.enabled,
        leadDays: r.leadDays,
        workingDays: r.workingDays,
        thresholdFen: THRESHOLD_KINDS.includes(r.kind) && r.threshold.trim() ? moneyFen(r.threshold) : null,
      }));
    } catch {
      out = rows.map((r) => ({
        kind: r.kind,
        enabled: r.enabled,
        leadDays: r.leadDays,
        workingDays: r.workingDays,
        thresholdFen: -1,
      }));
    }
    const r = await action.run(() => api('reminders.savePrefs', { prefs: out, audience: aud }));
    if (r) onDone();
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <ErrorNotice error={action.error} />
      <fieldset className="form-row">
        <legend>{t('reminders.audience')}</legend>
        <label style={CHECK}>
          <input
            type="checkbox"
            data-testid="aud-mine"
            checked={aud.mine}
            onChange={(e) => setAud({ ...aud, mine: e.target.checked })}
          />{' '}
          {t('reminders.audienceMine')}
        </label>{' '}
        <label style={CHECK}>
          <input
            type="checkbox"
            data-testid="aud-lists"
            checked={aud.lists}
            onChange={(e) => setAud({ ...aud, lists: e.target.checked })}
          />{' '}
          {t('reminders.audienceLists')}
        </label>{' '}
        {canBranch && (
          <label style={CHECK}>
            <input
              type="checkbox"
              data-testid="aud-branch"
              checked={aud.branch}
              onChange={(e) => setAud({ ...aud, branch: e.target.checked })}
            />{' '}
            {t('reminders.audienceBranch')}
          </label>
        )}
        <p className="muted small">{t('reminders.audienceNote')}</p>
      </fieldset>
      <div className="table-wrap">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('reminders.kind')}</th>
              <th scope="col">{t('reminders.enabled')}</th>
              <th scope="col">{t('reminders.leadDays')}</th>
              <th scope="col">{t('reminders.workingDays')}</th>
              <th scope="col">{t('reminders.threshold')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const label = t(`reminders.kinds.${r.kind}`);
              return (
                <tr key={r.kind} data-testid={`pref-${r.kind}`}>
                  <th scope="row">{label}</th>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${label} ${t('reminders.enabled')}`}
                      checked={r.enabled}
                      onChange={(e) => set(r.kind, { enabled: e.target.checked })}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      max={90}
                      style={{ width: 72 }}
                      aria-label={`${label} ${t('reminders.leadDays')}`}
                      value={r.leadDays}
                      onChange={(e) =>
                        set(r.kind, { leadDays: Math.max(0, Math.min(90, Math.trunc(Number(e.target.value) || 0))) })
                      }
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${label} ${t('reminders.workingDays')}`}
                      checked={r.workingDays}
                      onChange={(e) => set(r.kind, { workingDays: e.target.checked })}
                    />
                  </td>
                  <td>
                    {THRESHOLD_KINDS.includes(r.kind) ? (
                      <MoneyInput
                        bare
                        aria-label={`${label} ${t('reminders.threshold')}`}
                        value={r.threshold}
                        onChange={(text) => set(r.kind, { threshold: text })}
                      />
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="form-row">
        <button type="submit" className="btn btn-primary" data-testid="prefs-save" disabled={action.busy}>
          {t('reminders.save')}
        </button>{' '}
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          {t('reminders.cancel')}
        </button>
      </div>
    </form>
  );
}
