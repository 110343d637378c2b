import { useTranslation } from 'react-i18next';
import { TierBadge } from '../../../components/Figures';
import { count, moneyShare, wan, yuan } from '../../../format';
import { currentLanguage } from '../../../i18n';
import type { WidgetProps } from '../registry';
import { Drill } from './common';

/** 客户分层金字塔: a bar per tier, widest for the largest; every count drills into the grid. */
export function PyramidWidget({ data }: WidgetProps<'tierPyramid'>) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const max = Math.max(1, ...data.tiers.map((x) => x.customers));
  return (
    <table className="data-table compact pyramid" data-testid="desk-pyramid">
      <thead>
        <tr>
          <th scope="col">{t('desktop.pyramid.tier')}</th>
          {/* The bar column is decoration: the counts beside it say the same to a screen reader. */}
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: a th is not focusable */}
          <th scope="col" className="pyramid-bar-col" aria-hidden="true" />
          <th scope="col" className="num">
            {t('desktop.pyramid.customers')}
          </th>
          <th scope="col" className="num">
            {t('desktop.pyramid.aum')}
          </th>
        </tr>
      </thead>
      <tbody>
        {data.tiers.map((x) => (
          <tr key={x.tier} data-tier={x.tier}>
            <th scope="row">
              <TierBadge tier={x.tier as never} />
            </th>
            <td className="pyramid-bar-col" aria-hidden="true">
              <span
                className={`pyramid-bar tier-${x.tier}`}
                style={{ width: `${Math.max(2, (x.customers * 100) / max)}%` }}
              />
            </td>
            <td className="num">
              <Drill
                filter={x.drill}
                label={`${t('desktop.kinds.tierPyramid')} · ${t(`tiers.${x.tier}`)}`}
                testId={`desk-tier-${x.tier}`}
              >
                {count(x.customers, lng)}
              </Drill>
            </td>
            <td className="num" title={`${yuan(x.aum)} · ${moneyShare(x.aum, data.aum)}`}>
              {wan(x.aum)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
