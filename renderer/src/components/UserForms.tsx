/** Administrator forms for local accounts: create a user, reset a password. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserRow } from '../../../shared/api';
import { ROLES, type Role } from '../../../shared/permissions';
import { api, validateInput, type ApiError } from '../api/client';
import { passwordProblems } from '../../../shared/password-policy';
import { useAction, useApi } from '../api/use-api';
import { passwordRefusal } from '../i18n/messages';
import { PasswordRules } from './PasswordRules';
import { ErrorNotice, Modal } from './ui';

/**
 * New local account. Every role but the administrator must be tied to a staff member (the
 * customer scope is computed from it), so the staff choice is required for them.
 */
export function CreateUserForm({ onCreated, onCancel }: { onCreated: (u: UserRow) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const staff = useApi('users.staffOptions', {});
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('teller');
  const [staffId, setStaffId] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localMsg, setLocalMsg] = useState<string | null>(null);
  const [localError, setLocalError] = useState<ApiError>();
  const { busy, error, run } = useAction();

  const options = [...(staff.data ?? [])].sort(
    (a, b) => Number(b.position === role) - Number(a.position === role) || a.employeeNo.localeCompare(b.employeeNo),
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setLocalMsg(null);
    setLocalError(undefined);
    const linked = staffId ? Number(staffId) : null;
    const checked = validateInput('users.create', { username, displayName, role, staffId: linked, password });
    if (!checked.ok) return setLocalError(checked.error);
    if (role !== 'admin' && linked === null) return setLocalMsg(t('users.form.staffRequired'));
    const broken = passwordProblems(password, username);
    if (broken.length > 0) return setLocalMsg(passwordRefusal(t, broken));
    if (password !== confirm) return setLocalMsg(t('password.mismatch'));
    const created = await run(() => api('users.create', checked.value));
    if (created) onCreated(created);
  }

  const f = (name: string) => `${id}-${name}`;
  return (
    <form className="form form-grid panel" onSubmit={submit} noValidate data-testid="create-user-form">
      <h2 className="form-title">{t('users.form.title')}</h2>
      <div className="field">
        <label htmlFor={f('username')}>{t('fields.username')}</label>
        <input
          id={f('username')}
          data-testid="new-username"
          autoComplete="off"
          spellCheck={false}
          // biome-ignore lint/a11y/noAutofocus: keyboard-first: the one field this screen is for takes the caret when it opens
          autoFocus
          value={username}
          maxLength={64}
          aria-describedby={f('username-hint')}
          onChange={(e) => setUsername(e.target.value)}
        />
        <p id={f('username-hint')} className="field-hint">
          {t('users.form.usernameHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor={f('display')}>{t('fields.displayName')}</label>
        <input
          id={f('display')}
          data-testid="new-display-name"
          value={displayName}
          maxLength={64}
          onChange={(e) => setDisplayName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={f('role')}>{t('fields.role')}</label>
        <select id={f('role')} data-testid="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={f('staff')}>{t('fields.staffId')}</label>
        <select
          id={f('staff')}
          data-testid="new-staff"
          value={staffId}
          disabled={staff.loading && !staff.data}
          onChange={(e) => setStaffId(e.target.value)}
        >
          <option value="">{role === 'admin' ? t('users.form.noStaff') : t('users.form.chooseStaff')}</option>
          {options.map((s) => (
            <option key={s.id} value={String(s.id)}>
              {`${s.employeeNo} ${s.name} · ${t(`positions.${s.position}`, { defaultValue: s.position })} · ${s.branchName}`}
            </option>
          ))}
        </select>
        <ErrorNotice error={staff.error} onRetry={staff.reload} />
      </div>
      <div className="field">
        <label htmlFor={f('password')}>{t('users.form.tempPassword')}</label>
        <input
          id={f('password')}
          data-testid="new-password"
          type="password"
          autoComplete="new-password"
          value={password}
          aria-describedby={f('password-hint')}
          onChange={(e) => setPassword(e.target.value)}
        />
        <PasswordRules id={f('password-hint')} password={password} username={username || null} />
      </div>
      <div className="field">
        <label htmlFor={f('confirm')}>{t('password.confirm')}</label>
        <input
          id={f('confirm')}
          data-testid="new-password-confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
      </div>
      <div className="form-span">
        {localMsg ? (
          <div className="notice notice-error" role="alert" data-testid="create-user-error">
            {localMsg}
          </div>
        ) : (
          <ErrorNotice error={localError ?? error} testId="create-user-error" />
        )}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="create-user-submit">
            {busy ? t('common.working') : t('users.form.submit')}
          </button>
        </div>
      </div>
    </form>
  );
}

/** Sets a temporary password; the user must change it at the next sign-in. */
export function ResetPasswordDialog({
  user,
  onClose,
  onDone,
}: {
  user: UserRow | null;
  onClose: () => void;
  onDone: (u: UserRow) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localMsg, setLocalMsg] = useState<string | null>(null);
  const [localError, setLocalError] = useState<ApiError>();
  const { busy, error, run, clearError } = useAction();

  // A different user chosen clears the form: `user` is the trigger, not a value read inside.
  // biome-ignore lint/correctness/useExhaustiveDependencies: user is the deliberate trigger
  useEffect(() => {
    setPassword('');
    setConfirm('');
    setLocalMsg(null);
    setLocalError(undefined);
    clearError();
  }, [user, clearError]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!user || busy) return;
    setLocalMsg(null);
    setLocalError(undefined);
    const checked = validateInput('users.resetPassword', { id: user.id, password });
    if (!checked.ok) return setLocalError(checked.error);
    const broken = passwordProblems(password, user.username);
    if (broken.length > 0) return setLocalMsg(passwordRefusal(t, broken));
    if (password !== confirm) return setLocalMsg(t('password.mismatch'));
    const updated = await run(() => api('users.resetPassword', checked.value));
    if (updated) onDone(updated);
  }

  return (
    <Modal open={user !== null} title={t('users.reset.title')} onClose={onClose} testId="reset-dialog">
      {user && (
        <form className="form" onSubmit={submit} noValidate>
          <p className="muted">{t('users.reset.intro', { name: user.displayName, username: user.username })}</p>
          <div className="field">
            <label htmlFor={`${id}-pw`}>{t('users.form.tempPassword')}</label>
            <input
              id={`${id}-pw`}
              data-testid="reset-password"
              type="password"
              autoComplete="new-password"
              // biome-ignore lint/a11y/noAutofocus: keyboard-first: the one field this screen is for takes the caret when it opens
              autoFocus
              value={password}
              aria-describedby={`${id}-hint`}
              onChange={(e) => setPassword(e.target.value)}
            />
            <PasswordRules id={`${id}-hint`} password={password} username={user.username} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-confirm`}>{t('password.confirm')}</label>
            <input
              id={`${id}-confirm`}
              data-testid="reset-password-confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </div>
          {localMsg ? (
            <div className="notice notice-error" role="alert">
              {localMsg}
            </div>
          ) : (
            <ErrorNotice error={localError ?? error} testId="reset-error" />
          )}
          <div className="form-actions">
            <button type="button" className="btn" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="reset-submit">
              {busy ? t('common.working') : t('users.reset.submit')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
