/**
 * 确认成交 and 撤销成交: a win is confirmed in a dialog with the product and amount (editable, checked
 * here with the app's own messages), and a win may be put back with a reason while the main process
 * allows it (the closer the same day, the president any day: shared/opportunities.ts undoWonRule).
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Opportunity, OpportunityProduct, OpportunityStage, UndoWon } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction } from '../../api/use-api';
import { ErrorNotice, Modal } from '../../components/ui';
import { yuan } from '../../format';
import { parseWinAmount } from './win-amount';
import '../../components/fields.css';
import { MoneyInput } from '../../components/MoneyInput';
import { ProductSelect } from './ProductSelect';

/** The confirmation of a win: product and amount as they will count, both editable. */
export function WinDialog({
  opportunity: o,
  note,
  onClose,
  onWon,
}: {
  opportunity: Opportunity;
  note: string;
  onClose: () => void;
  onWon: (o: Opportunity) => void;
}) {
  const { t } = useTranslation();
  const action = useAction();
  const [product, setProduct] = useState<OpportunityProduct>(o.product);
  const [amount, setAmount] = useState(o.amount ? yuan(o.amount) : '');
  const [touched, setTouched] = useState(false);
  const check = parseWinAmount(amount);
  const problem =
    touched && !check.ok ? t(`opportunities.win.amount${check.problem === 'required' ? 'Required' : 'Invalid'}`) : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!check.ok) return;
    const r = await action.run(() =>
      api('opportunities.move', {
        id: o.id,
        to: 'won',
        product,
        amount: check.yuan,
        ...(note.trim() ? { note: note.trim() } : {}),
      }),
    );
    if (r) onWon(r);
  };
  return (
    <Modal open title={t('opportunities.win.title')} onClose={onClose} testId="opp-win-dialog">
      <form noValidate onSubmit={submit} className="win-form">
        <p>{t('opportunities.win.intro')}</p>
        <p className="muted">
          {o.customerName} <span className="mono">{o.customerNo}</span>
        </p>
        <ErrorNotice error={action.error} />
        <div className="field">
          <label htmlFor="opp-win-product">{t('opportunities.win.product')}</label>
          <ProductSelect id="opp-win-product" data-testid="opp-win-product" value={product} onChange={setProduct} />
        </div>
        <div className="field">
          <label htmlFor="opp-win-amount">{t('opportunities.win.amount')}</label>
          <MoneyInput
            id="opp-win-amount"
            testId="opp-win-amount"
            bare
            value={amount}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'opp-win-amount-problem' : undefined}
            onChange={setAmount}
            onBlur={() => setTouched(true)}
          />
          {problem && (
            <p id="opp-win-amount-problem" className="field-error" role="alert" data-testid="opp-win-amount-problem">
              {problem}
            </p>
          )}
          {check.ok && amount.trim() && (
            <p className="muted tabular" data-testid="opp-win-amount-read">
              {t('opportunities.win.amountRead', { amount: yuan(check.yuan) })}
            </p>
          )}
        </div>
        <p className="muted">{t('opportunities.win.undoHint')}</p>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('opportunities.win.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="opp-win-confirm" disabled={action.busy}>
            {t('opportunities.win.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** 撤销成交 with a reason; the stage it goes back to is the one the win was made from. */
export function UndoWinDialog({
  opportunity: o,
  backTo,
  undo,
  onClose,
  onUndone,
}: {
  opportunity: Opportunity;
  backTo: OpportunityStage | null;
  undo: Extract<UndoWon, { allowed: true }>;
  onClose: () => void;
  onUndone: (o: Opportunity) => void;
}) {
  const { t } = useTranslation();
  const action = useAction();
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const missing = touched && !reason.trim();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!reason.trim()) return;
    const r = await action.run(() => api('opportunities.undoWon', { id: o.id, reason: reason.trim() }));
    if (r) onUndone(r);
  };
  return (
    <Modal open title={t('opportunities.undo.title')} onClose={onClose} testId="opp-undo-dialog">
      <form noValidate onSubmit={submit} className="win-form">
        <p>
          {t('opportunities.undo.intro', {
            stage: backTo ? t(`opportunities.stage.${backTo}`) : '—',
          })}
        </p>
        <p className="muted">
          {o.customerName} · {t(`opportunities.product.${o.product}`)} ·{' '}
          {o.amount ? t('opportunities.win.amountRead', { amount: yuan(o.amount) }) : '—'}
          {o.closedOn ? ` · ${t('opportunities.undo.closed', { date: o.closedOn })}` : ''}
        </p>
        <p className="muted">
          {t(undo.as === 'own' ? 'opportunities.undo.ownHint' : 'opportunities.undo.supervisorHint')}
        </p>
        <ErrorNotice error={action.error} />
        <div className="field">
          <label htmlFor="opp-undo-reason">{t('opportunities.undo.reason')}</label>
          <input
            id="opp-undo-reason"
            data-testid="opp-undo-reason"
            maxLength={200}
            value={reason}
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? 'opp-undo-reason-problem' : undefined}
            onChange={(e) => setReason(e.target.value)}
          />
          {missing && (
            <p id="opp-undo-reason-problem" className="field-error" role="alert" data-testid="opp-undo-reason-problem">
              {t('opportunities.undo.reasonRequired')}
            </p>
          )}
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('opportunities.win.cancel')}
          </button>
          <button type="submit" className="btn btn-danger" data-testid="opp-undo-confirm" disabled={action.busy}>
            {t('opportunities.undo.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
