import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserRow } from '../../../shared/api';
import { api } from '../api/client';
import { useAction, useApi } from '../api/use-api';
import { CreateUserForm, ResetPasswordDialog } from '../components/UserForms';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../components/ui';
import { dateTime } from '../format';
import { PendingResets } from './PasswordResetsPage';
import { useSession } from '../session';

/** 用户管理: local accounts — create, disable/enable, unlock, reset password. */
export function UsersPage() {
  const { t } = useTranslation();
  const { user: me } = useSession();
  const { data, error, loading, reload } = useApi('users.list', {});
  const action = useAction();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<UserRow | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // Bumped when a reset is requested: the pending list below is mounted afresh and reads the new request.
  const [resetsVersion, setResetsVersion] = useState(0);

  async function act(row: UserRow, kind: 'disable' | 'enable' | 'unlock') {
    setDone(null);
    const updated = await action.run(() =>
      kind === 'unlock'
        ? api('users.unlock', { id: row.id })
        : api('users.setDisabled', { id: row.id, disabled: kind === 'disable' }),
    );
    if (updated) {
      setDone(t(`users.done.${kind}`, { name: updated.displayName }));
      reload();
    }
  }

  return (
    <section className="page" data-testid="users-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.users')}</h1>
        {!creating && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="create-user"
            onClick={() => {
              setDone(null);
              setCreating(true);
            }}
          >
            {t('users.create')}
          </button>
        )}
      </header>
      {creating && (
        <CreateUserForm
          onCancel={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setDone(t('users.done.create', { name: u.displayName, username: u.username }));
            reload();
          }}
        />
      )}
      <SuccessNotice text={done} />
      <ErrorNotice error={action.error} />
      <ErrorNotice error={error} onRetry={reload} />
      {loading && !data && <Loading />}
      {data &&
        (data.length === 0 ? (
          <Empty text={t('users.empty')} />
        ) : (
          <div className="table-wrap panel">
            <table className="data-table" data-testid="users-table">
              <caption className="visually-hidden">{t('nav.users')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('fields.username')}</th>
                  <th scope="col">{t('fields.displayName')}</th>
                  <th scope="col">{t('fields.role')}</th>
                  <th scope="col">{t('users.staff')}</th>
                  <th scope="col">{t('users.branch')}</th>
                  <th scope="col">{t('users.status')}</th>
                  <th scope="col">{t('users.lastSignIn')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {data.map((u) => (
                  <tr key={u.id} data-testid="user-row" data-username={u.username}>
                    <td className="mono">{u.username}</td>
                    <th scope="row">{u.displayName}</th>
                    <td>{t(`roles.${u.role}`)}</td>
                    <td>{u.staffName ?? '—'}</td>
                    <td>{u.branchName ?? '—'}</td>
                    <td>
                      <UserStatus row={u} />
                    </td>
                    <td className="nowrap tabular">{dateTime(u.lastSignInAt)}</td>
                    <td className="row-actions">
                      {u.id !== me.id && (
                        <button
                          type="button"
                          className="btn btn-small"
                          data-testid={u.disabled ? 'user-enable' : 'user-disable'}
                          disabled={action.busy}
                          onClick={() => void act(u, u.disabled ? 'enable' : 'disable')}
                        >
                          {t(u.disabled ? 'users.enable' : 'users.disable')}
                        </button>
                      )}
                      {u.locked && (
                        <button
                          type="button"
                          className="btn btn-small"
                          data-testid="user-unlock"
                          disabled={action.busy}
                          onClick={() => void act(u, 'unlock')}
                        >
                          {t('users.unlock')}
                        </button>
                      )}
                      <button
                        type="button"
                        className="btn btn-small"
                        data-testid="user-reset"
                        disabled={action.busy}
                        onClick={() => {
                          setDone(null);
                          setResetting(u);
                        }}
                      >
                        {t('users.resetPassword')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <PendingResets key={resetsVersion} onDecided={reload} />
      <ResetPasswordDialog
        user={resetting}
        onClose={() => setResetting(null)}
        onDone={(u) => {
          setResetting(null);
          setDone(t(u.resetPending ? 'users.done.resetPending' : 'users.done.reset', { name: u.displayName }));
          setResetsVersion((v) => v + 1);
          reload();
        }}
      />
    </section>
  );
}

function UserStatus({ row }: { row: UserRow }) {
  const { t } = useTranslation();
  if (row.disabled) return <span className="status-pill pill-off">{t('users.state.disabled')}</span>;
  if (row.locked) return <span className="status-pill pill-warn">{t('users.state.locked')}</span>;
  if (row.resetPending) return <span className="status-pill pill-warn">{t('users.state.resetPending')}</span>;
  return <span className="status-pill pill-ok">{t('users.state.active')}</span>;
}
