import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/use-api';
import { count, yuan } from '../../format';
import { currentLanguage } from '../../i18n';
import { useCan } from '../../session';
import { ppmPercent, ratePercent } from './score-text';
import './scores.css';

/** Ledger months shown on the 360 (the latest first). */
const LEDGER_ROWS = 6;

/**
 * 客户价值 on the customer 360: contribution, loyalty, lifetime value and points, each with how it was
 * made (per product class: average balance × rate = income; the loyalty sub-scores and weights; CLV's
 * multiplier and what it is made of; the latest months of the points ledger).
 */
export function CustomerValuePanel({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const can = useCan('customer.read');
  const state = useApi('scores.customer', { customerId }, { enabled: can });
  if (!can || state.loading || state.error) return null;
  const s = state.data;
  return (
    <section className="panel c360-value" aria-labelledby="c360-value" data-testid="c360-value">
      <h2 id="c360-value">{t('scores.panel.title')}</h2>
      {!s ? (
        <p className="muted">{t('scores.panel.notYet')}</p>
      ) : (
        <>
          <p className="muted">{t('scores.panel.asOf', { asOf: s.asOf, from: s.window[0], to: s.window[1] })}</p>
          <div className="value-figures">
            <div className="value-figure" data-testid="c360-contribution">
              <div className="figure-label">{t('scores.panel.contribution')}</div>
              <div className="figure-value">{yuan(s.contribution)}</div>
              <div className="figure-sub">{t('scores.panel.perYearYuan')}</div>
            </div>
            <div className="value-figure" data-testid="c360-loyalty">
              <div className="figure-label">{t('scores.panel.loyalty')}</div>
              <div className="figure-value">{s.loyalty}</div>
              <div className="figure-sub">/ 100</div>
            </div>
            <div className="value-figure" data-testid="c360-clv">
              <div className="figure-label">{t('scores.panel.clv')}</div>
              <div className="figure-value">{yuan(s.clv)}</div>
              <div className="figure-sub">
                {t('scores.panel.clvHow', {
                  c: yuan(s.contribution),
                  f: s.clvFactor.toFixed(4),
                  rho: ppmPercent(s.retentionPpm),
                  r: ratePercent(s.discountRatePpm),
                  h: s.horizonYears,
                })}
              </div>
            </div>
            <div className="value-figure" data-testid="c360-points">
              <div className="figure-label">{t('scores.panel.points')}</div>
              <div className="figure-value">{count(s.points, lng)}</div>
              <div className="figure-sub">{t('scores.panel.pointsHow', { m: s.expiryMonths })}</div>
            </div>
          </div>
          <div className="value-tables">
            <table className="data-table compact" data-testid="c360-contribution-parts">
              <thead>
                <tr>
                  <th scope="col">{t('scores.panel.cls')}</th>
                  <th scope="col" className="num">
                    {t('scores.panel.average')}
                  </th>
                  <th scope="col" className="num">
                    {t('scores.panel.rate')}
                  </th>
                  <th scope="col" className="num">
                    {t('scores.panel.income')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.parts.map((p) => (
                  <tr key={p.cls}>
                    <th scope="row">{t(`scores.class.${p.cls}`)}</th>
                    <td className="num">{yuan(p.average)}</td>
                    <td className="num">{ratePercent(p.ratePpm)}</td>
                    <td className="num">{yuan(p.income)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row" colSpan={3}>
                    {t('scores.panel.feeRow', { share: ratePercent(s.feeSharePpm) })}
                  </th>
                  <td className="num">{yuan(s.fee)}</td>
                </tr>
                <tr className="total-row">
                  <th scope="row" colSpan={3}>
                    {t('scores.panel.contribution')}
                  </th>
                  <td className="num">{yuan(s.contribution)}</td>
                </tr>
              </tbody>
            </table>
            <table className="data-table compact" data-testid="c360-loyalty-parts">
              <thead>
                <tr>
                  <th scope="col">{t('scores.panel.loyalty')}</th>
                  <th scope="col" className="num">
                    {t('scores.panel.score')}
                  </th>
                  <th scope="col" className="num">
                    {t('scores.panel.weight')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.loyaltyParts.map((p) => (
                  <tr key={p.part}>
                    <th scope="row">{t(`scores.panel.part.${p.part}`)}</th>
                    <td className="num">{p.score.toFixed(2)}</td>
                    <td className="num">{p.weight}%</td>
                  </tr>
                ))}
                <tr className="total-row">
                  <th scope="row">{t('scores.panel.loyalty')}</th>
                  <td className="num">{s.loyalty}</td>
                  <td className="num">100%</td>
                </tr>
              </tbody>
            </table>
            {s.ledger.length === 0 ? (
              <p className="muted">{t('scores.panel.noLedger')}</p>
            ) : (
              <table className="data-table compact" data-testid="c360-points-ledger">
                <thead>
                  <tr>
                    <th scope="col">{t('scores.panel.month')}</th>
                    <th scope="col" className="num">
                      {t('scores.panel.balancePts')}
                    </th>
                    <th scope="col" className="num">
                      {t('scores.panel.txnPts')}
                    </th>
                    <th scope="col" className="num">
                      {t('scores.panel.expiredPts')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.ledger.slice(0, LEDGER_ROWS).map((l) => (
                    <tr key={l.month}>
                      <th scope="row">{l.month}</th>
                      <td className="num">{count(l.balance, lng)}</td>
                      <td className="num">{count(l.txn, lng)}</td>
                      <td className="num">{l.expired ? `−${count(l.expired, lng)}` : '0'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </>
      )}
    </section>
  );
}
