import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PendingResetRow } from '../../../shared/api';
import { api } from '../api/client';
import { useAction, useApi } from '../api/use-api';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../components/ui';
import { dateTime } from '../format';

/**
 * 密码重置复核 (dual control): password resets an administrator requested for accounts with customer
 * access wait here for a second person — another administrator, or the branch president for its
 * managers and tellers. The main process decides who may approve (canDecide); the page only shows it.
 */
export function PendingResets({ onDecided }: { onDecided?: () => void }) {
  const { t } = useTranslation();
  const { data, error, loading, reload } = useApi('users.pendingResets', {});
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);

  async function decide(r: PendingResetRow, approve: boolean) {
    setDone(null);
    const res = await action.run(() => api('users.decideReset', { id: r.id, approve }));
    if (res) {
      setDone(t(approve ? 'passwordResets.approved' : 'passwordResets.rejected', { name: r.displayName }));
      reload();
      onDecided?.();
    }
  }

  return (
    <section className="panel" aria-labelledby="pending-resets-title" data-testid="pending-resets">
      <h2 id="pending-resets-title">{t('passwordResets.title')}</h2>
      <p className="muted">{t('passwordResets.intro')}</p>
      <SuccessNotice text={done} />
      <ErrorNotice error={action.error ?? error} onRetry={reload} />
      {loading && !data && <Loading />}
      {data &&
        (data.length === 0 ? (
          <Empty text={t('passwordResets.none')} />
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('fields.displayName')}</th>
                <th scope="col">{t('fields.role')}</th>
                <th scope="col">{t('passwordResets.requestedBy')}</th>
                <th scope="col">{t('passwordResets.requestedAt')}</th>
                <th scope="col">{t('passwordResets.expiresAt')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((r) => (
                <tr key={r.id} data-testid="pending-reset" data-username={r.username}>
                  <th scope="row">
                    {r.displayName} <span className="mono muted">{r.username}</span>
                  </th>
                  <td>{t(`roles.${r.role}`)}</td>
                  <td>{r.requestedBy}</td>
                  <td className="nowrap tabular">{dateTime(r.requestedAt)}</td>
                  <td className="nowrap tabular">{dateTime(r.expiresAt)}</td>
                  <td className="row-actions">
                    {r.canDecide ? (
                      <>
                        <button
                          type="button"
                          className="btn btn-small btn-primary"
                          data-testid="reset-approve"
                          disabled={action.busy}
                          onClick={() => void decide(r, true)}
                        >
                          {t('passwordResets.approve')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-small"
                          data-testid="reset-reject"
                          disabled={action.busy}
                          onClick={() => void decide(r, false)}
                        >
                          {t('passwordResets.reject')}
                        </button>
                      </>
                    ) : (
                      <span className="muted">{t('passwordResets.notYours')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

/** The page the president reaches from the menu (administrators see the same list on 用户管理). */
export function PasswordResetsPage() {
  const { t } = useTranslation();
  return (
    <section className="page" data-testid="password-resets-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.passwordResets')}</h1>
      </header>
      <PendingResets />
    </section>
  );
}
