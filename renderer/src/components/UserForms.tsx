/** Administrator forms for local accounts: create a user, reset a password. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserRow } from '../../../shared/api';
import { ROLES, type Role } from '../../../shared/permissions';
import { api, validateInput, type ApiError } from '../api/client';
import { passwordProblems } from '../../../shared/password-policy';
import { useAction, useApi } from '../api/use-api';
import { issueReason, passwordRefusal } from '../i18n/messages';
import { PasswordRules } from './PasswordRules';
import { ErrorNotice, Modal } from './ui';

type FieldKey = 'username' | 'displayName' | 'staff' | 'password' | 'confirm';
type FieldProblems = Partial<Record<FieldKey, string>>;
const FIELD_ORDER: readonly FieldKey[] = ['username', 'displayName', 'staff', 'password', 'confirm'];

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
  const [fieldProblems, setFieldProblems] = useState<FieldProblems>({});
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
    // Every field says what is wrong with it, under itself (not one line naming three fields).
    const problems: FieldProblems = {};
    const checked = validateInput('users.create', { username, displayName, role, staffId: linked, password });
    if (!checked.ok) {
      const issues = (checked.error.details?.issues ?? []) as { path?: (string | number)[]; code?: string }[];
      for (const issue of issues) {
        const field = issue.path?.[0];
        if (field !== 'username' && field !== 'displayName' && field !== 'staffId') continue;
        const key = field === 'staffId' ? 'staff' : field;
        problems[key] ??= issueReason(t, field, issue) || t('fieldReasons.format');
      }
    }
    if (role !== 'admin' && linked === null) problems.staff = t('users.form.staffRequired');
    // the one password policy (shared/password-policy.ts), stated under the field as it is typed
    const broken = passwordProblems(password, username);
    if (broken.length > 0) problems.password = passwordRefusal(t, broken);
    else if (password !== confirm) problems.confirm = t('password.mismatch');
    setFieldProblems(problems);
    const first = FIELD_ORDER.find((k) => problems[k]);
    if (first) {
      document.getElementById(f(first))?.focus();
      return;
    }
    if (!checked.ok) return setLocalError(checked.error);
    const created = await run(() => api('users.create', checked.value));
    if (created) onCreated(created);
  }

  /** A field's message under it, tied to the input for screen readers. */
  const problem = (key: keyof FieldProblems) =>
    fieldProblems[key] ? (
      <p id={f(`${key}-problem`)} className="field-hint field-hint-error" data-testid={`new-${key}-problem`}>
        {fieldProblems[key]}
      </p>
    ) : null;
  const invalid = (key: keyof FieldProblems) =>
    fieldProblems[key] ? { 'aria-invalid': true as const, 'aria-errormessage': f(`${key}-problem`) } : {};

  const f = (name: string) => `${id}-${name}`;
  return (
    <form className="form form-grid panel" onSubmit={submit} noValidate data-testid="create-user-form">
      <h2 className="form-title">{t('users.form.title')}</h2>
      <div className="field">
        <label htmlFor={f('username')}>{t('fields.username')}</label>
        <input
          id={f('username')}
          data-testid="new-username"
          {...invalid('username')}
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
        {problem('username')}
      </div>
      <div className="field">
        <label htmlFor={f('displayName')}>{t('fields.displayName')}</label>
        <input
          id={f('displayName')}
          data-testid="new-display-name"
          value={displayName}
          maxLength={64}
          {...invalid('displayName')}
          onChange={(e) => setDisplayName(e.target.value)}
        />
        {problem('displayName')}
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
          {...invalid('staff')}
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
        {problem('staff')}
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
          {...invalid('password')}
          aria-describedby={f('password-hint')}
          onChange={(e) => setPassword(e.target.value)}
        />
        <PasswordRules id={f('password-hint')} password={password} username={username || null} />
        {problem('password')}
      </div>
      <div className="field">
        <label htmlFor={f('confirm')}>{t('password.confirm')}</label>
        <input
          id={f('confirm')}
          data-testid="new-password-confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          {...invalid('confirm')}
          onChange={(e) => setConfirm(e.target.value)}
        />
        {problem('confirm')}
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
