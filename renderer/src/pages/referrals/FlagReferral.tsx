import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  REFERRAL_INTERESTS,
  REFERRAL_STATUSES,
  REFERRAL_URGENCIES,
  type CustomerSummary,
  type Referral,
  type ReferralInterest,
  type ReferralStatus,
  type ReferralUrgency,
} from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { Empty, ErrorNotice, Loading, Modal, Pager } from '../../components/ui';
import { count, dateTime, yuan } from '../../format';

/**
 * 转介商机 at the counter, keyboard only: Alt+R (or the button) opens the form on the chosen customer;
 * the interest radios have the focus (↑/↓ choose), Tab to urgency, Tab to the note, Enter sends.
 */
export function ReferralDialog({
  customer,
  open,
  onClose,
  onDone,
}: {
  customer: CustomerSummary | null;
  open: boolean;
  onClose: () => void;
  onDone: (r: Referral) => void;
}) {
  const { t } = useTranslation();
  const [interest, setInterest] = useState<ReferralInterest>('deposit');
  const [urgency, setUrgency] = useState<ReferralUrgency>('normal');
  const [note, setNote] = useState('');
  const action = useAction();
  const firstRef = useRef<HTMLInputElement>(null);
  const noteId = useId();
  const { clearError } = action;

  // biome-ignore lint/correctness/useExhaustiveDependencies: opened for another customer: a fresh form, focus on its first choice
  useEffect(() => {
    if (!open) return;
    setInterest('deposit');
    setUrgency('normal');
    setNote('');
    clearError();
    requestAnimationFrame(() => firstRef.current?.focus());
  }, [open, customer?.id, clearError]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!customer || action.busy) return;
    const r = await action.run(() =>
      api('referrals.create', { customerId: customer.id, interest, urgency, note: note.trim() || undefined }),
    );
    if (r) onDone(r);
  }

  return (
    <Modal open={open} title={t('referral.flag.title')} onClose={onClose} testId="referral-dialog">
      {customer && (
        <form className="form" onSubmit={submit} data-testid="referral-form">
          <p>{t('referral.flag.customer', { name: customer.name, no: customer.customerNo })}</p>
          <fieldset className="radio-row" data-testid="referral-interest">
            <legend>{t('referral.flag.interest')}</legend>
            {REFERRAL_INTERESTS.map((k, i) => (
              <label key={k}>
                <input
                  ref={i === 0 ? firstRef : undefined}
                  type="radio"
                  name="interest"
                  value={k}
                  checked={interest === k}
                  onChange={() => setInterest(k)}
                  data-testid={`referral-interest-${k}`}
                />{' '}
                {t(`referral.interest.${k}`)}
              </label>
            ))}
          </fieldset>
          <fieldset className="radio-row" data-testid="referral-urgency">
            <legend>{t('referral.flag.urgency')}</legend>
            {REFERRAL_URGENCIES.map((k) => (
              <label key={k}>
                <input
                  type="radio"
                  name="urgency"
                  value={k}
                  checked={urgency === k}
                  onChange={() => setUrgency(k)}
                  data-testid={`referral-urgency-${k}`}
                />{' '}
                {t(`referral.urgency.${k}`)}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={noteId}>{t('referral.flag.note')}</label>
            <input
              id={noteId}
              data-testid="referral-note"
              maxLength={200}
              value={note}
              placeholder={t('referral.flag.notePlaceholder')}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
          <p className="muted small">{t('referral.flag.keys')}</p>
          <ErrorNotice error={action.error} testId="referral-error" />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="referral-submit">
              {t('referral.flag.submit')}
            </button>
            <button type="button" className="btn" onClick={onClose}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

const MINE_PAGE = 10;

/** The teller's own flags and what became of each. */
export function MyReferrals({ refresh }: { refresh: number }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  // one status (or all), with how many of each: the closed ones are one click away, not 27 pages
  const [status, setStatus] = useState<ReferralStatus | null>(null);
  const { data, error, loading, reload } = useApi('referrals.mine', {
    ...(status ? { status } : {}),
    offset,
    limit: MINE_PAGE,
  });
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh, reload]);
  const all = data ? Object.values(data.counts).reduce((a, b) => a + b, 0) : 0;
  const choose = (s: ReferralStatus | null) => {
    setStatus(s);
    setOffset(0);
  };
  return (
    <section className="panel" aria-labelledby="my-referrals-title" data-testid="my-referrals">
      <h2 id="my-referrals-title">{t('referral.mine.title')}</h2>
      {data && all > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: toggle buttons, not form fields; a fieldset would bring its border and legend layout
        <div className="chips" role="group" aria-label={t('referral.mine.filter')} data-testid="my-referral-filter">
          <button
            type="button"
            className="chip"
            aria-pressed={status === null}
            data-testid="my-referral-status-all"
            onClick={() => choose(null)}
          >
            {t('referral.mine.count', { label: t('referral.mine.all'), n: count(all) })}
          </button>
          {REFERRAL_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className="chip"
              aria-pressed={status === s}
              data-testid={`my-referral-status-${s}`}
              data-count={data.counts[s]}
              onClick={() => choose(s)}
            >
              {t('referral.mine.count', { label: t(`referral.status.${s}`), n: count(data.counts[s]) })}
            </button>
          ))}
        </div>
      )}
      {loading && !data && <Loading />}
      <ErrorNotice error={error} onRetry={reload} />
      {data && data.rows.length === 0 && (
        <Empty text={status ? t('referral.mine.emptyStatus') : t('referral.mine.empty')} />
      )}
      {data && data.rows.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('referral.col.createdOn')}</th>
                <th scope="col">{t('referral.col.customer')}</th>
                <th scope="col">{t('referral.col.interest')}</th>
                <th scope="col">{t('referral.col.owner')}</th>
                <th scope="col">{t('referral.col.status')}</th>
                <th scope="col">{t('referral.mine.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.id} data-testid="my-referral" data-status={r.status} data-customer-no={r.customerNo}>
                  <td className="nowrap tabular">{dateTime(r.createdAt)}</td>
                  <td>{r.customerName}</td>
                  <td>{t(`referral.interest.${r.interest}`)}</td>
                  <td>{r.ownerName ?? t('referral.branchQueue')}</td>
                  <td>
                    <StatusPill r={r} />
                  </td>
                  <td data-testid="my-referral-outcome">
                    <Outcome r={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && data.total > MINE_PAGE && (
        <Pager
          offset={offset}
          limit={MINE_PAGE}
          rows={data.rows.length}
          total={data.total}
          onOffset={setOffset}
          busy={loading}
        />
      )}
    </section>
  );
}

export function StatusPill({ r }: { r: Referral }) {
  const { t } = useTranslation();
  const cls = r.status === 'won' ? 'pill-ok' : r.status === 'lost' ? 'pill-off' : r.overdue ? 'pill-warn' : '';
  return (
    <span className={`status-pill ${cls}`} data-testid="referral-status" data-status={r.status}>
      {t(`referral.status.${r.status}`)}
      {r.overdue ? ` · ${t('referral.overdue')}` : ''}
    </span>
  );
}

export function Outcome({ r }: { r: Referral }) {
  const { t } = useTranslation();
  if (r.status === 'won')
    return (
      <>{t('referral.detail.wonWith', { product: r.wonProductName ?? '', amount: yuan(r.wonAmount ?? '0.00') })}</>
    );
  if (r.status === 'lost') return <>{r.lostReason ? t(`referral.lostReason.${r.lostReason}`) : '—'}</>;
  return (
    <span className="muted">
      {t('referral.col.dueOn')} {r.dueOn}
    </span>
  );
}
