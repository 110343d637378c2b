import type { ColDef } from 'ag-grid-community';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StaleCustomer } from '../../../../shared/api';
import { useApi } from '../../api/use-api';
import { TierBadge } from '../../components/Figures';
import { dateColumn, moneyColumn, numberColumn } from '../../components/ListGrid';
import { customerColumns, listPage, managerColumn, PagedList } from '../../components/PagedList';
import { ErrorNotice } from '../../components/ui';
import { count, wan } from '../../format';
import { currentLanguage } from '../../i18n';
import { openCustomer } from '../../router';

// A page is what the grid sorts: the API's largest.
const LIMIT = 200;
const customerId = (r: StaleCustomer) => r.id;
const openRow = (r: StaleCustomer) => openCustomer(r.id);

function useColumns(): ColDef<StaleCustomer>[] {
  // t changes with the language: the headers and values are rebuilt in the new one
  const { t } = useTranslation();
  return useMemo(
    () => [
      ...customerColumns<StaleCustomer>(
        { customerNo: t('customer.customerNo'), name: t('customer.name') },
        { flex: 1, minWidth: 120 },
      ),
      {
        colId: 'tier',
        headerName: t('customer.tier'),
        valueGetter: (p) => (p.data ? t(`tiers.${p.data.tier ?? 'none'}`) : null),
        cellRenderer: (p: { data?: StaleCustomer }) => (p.data ? <TierBadge tier={p.data.tier} /> : null),
      },
      managerColumn<StaleCustomer>(t('customer.manager'), t('customer.noManager')),
      moneyColumn<StaleCustomer>('aum', `AUM (${t('units.wan')})`, (r) => r.aum, {
        valueFormatter: (p) => (p.value ? wan(p.value) : '—'),
      }),
      dateColumn<StaleCustomer>('lastOn', t('contact.stale.lastOn'), (r) => r.lastContactOn, {
        valueFormatter: (p) => p.value ?? t('contact.stale.never'),
      }),
      {
        colId: 'channel',
        headerName: t('contact.stale.lastChannel'),
        valueGetter: (p) => (p.data?.lastChannel ? t(`contact.channel.${p.data.lastChannel}`) : '—'),
      },
      // never contacted is the stalest: it sorts past every count
      numberColumn<StaleCustomer>('daysSince', t('contact.stale.daysSince'), (r) => r.daysSince, {
        comparator: (a: number | null, b: number | null) =>
          (a ?? Number.POSITIVE_INFINITY) - (b ?? Number.POSITIVE_INFINITY) || 0,
      }),
    ],
    [t],
  );
}

/** 久未联系客户: customers in the caller's scope not contacted for N days or more (or never), largest AUM first. */
export function StaleContactsPage() {
  const { t } = useTranslation();
  const [days, setDays] = useState(90);
  const [offset, setOffset] = useState(0);
  const id = useId();
  const valid = Number.isInteger(days) && days >= 1 && days <= 3650;
  const list = useApi('contacts.stale', { days: valid ? days : 90, offset, limit: LIMIT }, { enabled: valid });
  const d = list.data;
  const columns = useColumns();
  return (
    <section className="page" data-testid="stale-contacts-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('contact.stale.title')}</h1>
      </header>
      <div className="field" style={{ maxWidth: 240 }}>
        <label htmlFor={id}>{t('contact.stale.days')}</label>
        <input
          id={id}
          type="number"
          min={1}
          max={3650}
          value={days}
          onChange={(e) => {
            setDays(Number(e.target.value));
            setOffset(0);
          }}
          data-testid="stale-days"
        />
      </div>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {/* a row's detail is the customer's 360 */}
      <PagedList<StaleCustomer>
        label={t('contact.stale.title')}
        count={d && t('contact.stale.count', { n: count(d.total, currentLanguage()), days, cutoff: d.cutoff })}
        countTestId="stale-count"
        {...listPage(list, { offset, limit: LIMIT, onOffset: setOffset }, valid)}
        columns={columns}
        rowId={customerId}
        onOpen={openRow}
        emptyText={t('contact.stale.empty')}
        testId="stale-table"
        rowTestId="stale-row"
        rowAttrs={(r) => ({ 'data-customer-no': r.customerNo })}
      />
    </section>
  );
}
