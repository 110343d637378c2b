import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerSummary, RevealResult } from '../../../shared/api';
import { api, validateInput, type ApiError } from '../api/client';
import { useAction } from '../api/use-api';
import { yuan } from '../format';
import { TierBadge } from './Figures';
import { ErrorNotice, Modal } from './ui';

/**
 * Customers as a table. ID number and mobile arrive masked; with `canReveal` each masked row
 * offers "reveal", which asks for a reason and shows the unmasked values in place.
 */
export function CustomerTable({
  rows,
  caption,
  canReveal,
  startIndex = 0,
}: {
  rows: CustomerSummary[];
  caption: string;
  canReveal: boolean;
  startIndex?: number;
}) {
  const { t } = useTranslation();
  const [revealed, setRevealed] = useState<ReadonlyMap<number, RevealResult>>(new Map());
  const [asking, setAsking] = useState<CustomerSummary | null>(null);

  return (
    <>
      <div className="table-wrap">
        <table className="data-table customers-table" data-testid="customer-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">{t('customer.customerNo')}</th>
              <th scope="col">{t('customer.name')}</th>
              <th scope="col">{t('customer.idNo')}</th>
              <th scope="col">{t('customer.mobile')}</th>
              <th scope="col">{t('customer.tier')}</th>
              <th scope="col">{t('customer.status')}</th>
              <th scope="col">{t('customer.manager')}</th>
              <th scope="col" className="num">
                {t('customer.aumYuan')}
              </th>
              {canReveal && <th scope="col">{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((c, i) => {
              const r = revealed.get(c.id);
              return (
                <tr key={c.id} data-testid="customer-row" data-customer-no={c.customerNo}>
                  <td className="num muted">{startIndex + i + 1}</td>
                  <td className="mono">{c.customerNo}</td>
                  <th scope="row">
                    {c.name}
                    {c.kind === 'corporate' && <span className="tag">{t('customer.kind.corporate')}</span>}
                  </th>
                  <td className="mono" data-testid="customer-idno">
                    {(r ? r.idNo : c.idNo) ?? '—'}
                  </td>
                  <td className="mono" data-testid="customer-mobile">
                    {(r ? r.mobile : c.mobile) ?? '—'}
                  </td>
                  <td>
                    <TierBadge tier={c.tier} />
                  </td>
                  <td>{t(`customer.statusValue.${c.status}`)}</td>
                  <td>{c.managerName ?? t('customer.noManager')}</td>
                  <td className="num">{yuan(c.aum)}</td>
                  {canReveal && (
                    <td>
                      {r ? (
                        <span className="tag tag-revealed">{t('reveal.done')}</span>
                      ) : c.masked ? (
                        <button
                          type="button"
                          className="btn btn-small"
                          data-testid="reveal"
                          aria-label={t('reveal.actionFor', { name: c.name })}
                          onClick={() => setAsking(c)}
                        >
                          {t('reveal.action')}
                        </button>
                      ) : null}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canReveal && (
        <RevealDialog
          customer={asking}
          onClose={() => setAsking(null)}
          onRevealed={(res) => {
            setRevealed((m) => new Map(m).set(res.id, res));
            setAsking(null);
          }}
        />
      )}
    </>
  );
}

const PRESET_REASONS = ['identity', 'callback', 'service'] as const;

/**
 * Asks why the full ID number / mobile is needed, then calls customers.reveal (audited with the
 * reason). The unmasked values go back to the table only, never into storage.
 */
export function RevealDialog({
  customer,
  onClose,
  onRevealed,
}: {
  customer: CustomerSummary | null;
  onClose: () => void;
  onRevealed: (r: RevealResult) => void;
}) {
  const { t } = useTranslation();
  const reasonId = useId();
  const hintId = useId();
  const [reason, setReason] = useState('');
  const { busy, error, run, clearError } = useAction();
  const [localError, setLocalError] = useState<ApiError>();
  const [localMsg, setLocalMsg] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: another customer starts a fresh reveal (the effect reads nothing of it)
  useEffect(() => {
    setReason('');
    setLocalMsg(null);
    setLocalError(undefined);
    clearError();
  }, [customer, clearError]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!customer) return;
    if (reason.trim().length < 2) {
      setLocalMsg(t('reveal.tooShort'));
      return;
    }
    setLocalMsg(null);
    const checked = validateInput('customers.reveal', { id: customer.id, reason });
    if (!checked.ok) {
      setLocalError(checked.error);
      return;
    }
    setLocalError(undefined);
    const result = await run(() => api('customers.reveal', checked.value));
    if (result) onRevealed(result);
  }

  return (
    <Modal open={customer !== null} title={t('reveal.title')} onClose={onClose} testId="reveal-dialog">
      {customer && (
        <form onSubmit={submit} className="form">
          <p className="muted">{t('reveal.intro', { name: customer.name, customerNo: customer.customerNo })}</p>
          <div className="field">
            <label htmlFor={reasonId}>{t('reveal.reason')}</label>
            <textarea
              id={reasonId}
              data-testid="reveal-reason"
              value={reason}
              rows={3}
              maxLength={200}
              required
              // biome-ignore lint/a11y/noAutofocus: the dialog opens to type the reason; nothing else in it needs the focus first
              autoFocus
              aria-describedby={hintId}
              onChange={(e) => setReason(e.target.value)}
            />
            <p id={hintId} className="field-hint">
              {t('reveal.hint')}
            </p>
          </div>
          {/* biome-ignore lint/a11y/useSemanticElements: preset buttons, not form fields; a fieldset would bring its border and legend layout */}
          <div className="chips" role="group" aria-label={t('reveal.presets')}>
            {PRESET_REASONS.map((p) => (
              <button key={p} type="button" className="chip" onClick={() => setReason(t(`reveal.preset.${p}`))}>
                {t(`reveal.preset.${p}`)}
              </button>
            ))}
          </div>
          {localMsg ? (
            <div className="notice notice-error" role="alert" data-testid="reveal-error">
              {localMsg}
            </div>
          ) : (
            <ErrorNotice error={localError ?? error} testId="reveal-error" />
          )}
          <div className="form-actions">
            <button type="button" className="btn" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="reveal-submit">
              {busy ? t('common.working') : t('reveal.submit')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
