import { useTranslation } from 'react-i18next';
import { count } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** 我的名单与查询: the user's customer lists and saved queries with their counts; each opens the grid. */
export function ViewsWidget({ data }: WidgetProps<'views'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (data.items.length === 0) return <p className="muted">{t('desktop.views.empty')}</p>;
  return (
    <table className="data-table compact" data-testid="desk-views">
      <tbody>
        {data.items.map((i) => (
          <tr key={`${i.type}-${i.id}`}>
            <td className="muted">{t(`desktop.views.${i.type}`)}</td>
            <th scope="row" title={i.name}>
              {i.name}
            </th>
            <td className="num">
              <Drill filter={i.drill} label={i.name} testId={`desk-view-${i.type}-${i.id}`}>
                {count(i.count, lng)}
              </Drill>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
