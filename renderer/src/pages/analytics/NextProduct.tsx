import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/use-api';
import './analytics.css';
import { Empty, ErrorNotice, Loading } from '../../components/ui';
import { offerReason } from './np-text';

/** 柜员: "可推荐：理财、基金" under the customer card, each with its reason. */
export function NextProductHint({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const r = useApi('nextProduct.forCustomer', { customerId });
  if (r.error) return <ErrorNotice error={r.error} onRetry={r.reload} />;
  const offers = r.data?.offers ?? [];
  if (!r.data || offers.length === 0) return null;
  return (
    <div className="np-hint" data-testid="next-product-hint">
      <p className="np-hint-line">
        <strong>{t('np.hint')}</strong>
        {offers.map((o) => t(`np.items.${o.item}`)).join(t('common.listSeparator'))}
      </p>
      <ul className="np-reasons">
        {offers.map((o) => (
          <li key={o.item} className="muted">
            {offerReason(t, o)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** 统一客户视图: the products to suggest, with the figures behind each. */
export function CustomerNextProducts({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const r = useApi('nextProduct.forCustomer', { customerId });
  return (
    <section className="panel" aria-labelledby="c360-next-product" data-testid="c360-next-product">
      <h2 id="c360-next-product">{t('np.panelTitle')}</h2>
      <ErrorNotice error={r.error} onRetry={r.reload} />
      {r.loading && !r.data && <Loading />}
      {r.data && r.data.offers.length === 0 && <Empty text={t('np.none')} />}
      {r.data && r.data.offers.length > 0 && (
        <ol className="np-offers">
          {r.data.offers.map((o) => (
            <li key={o.item}>
              <strong>{t(`np.items.${o.item}`)}</strong>
              <span className="muted"> · {offerReason(t, o)}</span>
            </li>
          ))}
        </ol>
      )}
      <p className="muted small">{t('np.panelNote')}</p>
    </section>
  );
}
