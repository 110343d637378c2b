import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { GridFilter, OpportunityProduct } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction } from '../../api/use-api';
import { ErrorNotice, Modal } from '../../components/ui';
import { count } from '../../format';
import { DateField } from '../../components/DateField';
import { ProductSelect } from './ProductSelect';

/** 下发营销名单 from the customer grid: everyone the current filter keeps (in the president's scope). */
export function PushCampaignDialog({
  filter,
  filtered,
  onClose,
}: {
  filter: GridFilter;
  filtered: number | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const action = useAction();
  const [name, setName] = useState('');
  const [product, setProduct] = useState<OpportunityProduct>('wealth');
  const [dueOn, setDueOn] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await action.run(() =>
      api('campaigns.create', { name: name.trim(), product, ...(dueOn ? { dueOn } : {}), source: { filter } }),
    );
    if (c) {
      onClose();
      window.location.hash = '#/campaigns';
    }
  };
  return (
    <Modal open title={t('campaigns.new')} onClose={onClose} testId="grid-push-campaign-dialog">
      <form className="form-grid" onSubmit={submit}>
        <p className="muted">{t('campaigns.fromGrid', { n: filtered === null ? '—' : count(filtered) })}</p>
        <ErrorNotice error={action.error} />
        <div className="field">
          <label htmlFor="push-name">{t('campaigns.name')}</label>
          <input
            id="push-name"
            data-testid="grid-push-name"
            maxLength={60}
            value={name}
            onChange={(e) => setName(e.target.value)}
            // biome-ignore lint/a11y/noAutofocus: the dialog was opened to name the list; typing starts here
            autoFocus
          />
        </div>
        <div className="field">
          <label htmlFor="push-product">{t('campaigns.product')}</label>
          <ProductSelect id="push-product" value={product} onChange={setProduct} />
        </div>
        <div className="field">
          <label htmlFor="push-due">{t('campaigns.dueOn')}</label>
          <DateField id="push-due" value={dueOn} onChange={setDueOn} testId="push-due" />
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="grid-push-submit"
            disabled={!name.trim() || action.busy}
          >
            {t('campaigns.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
