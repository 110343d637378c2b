import { useTranslation } from 'react-i18next';
import type { WidgetProps } from '../registry';
import { CustomerRows } from './common';

/** AUM movers: the largest rises or falls of the latest month end against the one before; a name opens the customer 360. */
export function MoversWidget({ data }: WidgetProps<'movers'>) {
  const { t } = useTranslation();
  return (
    <>
      {data.month && data.since && (
        <p className="muted small">{t('desktop.movers.since', { month: data.month, since: data.since })}</p>
      )}
      {data.rows.length === 0 ? (
        <p className="muted">{t('desktop.movers.empty')}</p>
      ) : (
        <CustomerRows
          rows={data.rows}
          amountLabel={t('desktop.movers.change')}
          testId={`desk-movers-${data.direction}`}
        />
      )}
    </>
  );
}
