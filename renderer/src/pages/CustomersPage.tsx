import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS, type Tier } from '../../../shared/api';
import { useApi } from '../api/useApi';
import { CustomerTable } from '../components/CustomerTable';
import { Empty, ErrorNotice, Loading, Pager } from '../components/ui';
import { useCan } from '../session';

const PAGE_SIZE = 50;

/** Customers in the caller's scope, largest AUM first, a page at a time, optionally one tier. */
export function CustomersPage() {
  const { t } = useTranslation();
  const canReveal = useCan('customer.unmask');
  const tierId = useId();
  const [offset, setOffset] = useState(0);
  const [tier, setTier] = useState<Tier | ''>('');
  const { data, error, loading, reload } = useApi('customers.list', {
    offset,
    limit: PAGE_SIZE,
    ...(tier ? { tier } : {}),
  });

  return (
    <section className="page" data-testid="customers-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.customers')}</h1>
        <div className="toolbar">
          <label htmlFor={tierId}>{t('customers.tierFilter')}</label>
          <select
            id={tierId}
            data-testid="tier-filter"
            value={tier}
            onChange={(e) => {
              const v = e.target.value;
              setTier((TIERS as readonly string[]).includes(v) ? (v as Tier) : '');
              setOffset(0);
            }}
          >
            <option value="">{t('customers.allTiers')}</option>
            {TIERS.map((x) => (
              <option key={x} value={x}>
                {t(`tiers.${x}`)}
              </option>
            ))}
          </select>
        </div>
      </header>
      <ErrorNotice error={error} onRetry={reload} />
      {loading && !data && <Loading />}
      {data && (
        <div className="panel" aria-busy={loading}>
          {data.rows.length === 0 ? (
            <Empty text={t('customers.empty')} />
          ) : (
            <CustomerTable rows={data.rows} caption={t('nav.customers')} canReveal={canReveal} startIndex={offset} />
          )}
          <Pager
            offset={offset}
            limit={PAGE_SIZE}
            rows={data.rows.length}
            total={data.total}
            busy={loading}
            onOffset={setOffset}
          />
        </div>
      )}
    </section>
  );
}
