import { useTranslation } from 'react-i18next';
import { factorText } from '../../../../shared/lab';
import { useApi } from '../../api/use-api';
import { dateTime } from '../../format';
import { currentLanguage } from '../../i18n';
import { useCan } from '../../session';
import { pct1, targetLabel } from './lab-text';
import './lab.css';

/** A decile as a badge: the top groups stand out (1 red, 2–3 amber). */
export function DecileBadge({ decile }: { decile: number }) {
  const { t } = useTranslation();
  const heat = decile === 1 ? ' hot' : decile <= 3 ? ' warm' : '';
  return (
    <span className={`lab-decile${heat}`} data-decile={decile}>
      {t('lab.score.decileN', { n: decile })}
    </span>
  );
}

/**
 * 模型评分 on the customer 360: for each model in use, the customer's group (1 = the tenth most likely),
 * the probability and the three factors that raise it most, in words. Nothing shows when no model scores
 * the book yet.
 */
export function CustomerModelScores({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const can = useCan('customer.read');
  const state = useApi('lab.customerScores', { customerId }, { enabled: can });
  const scores = state.data ?? [];
  if (!scores.length) return null;
  return (
    <section className="panel" aria-labelledby="c360-models" data-testid="c360-models">
      <h2 id="c360-models">{t('lab.score.title')}</h2>
      <table className="data-table compact lab-customer-scores">
        <thead>
          <tr>
            <th scope="col">{t('lab.score.model')}</th>
            <th scope="col">{t('lab.score.group')}</th>
            <th scope="col" className="num">
              {t('lab.score.probability')}
            </th>
            <th scope="col">{t('lab.score.factors')}</th>
          </tr>
        </thead>
        <tbody>
          {scores.map((s) => (
            <tr key={s.key} data-testid="c360-model" data-key={s.key} data-decile={s.decile}>
              <th scope="row" title={t('lab.score.scoredBy', { version: s.version, on: dateTime(s.scoredAt) })}>
                {targetLabel(t, s.target)}
              </th>
              <td title={t('lab.score.decileHint')}>
                <DecileBadge decile={s.decile} />
              </td>
              <td className="num">{pct1(s.score)}</td>
              <td className="lab-factors-cell" data-testid="c360-model-factors">
                {s.factors.map((f) => factorText(f, lng)).join(t('lab.score.factorSeparator'))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
