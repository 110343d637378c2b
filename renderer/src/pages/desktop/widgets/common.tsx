import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { GridFilter, WidgetCustomer } from '../../../../../shared/api';
import { TierBadge } from '../../../components/Figures';
import { wan, yuan } from '../../../format';
import { openCustomer } from '../../../router';
import { drillTo } from '../drill';

/** A figure that opens the customer grid filtered to exactly the customers behind it. */
export function Drill({
  filter,
  label,
  children,
  testId,
}: {
  filter: GridFilter;
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="drill"
      title={t('desktop.drillHint')}
      data-testid={testId}
      onClick={() => drillTo(filter, label)}
    >
      {children}
    </button>
  );
}

/** Customers listed by a widget; a name opens the customer 360. */
export function CustomerRows({
  rows,
  amountLabel,
  showDate,
  testId,
}: {
  rows: WidgetCustomer[];
  amountLabel?: string;
  showDate?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <table className="data-table compact" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('customer.name')}</th>
          <th scope="col">{t('customer.tier')}</th>
          {showDate && (
            <th scope="col" style={{ whiteSpace: 'nowrap' }}>
              {showDate}
            </th>
          )}
          <th scope="col" className="num">
            {amountLabel ?? t('desktop.pyramid.aum')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <th scope="row">
              <button
                type="button"
                className="link-button"
                onClick={() => openCustomer(r.id)}
                title={`${r.name} · ${r.customerNo}`}
              >
                {r.name}
              </button>
            </th>
            <td>
              <TierBadge tier={r.tier as never} />
            </td>
            {/* a date is never broken over two lines (the name gives way first) */}
            {showDate && (
              <td className="tabular" style={{ whiteSpace: 'nowrap' }}>
                {r.on ?? ''}
              </td>
            )}
            <td className="num" style={{ whiteSpace: 'nowrap' }} title={yuan(r.amount ?? r.aum)}>
              {amountLabel ? yuan(r.amount ?? '0.00') : wan(r.aum)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
