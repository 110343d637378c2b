import { useTranslation } from 'react-i18next';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';
import type { WidgetProps } from '../desktop/registry';
import { Drill } from '../desktop/widgets/common';

/**
 * 模型评分分布 on a desktop: the customers in scope per group of the active churn model (group 1 the most
 * likely to leave); each count opens the grid on exactly those customers (高级查询 流失风险组 = N).
 */
export function ModelGroupsWidget({ data }: WidgetProps<'modelGroups'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (!data.model)
    return (
      <p className="muted" data-testid="desk-model-groups-none">
        {t('modelGroups.none')}
      </p>
    );
  const m = data.model;
  const scored = m.scoredOn ? t('modelGroups.scoredOn', { d: m.scoredOn }) : t('modelGroups.notScored');
  return (
    <div className="widget-model-groups">
      <p className="muted" data-testid="desk-model-groups-model">
        {t('modelGroups.model', { v: m.version, scored })} · {t('modelGroups.total', { n: count(data.customers, lng) })}
      </p>
      <table className="data-table compact" data-testid="desk-model-groups">
        <thead>
          <tr>
            <th scope="col">{t('modelGroups.group')}</th>
            <th scope="col" className="num">
              {t('modelGroups.customers')}
            </th>
          </tr>
        </thead>
        <tbody>
          {data.groups.map((g) => {
            const name = t('modelGroups.groupName', { n: g.group });
            const note = g.group === 1 ? t('modelGroups.top') : g.group === 10 ? t('modelGroups.bottom') : null;
            return (
              <tr key={g.group}>
                <th scope="row">
                  {name}
                  {note && <span className="muted"> · {note}</span>}
                </th>
                <td className="num">
                  <Drill
                    filter={g.drill}
                    label={`${t('modelGroups.title')} · ${name}`}
                    testId={`desk-model-group-${g.group}`}
                  >
                    {count(g.customers, lng)}
                  </Drill>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
