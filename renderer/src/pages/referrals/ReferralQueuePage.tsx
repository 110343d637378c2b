import type { ColDef } from 'ag-grid-community';
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CONTACT_CHANNELS,
  CONTACT_OUTCOMES,
  LOST_REASONS,
  type ContactChannel,
  type ContactOutcome,
  type LostReason,
  type Referral,
} from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { DetailPrompt, dateColumn, ListGrid } from '../../components/ListGrid';
import { ErrorNotice, Loading, Pager, SuccessNotice } from '../../components/ui';
import { dateTime } from '../../format';
import { openCustomer } from '../../router';
import { useSession } from '../../session';
import { Outcome, StatusPill } from './FlagReferral';
import { DateField } from '../../components/DateField';
import { useHistoryState } from '../../history-state';
import { moneyInputForApi } from '../../../../shared/money-input';
import { MoneyInput } from '../../components/MoneyInput';

type View = 'open' | 'overdue' | 'unassigned' | 'closed' | 'all';
// A page is what the grid sorts: the API's largest.
const LIMIT = 200;
const referralId = (r: Referral) => r.id;

function useColumns(president: boolean): ColDef<Referral>[] {
  // t changes with the language: the headers and values are rebuilt in the new one
  const { t } = useTranslation();
  return useMemo(() => {
    const cols: (ColDef<Referral> | false)[] = [
      {
        colId: 'customer',
        headerName: t('referral.col.customer'),
        valueGetter: (p) => p.data?.customerName,
        tooltipValueGetter: (p) => (p.data ? `${p.data.customerName} ${p.data.customerNo}` : null),
        cellRenderer: (p: { data?: Referral; value?: string }) => (
          <>
            {p.value}
            {p.data?.urgency === 'high' && <span className="badge"> {t('referral.urgency.high')}</span>}
          </>
        ),
        // room for a name and the urgency badge (the auto-size measured the name alone)
        minWidth: 120,
      },
      {
        colId: 'interest',
        headerName: t('referral.col.interest'),
        valueGetter: (p) => (p.data ? t(`referral.interest.${p.data.interest}`) : null),
      },
      {
        colId: 'note',
        headerName: t('referral.col.note'),
        valueGetter: (p) => p.data?.note ?? '—',
        flex: 1,
        // the note is in full in the detail pane; at 1366 in English the short columns come first
        minWidth: 80,
      },
      {
        colId: 'referrer',
        headerName: t('referral.col.referrer'),
        valueGetter: (p) => p.data?.referrerName,
      },
      president && {
        colId: 'owner',
        headerName: t('referral.col.owner'),
        valueGetter: (p) => (p.data ? (p.data.ownerName ?? t('referral.branchQueue')) : null),
      },
      dateColumn<Referral>('dueOn', t('referral.col.dueOn'), (r) => r.dueOn),
      {
        colId: 'status',
        headerName: t('referral.col.status'),
        valueGetter: (p) =>
          p.data
            ? `${t(`referral.status.${p.data.status}`)}${p.data.overdue ? ` · ${t('referral.overdue')}` : ''}`
            : null,
        cellRenderer: (p: { data?: Referral }) => (p.data ? <StatusPill r={p.data} /> : null),
      },
    ];
    return cols.filter((c): c is ColDef<Referral> => c !== false);
  }, [t, president]);
}

/**
 * 转介队列: a manager's own referrals (never another manager's: the main process filters in SQL), or
 * for the president the whole branch with the branch queue to dispatch. Choose one to act on it.
 */
