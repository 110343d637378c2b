import { useTranslation } from 'react-i18next';
import type { GuaranteeView } from '../../../../shared/api';
import { useApi } from '../../api/use-api';
import { Empty, ErrorNotice, Loading } from '../../components/ui';
import { fenToYuan, yuanToFen } from '../../../../shared/money';
import { yuan } from '../../format';
import { openCustomer } from '../../router';
import { LevelBadge } from './CustomerRisk';
import './analytics.css';

/** A guarantee's state in words: overdue N days, repaying, paid off, written off; the 五级分类 when below 正常. */
function stateOf(t: (k: string, o?: Record<string, unknown>) => string, g: GuaranteeView): string {
  if (g.status === 'paid_off') return t('guarantees.closed');
  if (g.status === 'written_off') return t('guarantees.writtenOff');
  const base = g.overdueDays > 0 ? t('guarantees.overdue', { days: g.overdueDays }) : t('guarantees.current');
  return g.classification !== 'normal'
    ? `${base}${t('risk.factsJoin')}${t(`c360.class.${g.classification}`, { defaultValue: g.classification })}`
    : base;
}

/** The other party: a link to their 360 when the user may see them, else the masked name and why. */
function Party({ g }: { g: GuaranteeView }) {
  const { t } = useTranslation();
  const p = g.party;
  if (!p.inScope || p.customerId == null)
    return (
      <span className="nowrap" data-testid="guarantee-party-masked">
        {p.name} <span className="muted">· {t('guarantees.outOfScope')}</span>
      </span>
    );
  const id = p.customerId;
  return (
    <span className="nowrap">
      <a
        href={`#/customer/${id}`}
        data-testid="guarantee-party-link"
        onClick={(e) => {
          e.preventDefault();
          openCustomer(id);
        }}
      >
        {p.name}
      </a>{' '}
      {p.level && <LevelBadge level={p.level} />}
    </span>
  );
}

function Table({ rows, party, testId }: { rows: GuaranteeView[]; party: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <table className="data-table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{party}</th>
          <th scope="col">{t('guarantees.loan')}</th>
          <th scope="col" className="num">
            {t('guarantees.balance')}
          </th>
          <th scope="col">{t('guarantees.state')}</th>
          <th scope="col">{t('guarantees.maturity')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((g) => (
          <tr
            key={`${g.loanNo}|${g.party.name}`}
            className={
              g.status === 'active' && (g.overdueDays > 0 || g.classification !== 'normal') ? 'row-rejected' : undefined
            }
          >
            <td>
              <Party g={g} />
            </td>
            <td>{g.product}</td>
            <td className="num">{yuan(g.balance)}</td>
            <td className="nowrap">{stateOf(t, g)}</td>
            <td className="nowrap">{g.maturityOn}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * 统一客户视图 · 担保关系: the loans the customer guarantees and the guarantors of their own loans. The
 * main process decides in SQL who the user may see (risk.guarantees): another manager's customer comes
 * masked and without an id, so it is shown without a link.
 */
export function CustomerGuarantees({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const r = useApi('risk.guarantees', { customerId });
  const d = r.data;
  const active = d?.given.filter((g) => g.status === 'active') ?? [];
  const exposure = active.reduce((s, g) => s + yuanToFen(g.balance), 0n);
  return (
    <section className="panel" aria-labelledby="c360-guarantees" data-testid="c360-guarantees" aria-busy={r.loading}>
      <h2 id="c360-guarantees">
        {t('guarantees.panelTitle')}
        {active.length > 0 && (
          <span className="muted">
            {' '}
            {t('guarantees.summaryGiven', { count: active.length, balance: yuan(fenToYuan(exposure)) })}
          </span>
        )}
      </h2>
      <ErrorNotice error={r.error} onRetry={r.reload} />
      {r.loading && !d && <Loading />}
      {d && (
        <div className="grid-2 grid-2-wide">
          <div>
            <h3>{t('guarantees.given')}</h3>
            {d.given.length === 0 ? (
              <Empty text={t('guarantees.noneGiven')} />
            ) : (
              <Table rows={d.given} party={t('guarantees.borrower')} testId="c360-guarantees-given" />
            )}
          </div>
          <div>
            <h3>{t('guarantees.received')}</h3>
            {d.received.length === 0 ? (
              <Empty text={t('guarantees.noneReceived')} />
            ) : (
              <Table rows={d.received} party={t('guarantees.guarantor')} testId="c360-guarantees-received" />
            )}
          </div>
        </div>
      )}
    </section>
  );
}
