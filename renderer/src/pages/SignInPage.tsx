import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, Locale, SignInResult } from '../../../shared/api';
import { api, type ApiError } from '../api/client';
import { useAction } from '../api/use-api';
import { ErrorNotice, LanguageSwitch } from '../components/ui';

/**
 * Sign-in: username + password, Enter submits. Shows the app's name, version and mode from
 * system.info. `notice` carries why we are here (e.g. the session expired).
 */
export function SignInPage({
  info,
  infoError,
  notice,
  onSignedIn,
  onLanguage,
}: {
  info: AppInfo | undefined;
  infoError: ApiError | undefined;
  notice: ApiError | undefined;
  onSignedIn: (result: SignInResult) => void;
  onLanguage: (lng: Locale) => void;
}) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run, clearError } = useAction();
  const [missing, setMissing] = useState<'username' | 'password' | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    clearError();
    if (!username.trim() || !password) {
      const which = !username.trim() ? 'username' : 'password';
      setMissing(which);
      (which === 'username' ? usernameRef : passwordRef).current?.focus();
      return;
    }
    setMissing(null);
    const result = await run(() => api('auth.signIn', { username: username.trim(), password }));
    if (result) {
      onSignedIn(result);
    } else {
      setPassword('');
      passwordRef.current?.focus();
    }
  }

  const shown = error ?? notice;

  return (
    <div className="signin-page">
      <div className="signin-lang">
        <LanguageSwitch onChange={onLanguage} />
      </div>
      <main className="signin-card" aria-labelledby="signin-title">
        <div className="signin-brand">
          <span className="brand-mark brand-mark-large" aria-hidden="true">
            CRM
          </span>
          <div>
            <h1 id="signin-title">{t('app.name')}</h1>
            <p className="muted">{t('signin.subtitle')}</p>
          </div>
        </div>
        <form className="form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="signin-username">{t('signin.username')}</label>
            <input
              id="signin-username"
              ref={usernameRef}
              data-testid="signin-username"
              name="username"
              autoComplete="username"
              autoCapitalize="off"
              spellCheck={false}
              // biome-ignore lint/a11y/noAutofocus: keyboard-first: the one field this screen is for takes the caret when it opens
              autoFocus
              value={username}
              maxLength={64}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">{t('signin.password')}</label>
            <input
              id="signin-password"
              ref={passwordRef}
              data-testid="signin-password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              maxLength={256}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {missing ? (
            <div className="notice notice-error" role="alert" data-testid="signin-error">
              {t(`signin.missing.${missing}`)}
            </div>
          ) : (
            shown && <ErrorNotice error={shown} testId="signin-error" />
          )}
          <button type="submit" className="btn btn-primary btn-block" data-testid="signin-submit" disabled={busy}>
            {busy ? t('signin.submitting') : t('signin.submit')}
          </button>
        </form>
        <footer className="signin-footer" data-testid="app-info">
          {info ? (
            <>
              <span>{t('signin.version', { name: info.name, version: info.version })}</span>
              <span className="badge">{t(`signin.mode.${info.mode}`)}</span>
              {info.demo && <span className="badge badge-demo">{t('app.demo')}</span>}
            </>
          ) : infoError ? (
            <ErrorNotice error={infoError} testId="info-error" />
          ) : (
            <span className="muted">{t('common.loading')}</span>
          )}
        </footer>
      </main>
    </div>
  );
}
