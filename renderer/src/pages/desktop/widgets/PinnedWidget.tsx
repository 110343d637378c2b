import { useTranslation } from 'react-i18next';
import { count } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { CustomerRows, Drill } from './common';

/** A customer list or saved query pinned to the desktop: its count (opens the grid) and its largest customers. */
export function PinnedWidget({ data }: WidgetProps<'list' | 'query'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (data.missing) return <p className="muted">{t('desktop.list.missing')}</p>;
  return (
    <>
      <p>
        <Drill filter={data.drill} label={data.name ?? ''} testId={`desk-${data.kind}-count`}>
          {t('desktop.list.count', { n: count(data.count, lng) })}
        </Drill>
      </p>
      {data.rows.length > 0 && <CustomerRows rows={data.rows} testId={`desk-${data.kind}-rows`} />}
    </>
  );
}