export function ReferralQueuePage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const president = user.role === 'president';
  const views: View[] = president
    ? ['open', 'unassigned', 'overdue', 'closed', 'all']
    : ['open', 'overdue', 'closed', 'all'];
  // "#/referrals?view=overdue" (from the desktop's 转介商机 widget) opens that view.
  // view, page and chosen referral live in the history entry: Back from a 360 returns to them
  const [view, setView] = useHistoryState<View>('referrals.view', () => {
    const asked = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('view');
    return (views as string[]).includes(asked ?? '') ? (asked as View) : 'open';
  });
  const [offset, setOffset] = useHistoryState('referrals.offset', 0);
  const [chosen, setChosen] = useHistoryState<number | null>('referrals.chosen', null);
  const list = useApi('referrals.queue', { view, offset, limit: LIMIT });
  const columns = useColumns(president);

  return (
    <section className="page" data-testid="referrals-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t(president ? 'referral.queue.presidentTitle' : 'referral.queue.title')}</h1>
      </header>
      <fieldset className="chips" aria-label={t('referral.col.status')}>
        {views.map((v) => (
          <button
            key={v}
            type="button"
            className={v === view ? 'btn btn-small btn-active' : 'btn btn-small'}
            aria-pressed={v === view}
            data-testid={`referral-view-${v}`}
            onClick={() => {
              setView(v);
              setOffset(0);
            }}
          >
            {t(`referral.queue.view.${v}`)}
          </button>
        ))}
      </fieldset>
      <div className="list-detail">
        <section className="panel list-panel" aria-labelledby="referral-list-title">
          <div className="list-panel-head">
            <h2 id="referral-list-title" className="visually-hidden">
              {t(`referral.queue.view.${view}`)}
            </h2>
            {list.data && <span className="muted">{t('referral.queue.total', { n: list.data.total })}</span>}
          </div>
          <ErrorNotice error={list.error} onRetry={list.reload} />
          <ListGrid<Referral>
            rows={list.error && !list.data ? [] : list.data?.rows}
            columns={columns}
            rowId={referralId}
            onOpen={(r) => setChosen(r.id)}
            selectedId={chosen}
            emptyText={t('referral.queue.empty')}
            label={t(president ? 'referral.queue.presidentTitle' : 'referral.queue.title')}
            testId="referral-queue"
            rowTestId="referral-row"
            rowAttrs={(r) => ({ 'data-customer-no': r.customerNo, 'data-status': r.status })}
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
        <ReferralDetailPanel id={chosen} onChanged={list.reload} />
      </div>
    </section>
  );
}

