import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/useApi';
import { TierBadge } from '../../components/Figures';
import { Empty, ErrorNotice, Loading, Pager } from '../../components/ui';
import { count, wan } from '../../format';
import { currentLanguage } from '../../i18n';
import { openCustomer } from '../../router';

const LIMIT = 50;

/** 久未联系客户: customers in the caller's scope not contacted for N days or more (or never), largest AUM first. */
export function StaleContactsPage() {
  const { t } = useTranslation();
  const [days, setDays] = useState(90);
  const [offset, setOffset] = useState(0);
  const id = useId();
  const valid = Number.isInteger(days) && days >= 1 && days <= 3650;
  const list = useApi('contacts.stale', { days: valid ? days : 90, offset, limit: LIMIT }, { enabled: valid });
  const d = list.data;
  return (
    <section className="page" data-testid="stale-contacts-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('contact.stale.title')}</h1>
      </header>
      <div className="field" style={{ maxWidth: 240 }}>
        <label htmlFor={id}>{t('contact.stale.days')}</label>
        <input
          id={id}
          type="number"
          min={1}
          max={3650}
          value={days}
          onChange={(e) => {
            setDays(Number(e.target.value));
            setOffset(0);
          }}
          data-testid="stale-days"
        />
      </div>
      {list.loading && !d && <Loading />}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {d && (
        <p className="muted" data-testid="stale-count" aria-live="polite">
          {t('contact.stale.count', { n: count(d.total, currentLanguage()), days, cutoff: d.cutoff })}
        </p>
      )}
      {d && d.rows.length === 0 && <Empty text={t('contact.stale.empty')} />}
      {d && d.rows.length > 0 && (
        <section className="panel">
          <div className="table-wrap">
            <table className="data-table" data-testid="stale-table">
              <thead>
                <tr>
                  <th scope="col">{t('customer.customerNo')}</th>
                  <th scope="col">{t('customer.name')}</th>
                  <th scope="col">{t('customer.tier')}</th>
                  <th scope="col">{t('customer.manager')}</th>
                  <th scope="col" className="num">
                    AUM ({t('units.wan')})
                  </th>
                  <th scope="col">{t('contact.stale.lastOn')}</th>
                  <th scope="col">{t('contact.stale.lastChannel')}</th>
                  <th scope="col" className="num">
                    {t('contact.stale.daysSince')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.id} data-testid="stale-row">
                    <td className="mono">{r.customerNo}</td>
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => openCustomer(r.id)}>
                        {r.name}
                      </button>
                    </td>
                    <td>
                      <TierBadge tier={r.tier} />
                    </td>
                    <td>{r.managerName ?? t('customer.noManager')}</td>
                    <td className="num tabular">{wan(r.aum)}</td>
                    <td className="tabular">{r.lastContactOn ?? t('contact.stale.never')}</td>
                    <td>{r.lastChannel ? t(`contact.channel.${r.lastChannel}`) : '—'}</td>
                    <td className="num">{r.daysSince ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            offset={offset}
            limit={LIMIT}
            rows={d.rows.length}
            total={d.total}
            onOffset={setOffset}
            busy={list.loading}
          />
        </section>
      )}
    </section>
  );
}
