import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, Locale, SessionUser, SignInResult } from '../../shared/api';
import { api, ApiError, currentSession, isSessionLost, onSessionLost, setSession, toApiError } from './api/client';
import { AppShell } from './components/AppShell';
import { Loading } from './components/ui';
import { applyLanguage } from './i18n';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { SignInPage } from './pages/SignInPage';
import { SessionContext, type SessionValue } from './session';

type Phase =
  | { kind: 'boot' }
  | { kind: 'signin'; notice?: ApiError }
  | { kind: 'changePassword'; user: SessionUser }
  | { kind: 'app'; user: SessionUser };

/**
 * Top-level flow: boot (restore a session after a reload) → sign-in → forced password change when
 * required → the role's workspace. Losing the session anywhere returns to sign-in with a message.
 */
export function App() {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'boot' });
  const [info, setInfo] = useState<AppInfo>();
  const [infoError, setInfoError] = useState<ApiError>();

  const enter = useCallback((user: SessionUser) => {
    void applyLanguage(user.locale);
    setPhase(user.mustChangePassword ? { kind: 'changePassword', user } : { kind: 'app', user });
  }, []);

  useEffect(() => {
    let live = true;
    api('system.info', {}).then(
      (v) => live && setInfo(v),
      (e: unknown) => live && setInfoError(toApiError(e)),
    );
    if (!currentSession()) {
      setPhase({ kind: 'signin' });
    } else {
      api('auth.me', {}).then(
        (user) => live && enter(user),
        (e: unknown) => {
          if (!live) return;
          const err = toApiError(e);
          if (isSessionLost(err.code)) setSession(null);
          setPhase({ kind: 'signin', notice: err });
        },
      );
    }
    return () => {
      live = false;
    };
  }, [enter]);

  useEffect(
    () =>
      onSessionLost((code) => {
        setPhase({ kind: 'signin', notice: new ApiError(code) });
      }),
    [],
  );

  const signOut = useCallback(() => {
    void api('auth.signOut', {})
      .catch(() => undefined)
      .finally(() => {
        setSession(null);
        setPhase({ kind: 'signin' });
      });
  }, []);

  const onSignedIn = useCallback(
    (result: SignInResult) => {
      setSession(result.session);
      if (window.location.hash && window.location.hash !== '#/home') {
        window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/home`);
      }
      enter(result.user);
    },
    [enter],
  );

  const setLanguage = useCallback((lng: Locale) => {
    void applyLanguage(lng);
    // Best effort: the choice already applies here; the server keeps it for the next sign-in.
    api('auth.setLocale', { locale: lng }).catch(() => undefined);
  }, []);

  const user = phase.kind === 'app' ? phase.user : null;
  const session = useMemo<SessionValue | null>(
    () => (user ? { user, info, signOut, setLanguage } : null),
    [user, info, signOut, setLanguage],
  );

  switch (phase.kind) {
    case 'boot':
      return (
        <div className="boot">
          <Loading label={t('app.starting')} />
        </div>
      );
    case 'signin':
      return (
        <SignInPage
          info={info}
          infoError={infoError}
          notice={phase.notice}
          onSignedIn={onSignedIn}
          onLanguage={(lng) => void applyLanguage(lng)}
        />
      );
    case 'changePassword':
      return (
        <ChangePasswordPage
          user={phase.user}
          onSignOut={signOut}
          onLanguage={setLanguage}
          onChanged={() => {
            api('auth.me', {}).then(
              (u) => enter(u),
              (e: unknown) => setPhase({ kind: 'signin', notice: toApiError(e) }),
            );
          }}
        />
      );
    case 'app':
      return (
        <SessionContext.Provider value={session}>
          <AppShell />
        </SessionContext.Provider>
      );
  }
}