function ReferralDetailPanel({ id, onChanged }: { id: number | null; onChanged: () => void }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const detail = useApi('referrals.get', { id: id ?? 1 }, { enabled: id !== null });
  const [done, setDone] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: another referral chosen: the last one's confirmation goes
  useEffect(() => setDone(null), [id]);
  if (id === null) {
    return (
      <section className="panel detail-pane" data-testid="referral-detail">
        <DetailPrompt text={t('referral.detail.none')} />
      </section>
    );
  }
  const r = detail.data;
  const mine = !!r && r.ownerStaffId !== null && r.ownerStaffId === user.staffId;
  const after = (key: string) => {
    setDone(t(`referral.done.${key}`));
    detail.reload();
    onChanged();
  };
  return (
    <section className="panel detail-pane" data-testid="referral-detail" aria-labelledby="referral-detail-title">
      <h2 id="referral-detail-title">{t('referral.detail.title')}</h2>
      {detail.loading && !r && <Loading />}
      <ErrorNotice error={detail.error} onRetry={detail.reload} />
      <SuccessNotice text={done} />
      {r && (
        <>
          <dl className="facts">
            <dt>{t('referral.col.customer')}</dt>
            <dd>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => openCustomer(r.customerId)}
                data-testid="referral-customer"
              >
                {r.customerName} <span className="mono">{r.customerNo}</span>
              </button>
            </dd>
            <dt>{t('referral.col.interest')}</dt>
            <dd>
              {t(`referral.interest.${r.interest}`)} · {t(`referral.urgency.${r.urgency}`)}
            </dd>
            <dt>{t('referral.col.note')}</dt>
            <dd>{r.note ?? '—'}</dd>
            <dt>{t('referral.col.referrer')}</dt>
            <dd>
              {r.referrerName} · {dateTime(r.createdAt)}
            </dd>
            <dt>{t('referral.col.owner')}</dt>
            <dd>{r.ownerName ?? t('referral.branchQueue')}</dd>
            <dt>{t('referral.col.dueOn')}</dt>
            <dd>
              {r.dueOn} <span className="muted">({t('referral.detail.sla', { days: r.slaDays })})</span>
            </dd>
            <dt>{t('referral.col.status')}</dt>
            <dd>
              <StatusPill r={r} />
            </dd>
            <dt>{t('referral.col.outcome')}</dt>
            <dd data-testid="referral-outcome">
              <Outcome r={r} />
            </dd>
          </dl>
          {mine && r.status === 'new' && <AcceptButton r={r} onDone={() => after('accept')} />}
          {(mine || user.role === 'president') && ['new', 'accepted', 'contacted'].includes(r.status) && (
            <ReassignForm r={r} onDone={() => after('reassign')} />
          )}
          {mine && (r.status === 'accepted' || r.status === 'contacted') && (
            <ContactForm r={r} onDone={() => after('contact')} />
          )}
          {mine && r.status === 'contacted' && <WinForm r={r} onDone={() => after('win')} />}
          {mine && (r.status === 'accepted' || r.status === 'contacted') && (
            <LoseForm r={r} onDone={() => after('lose')} />
          )}
          <h3>{t('referral.detail.history')}</h3>
          <ol className="plain-list" data-testid="referral-history">
            {r.events.map((e) => (
              <li key={`${e.at}-${e.action}`}>
                <span className="tabular">{dateTime(e.at)}</span> · {e.userName} · {t(`referral.action.${e.action}`)}
                {e.toOwnerName && e.action === 'reassigned' ? ` → ${e.toOwnerName}` : ''}
                {e.note ? ` · ${e.note}` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function ActionForm({
  title,
  testId,
  onSubmit,
  busy,
  error,
  children,
  submitLabel,
}: {
  title: string;
  testId: string;
  onSubmit: () => void;
  busy: boolean;
  error: ReturnType<typeof useAction>['error'];
  children?: ReactNode;
  submitLabel: string;
}) {
  return (
    <form
      className="form"
      data-testid={testId}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (!busy) onSubmit();
      }}
    >
      <h3>{title}</h3>
      {children}
      <ErrorNotice error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid={`${testId}-submit`}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function AcceptButton({ r, onDone }: { r: Referral; onDone: () => void }) {
  const { t } = useTranslation();
  const a = useAction();
  return (
    <div className="form-actions">
      <button
        type="button"
        className="btn btn-primary"
        disabled={a.busy}
        data-testid="referral-accept"
        onClick={async () => {
          if (await a.run(() => api('referrals.accept', { id: r.id }))) onDone();
        }}
      >
        {t('referral.action.accept')}
      </button>
      <ErrorNotice error={a.error} />
    </div>
  );
}

function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

function ReassignForm({ r, onDone }: { r: Referral; onDone: () => void }) {
  const { t } = useTranslation();
  const managers = useApi('referrals.managers', {});
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const a = useAction();
  return (
    <ActionForm
      title={t('referral.action.reassign')}
      testId="referral-reassign"
      busy={a.busy}
      error={a.error}
      submitLabel={t('referral.action.reassign')}
      onSubmit={async () => {
        if (!to) return;
        if (
          await a.run(() =>
            api('referrals.reassign', { id: r.id, toStaffId: Number(to), note: note.trim() || undefined }),
          )
        )
          onDone();
      }}
    >
      <Field label={t('referral.form.reassignTo')}>
        {(id) => (
          <select
            id={id}
            value={to}
            onChange={(e) => setTo(e.target.value)}
            data-testid="referral-reassign-to"
            required
          >
            <option value="">{t('referral.form.choose')}</option>
            {(managers.data ?? [])
              .filter((m) => m.staffId !== r.ownerStaffId)
              .map((m) => (
                <option key={m.staffId} value={m.staffId}>
                  {m.name} · {m.branchName}
                </option>
              ))}
          </select>
        )}
      </Field>
      <Field label={t('referral.form.reassignNote')}>
        {(id) => <input id={id} maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
    </ActionForm>
  );
}

function ContactForm({ r, onDone }: { r: Referral; onDone: () => void }) {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<ContactChannel>('call');
  const [outcome, setOutcome] = useState<ContactOutcome>('reached');
  const [summary, setSummary] = useState('');
  const [nextStep, setNextStep] = useState('');
  const [nextStepOn, setNextStepOn] = useState('');
  const a = useAction();
  return (
    <ActionForm
      title={t('referral.action.contact')}
      testId="referral-contact"
      busy={a.busy}
      error={a.error}
      submitLabel={t('referral.action.contact')}
      onSubmit={async () => {
        const ok = await a.run(() =>
          api('referrals.contact', {
            id: r.id,
            channel,
            outcome,
            summary: summary.trim() || undefined,
            nextStep: nextStep.trim() || undefined,
            nextStepOn: nextStepOn || undefined,
          }),
        );
        if (ok) onDone();
      }}
    >
      <ContactFields
        channel={channel}
        setChannel={setChannel}
        outcome={outcome}
        setOutcome={setOutcome}
        summary={summary}
        setSummary={setSummary}
        nextStep={nextStep}
        setNextStep={setNextStep}
        nextStepOn={nextStepOn}
        setNextStepOn={setNextStepOn}
        prefix="referral-contact"
      />
    </ActionForm>
  );
}

/** Channel, outcome, summary, next step and its date: shared by the referral and the 360 contact forms. */
export function ContactFields(p: {
  channel: ContactChannel;
  setChannel: (v: ContactChannel) => void;
  outcome: ContactOutcome;
  setOutcome: (v: ContactOutcome) => void;
  summary: string;
  setSummary: (v: string) => void;
  nextStep: string;
  setNextStep: (v: string) => void;
  nextStepOn: string;
  setNextStepOn: (v: string) => void;
  prefix: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="form-grid">
      <Field label={t('referral.form.channel')}>
        {(id) => (
          <select
            id={id}
            value={p.channel}
            onChange={(e) => p.setChannel(e.target.value as ContactChannel)}
            data-testid={`${p.prefix}-channel`}
          >
            {CONTACT_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`contact.channel.${c}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('referral.form.outcome')}>
        {(id) => (
          <select
            id={id}
            value={p.outcome}
            onChange={(e) => p.setOutcome(e.target.value as ContactOutcome)}
            data-testid={`${p.prefix}-outcome`}
          >
            {CONTACT_OUTCOMES.map((c) => (
              <option key={c} value={c}>
                {t(`contact.outcome.${c}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('referral.form.summary')}>
        {(id) => (
          <input
            id={id}
            maxLength={500}
            value={p.summary}
            onChange={(e) => p.setSummary(e.target.value)}
            data-testid={`${p.prefix}-summary`}
          />
        )}
      </Field>
      <Field label={t('referral.form.nextStep')}>
        {(id) => (
          <input
            id={id}
            maxLength={200}
            value={p.nextStep}
            onChange={(e) => p.setNextStep(e.target.value)}
            data-testid={`${p.prefix}-next`}
          />
        )}
      </Field>
      <Field label={t('referral.form.nextStepOn')}>
        {(id) => <DateField id={id} value={p.nextStepOn} onChange={p.setNextStepOn} testId={`${p.prefix}-next-on`} />}
      </Field>
    </div>
  );
}

function WinForm({ r, onDone }: { r: Referral; onDone: () => void }) {
  const { t } = useTranslation();
  const products = useApi('referrals.products', {});
  const [product, setProduct] = useState('');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const a = useAction();
  return (
    <ActionForm
      title={t('referral.action.win')}
      testId="referral-win"
      busy={a.busy}
      error={a.error}
      submitLabel={t('referral.action.win')}
      onSubmit={async () => {
        if (!product) return;
        if (
          await a.run(() =>
            api('referrals.win', {
              id: r.id,
              productId: Number(product),
              amount: moneyInputForApi(amount) ?? '',
              note: note.trim() || undefined,
            }),
          )
        )
          onDone();
      }}
    >
      <div className="form-grid">
        <Field label={t('referral.form.product')}>
          {(id) => (
            <select
              id={id}
              value={product}
              onChange={(e) => setProduct(e.target.value)}
              required
              data-testid="referral-win-product"
            >
              <option value="">{t('referral.form.choose')}</option>
              {(products.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('referral.form.amount')}>
          {(id) => (
            <MoneyInput id={id} bare required value={amount} onChange={setAmount} testId="referral-win-amount" />
          )}
        </Field>
        <Field label={t('referral.form.closeNote')}>
          {(id) => <input id={id} maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
      </div>
    </ActionForm>
  );
}

function LoseForm({ r, onDone }: { r: Referral; onDone: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<LostReason | ''>('');
  const [note, setNote] = useState('');
  const a = useAction();
  return (
    <ActionForm
      title={t('referral.action.lose')}
      testId="referral-lose"
      busy={a.busy}
      error={a.error}
      submitLabel={t('referral.action.lose')}
      onSubmit={async () => {
        if (!reason) return;
        if (await a.run(() => api('referrals.lose', { id: r.id, reason, note: note.trim() || undefined }))) onDone();
      }}
    >
      <div className="form-grid">
        <Field label={t('referral.form.reason')}>
          {(id) => (
            <select
              id={id}
              value={reason}
              onChange={(e) => setReason(e.target.value as LostReason)}
              required
              data-testid="referral-lose-reason"
            >
              <option value="">{t('referral.form.choose')}</option>
              {LOST_REASONS.map((x) => (
                <option key={x} value={x}>
                  {t(`referral.lostReason.${x}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('referral.form.closeNote')}>
          {(id) => <input id={id} maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
      </div>
    </ActionForm>
  );
}
