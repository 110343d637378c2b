import { useTranslation } from 'react-i18next';
import { count, share, wan, yuan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** 客户经理业绩排行 (president): managers by AUM; a manager's customer count drills into their book. */
export function StaffLeagueWidget({ data }: WidgetProps<'staffLeague'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (data.rows.length === 0) return <p className="muted">{t('desktop.league.empty')}</p>;
  return (
    <table className="data-table compact" data-testid="desk-league">
      <thead>
        <tr>
          <th scope="col" className="num">
            {t('desktop.league.rank')}
          </th>
          <th scope="col">{t('desktop.league.manager')}</th>
          <th scope="col" className="num">
            {t('desktop.league.customers')}
          </th>
          <th scope="col" className="num">
            {t('desktop.league.aum')}
          </th>
          <th scope="col" className="num">
            {t('desktop.league.quality')}
          </th>
        </tr>
      </thead>
      <tbody>
        {data.rows.map((r, i) => (
          <tr key={r.staffId}>
            <td className="num">{i + 1}</td>
            <th scope="row" title={r.name}>
              {r.name}
            </th>
            <td className="num">
              <Drill
                filter={r.drill}
                label={`${t('desktop.kinds.staffLeague')} · ${r.name}`}
                testId={`desk-league-${r.staffId}`}
              >
                {count(r.customers, lng)}
              </Drill>
            </td>
            <td className="num" title={yuan(r.aum)}>
              {wan(r.aum)}
            </td>
            <td className="num">{share(r.quality, r.customers)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
