import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale, SessionUser } from '../../../shared/api';
import { api, validateInput, type ApiError } from '../api/client';
import { useAction } from '../api/use-api';
import { passwordProblems } from '../../../shared/password-policy';
import { PasswordRules } from '../components/PasswordRules';
import { passwordRefusal } from '../i18n/messages';
import { ErrorNotice, LanguageSwitch } from '../components/ui';

/** Shown before anything else when an administrator has reset the user's password. */
export function ChangePasswordPage({
  user,
  onChanged,
  onSignOut,
  onLanguage,
}: {
  user: SessionUser;
  onChanged: () => void;
  onSignOut: () => void;
  /** The same switch as on the sign-in page: a user who reads the other language is not stuck here. */
  onLanguage: (lng: Locale) => void;
}) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localMsg, setLocalMsg] = useState<string | null>(null);
  const [localError, setLocalError] = useState<ApiError>();
  const { busy, error, run } = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setLocalMsg(null);
    setLocalError(undefined);
    const broken = passwordProblems(next, user.username);
    if (current && broken.length > 0) {
      setLocalMsg(passwordRefusal(t, broken));
      return;
    }
    const checked = validateInput('auth.changePassword', { currentPassword: current, newPassword: next });
    if (!checked.ok) {
      setLocalError(checked.error);
      return;
    }
    if (next !== confirm) {
      setLocalMsg(t('password.mismatch'));
      return;
    }
    if (next === current) {
      setLocalMsg(t('password.same'));
      return;
    }
    const ok = await run(() => api('auth.changePassword', checked.value));
    if (ok) onChanged();
  }

  return (
    <div className="signin-page">
      <div className="signin-lang">
        <LanguageSwitch onChange={onLanguage} />
      </div>
      <main className="signin-card" aria-labelledby="pw-title" data-testid="change-password">
        <h1 id="pw-title">{t('password.title')}</h1>
        <p className="muted">{t('password.intro', { name: user.displayName })}</p>
        <form className="form" onSubmit={submit} noValidate>
          {/* lets password managers file the new password under the right account */}
          <input type="text" name="username" autoComplete="username" value={user.username} readOnly hidden />
          <div className="field">
            <label htmlFor="pw-current">{t('password.current')}</label>
            <input
              id="pw-current"
              data-testid="password-current"
              type="password"
              autoComplete="current-password"
              // biome-ignore lint/a11y/noAutofocus: keyboard-first: the one field this screen is for takes the caret when it opens
              autoFocus
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="pw-new">{t('password.new')}</label>
            <input
              id="pw-new"
              data-testid="password-new"
              type="password"
              autoComplete="new-password"
              aria-describedby="pw-new-hint"
              value={next}
              onChange={(e) => setNext(e.target.value)}
            />
            <PasswordRules id="pw-new-hint" password={next} username={user.username} />
          </div>
          <div className="field">
            <label htmlFor="pw-confirm">{t('password.confirm')}</label>
            <input
              id="pw-confirm"
              data-testid="password-confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </div>
          {localMsg ? (
            <div className="notice notice-error" role="alert" data-testid="password-error">
              {localMsg}
            </div>
          ) : (
            <ErrorNotice error={localError ?? error} testId="password-error" />
          )}
          <div className="form-actions">
            <button type="button" className="btn" onClick={onSignOut} data-testid="signout">
              {t('topbar.signOut')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="password-submit">
              {busy ? t('common.working') : t('password.submit')}
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}
