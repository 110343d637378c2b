import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { factorText } from '../../../../shared/lab';
import { useApi } from '../../api/use-api';
import { ErrorNotice, Pager } from '../../components/ui';
import { currentLanguage } from '../../i18n';
import { openCustomer } from '../../router';
import { DecileBadge } from './CustomerModelScores';
import { pct1 } from './lab-text';

const PAGE = 10;

/** The customers of the chosen top groups (in the caller's scope), best first, each with why, in words. */
export function TopCustomers({ version, deciles }: { version: number; deciles: number[] }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const [offset, setOffset] = useState(0);
  const key = deciles.join(',');
  const [shownKey, setShownKey] = useState(key);
  // a new range starts at its first page
  if (shownKey !== key) {
    setShownKey(key);
    setOffset(0);
  }
  const state = useApi('lab.scores', { version, deciles, offset, limit: PAGE });
  const rows = state.data?.rows ?? [];
  return (
    <details className="lab-top-customers" data-testid="lab-top-customers">
      <summary>{t('lab.push.who')}</summary>
      <ErrorNotice error={state.error} onRetry={state.reload} />
      <table className="data-table compact">
        <thead>
          <tr>
            <th scope="col">{t('customer.customerNo')}</th>
            <th scope="col">{t('customer.name')}</th>
            <th scope="col">{t('customer.manager')}</th>
            <th scope="col">{t('lab.score.group')}</th>
            <th scope="col" className="num">
              {t('lab.score.probability')}
            </th>
            <th scope="col">{t('lab.score.factors')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.customerId} data-testid="lab-top-customer" data-customer-id={r.customerId}>
              <td className="mono">{r.customerNo}</td>
              <td>
                <button type="button" className="lab-version-link" onClick={() => openCustomer(r.customerId)}>
                  {r.name}
                </button>
              </td>
              <td>{r.managerName ?? t('customer.noManager')}</td>
              <td>
                <DecileBadge decile={r.decile} />
              </td>
              <td className="num">{pct1(r.score)}</td>
              <td className="lab-factors-cell">
                {r.factors.map((f) => factorText(f, lng)).join(t('lab.score.factorSeparator'))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.data && state.data.total > PAGE && (
        <Pager
          offset={offset}
          limit={PAGE}
          rows={rows.length}
          total={state.data.total}
          onOffset={setOffset}
          busy={state.loading}
        />
      )}
    </details>
  );
}
