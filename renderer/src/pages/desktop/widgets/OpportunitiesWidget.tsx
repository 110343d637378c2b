import { useTranslation } from 'react-i18next';
import { count, yuan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';

/** The opportunities list (商机管理) opened on one stage. */
export const stageHref = (stage: string) => `#/opportunities?stage=${encodeURIComponent(stage)}`;

/**
 * 商机漏斗: open opportunities in the caller's scope (a manager's own, the president's branch) by stage,
 * count and amount; a stage opens the opportunities list filtered to exactly that stage.
 */
export function OpportunitiesWidget({ data }: WidgetProps<'opportunities'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const max = Math.max(1, ...data.stages.map((s) => s.count));
  return (
    <>
      <p className="small">
        {t('desktop.opportunities.total', { n: count(data.open, lng), amount: yuan(data.amount) })}
      </p>
      <table className="data-table compact" data-testid="desk-opportunities">
        <thead>
          <tr>
            <th scope="col">{t('desktop.opportunities.stage')}</th>
            <th scope="col" className="num">
              {t('desktop.opportunities.count')}
            </th>
            <th scope="col" className="num">
              {t('desktop.opportunities.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {data.stages.map((s) => (
            <tr key={s.stage}>
              <th scope="row">
                <span
                  aria-hidden="true"
                  style={{
                    display: 'inline-block',
                    height: 8,
                    width: `${Math.round((s.count / max) * 60)}px`,
                    background: 'var(--brand)',
                    marginRight: 6,
                    verticalAlign: 'middle',
                  }}
                />
                {t(`opportunities.stage.${s.stage}`)}
              </th>
              <td className="num">
                <a
                  href={stageHref(s.stage)}
                  title={t('desktop.opportunities.drillHint')}
                  data-testid={`desk-opp-${s.stage}`}
                  data-count={s.count}
                >
                  {count(s.count, lng)}
                </a>
              </td>
              <td className="num tabular">{yuan(s.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
