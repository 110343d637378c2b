import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OpportunityProduct } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { ErrorNotice, SuccessNotice } from '../../components/ui';
import { yuan } from '../../format';
import { useCan } from '../../session';
import { MoneyInput } from '../../components/MoneyInput';
import { moneyInputForApi } from '../../../../shared/money-input';
import { ProductSelect } from './ProductSelect';

/** The customer 360's 商机 panel: this customer's opportunities the caller may see, and a new one by hand. */
export function CustomerOpportunities({ customerId }: { customerId: number }) {
  const can = useCan('opportunity.work');
  if (!can) return null;
  return <Panel customerId={customerId} />;
}

function Panel({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const list = useApi('opportunities.list', { filter: { customerId }, limit: 20 });
  const action = useAction();
  const [product, setProduct] = useState<OpportunityProduct>('wealth');
  const [amount, setAmount] = useState('');
  const [title, setTitle] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const o = await action.run(() =>
      api('opportunities.create', {
        customerId,
        product,
        ...(amount.trim() ? { amount: moneyInputForApi(amount) } : {}),
        ...(title.trim() ? { title: title.trim() } : {}),
      }),
    );
    if (o) {
      setDone(t('opportunities.created'));
      setAmount('');
      setTitle('');
      list.reload();
    }
  };
  return (
    <section className="panel" aria-labelledby="c360-opps" data-testid="c360-opportunities">
      <h2 id="c360-opps">
        <a href="#/opportunities">{t('opportunities.title')}</a>
      </h2>
      <ErrorNotice error={list.error ?? action.error} onRetry={list.reload} />
      <SuccessNotice text={done} />
      {list.data && list.data.rows.length === 0 && <p className="muted">{t('opportunities.none')}</p>}
      {list.data && list.data.rows.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('opportunities.col.title')}</th>
              <th scope="col">{t('opportunities.col.product')}</th>
              <th scope="col" className="num">
                {t('opportunities.col.amount')}
              </th>
              <th scope="col">{t('opportunities.col.stage')}</th>
              <th scope="col">{t('opportunities.col.dueOn')}</th>
              <th scope="col">{t('opportunities.col.owner')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.rows.map((o) => (
              <tr key={o.id} data-stage={o.stage}>
                <td>
                  {o.ruleCode
                    ? t(`opportunities.rule.${o.ruleCode}`)
                    : (o.title ?? t(`opportunities.source.${o.source}`))}
                </td>
                <td>{t(`opportunities.product.${o.product}`)}</td>
                <td className="num tabular">{o.amount ? yuan(o.amount) : '—'}</td>
                <td>{t(`opportunities.stage.${o.stage}`)}</td>
                <td className="tabular">{o.dueOn ?? '—'}</td>
                <td>{o.ownerName ?? t('opportunities.queue')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="chips" onSubmit={create} aria-label={t('opportunities.new')}>
        <ProductSelect aria-label={t('opportunities.col.product')} value={product} onChange={setProduct} />
        <MoneyInput
          aria-label={t('opportunities.amount')}
          placeholder={t('opportunities.amount')}
          testId="c360-opp-amount"
          className="opp-amount-input"
          value={amount}
          onChange={setAmount}
        />
        <input
          aria-label={t('opportunities.col.title')}
          placeholder={t('opportunities.col.title')}
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <button type="submit" className="btn btn-small" data-testid="c360-opp-create" disabled={action.busy}>
          {t('opportunities.new')}
        </button>
      </form>
    </section>
  );
}
