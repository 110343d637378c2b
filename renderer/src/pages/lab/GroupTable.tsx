import { useTranslation } from 'react-i18next';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';

/** One row of the ten-group table (group 1 = the highest scores). */
export interface GroupView {
  group: number;
  customers: number;
  positives: number;
  /** 0..1 */
  rate: number;
  lift: number;
  /** 0..1: share of all positives found in groups 1..this one. */
  cumulativeCapture: number;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—');

/**
 * 十分组表: the customers ranked by score in ten groups, each with its count, the actual rate of the
 * outcome and the lift over the overall rate; the total row's count is the customers scored.
 */
export function GroupTable({ rows, outcome, testId }: { rows: readonly GroupView[]; outcome: string; testId: string }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const customers = rows.reduce((n, r) => n + r.customers, 0);
  const positives = rows.reduce((n, r) => n + r.positives, 0);
  const maxLift = Math.max(1, ...rows.map((r) => r.lift));
  return (
    <table className="data-table compact lab-groups" data-testid={testId}>
      <caption>{t('lab.groups.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('lab.groups.group')}</th>
          <th scope="col" className="num">
            {t('lab.groups.customers')}
          </th>
          <th scope="col" className="num">
            {t('lab.groups.positives', { outcome })}
          </th>
          <th scope="col" className="num">
            {t('lab.groups.rate', { outcome })}
          </th>
          <th scope="col" className="num lab-lift-col">
            {t('lab.groups.lift')}
          </th>
          <th scope="col" className="num">
            {t('lab.groups.capture')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.group}
            data-testid={`${testId}-row`}
            data-group={r.group}
            data-customers={r.customers}
            data-lift={r.lift}
          >
            <th scope="row">{t('lab.groups.groupN', { n: r.group })}</th>
            <td className="num">{count(r.customers, lng)}</td>
            <td className="num">{count(r.positives, lng)}</td>
            <td className="num">{pct(r.rate)}</td>
            <td className="num lab-lift-col">
              <span className="lab-lift-bar" aria-hidden="true" style={{ width: `${(r.lift * 100) / maxLift}%` }} />
              <span className="lab-lift-text">{r.lift.toFixed(2)}</span>
            </td>
            <td className="num">{pct(r.cumulativeCapture)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr data-testid={`${testId}-total`} data-customers={customers}>
          <th scope="row">{t('lab.groups.total')}</th>
          <td className="num">{count(customers, lng)}</td>
          <td className="num">{count(positives, lng)}</td>
          <td className="num">{pct(customers ? positives / customers : Number.NaN)}</td>
          <td className="num lab-lift-col">1.00</td>
          <td className="num">{customers ? '100.0%' : '—'}</td>
        </tr>
      </tfoot>
    </table>
  );
}
