import { useTranslation } from 'react-i18next';
import type { WidgetProps } from '../registry';
import { CustomerRows } from './common';

/** 存款变动客户: the largest rises or falls since the previous month end; a name opens the customer 360. */
export function MoversWidget({ data }: WidgetProps<'movers'>) {
  const { t } = useTranslation();
  return (
    <>
      {data.since && <p className="muted small">{t('desktop.movers.since', { month: data.since })}</p>}
      {data.rows.length === 0 ? (
        <p className="muted">{t('desktop.movers.empty')}</p>
      ) : (
        <CustomerRows rows={data.rows} amountLabel={t('desktop.movers.change')} testId={`desk-movers-${data.direction}`} />
      )}
    </>
  );
}
