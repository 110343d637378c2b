import { createContext, useContext } from 'react';
import type { AppInfo, Locale, SessionUser } from '../../shared/api';
import type { Permission } from '../../shared/permissions';

/** What every signed-in screen may use: the user, app info and the session-wide actions. */
export interface SessionValue {
  user: SessionUser;
  info: AppInfo | undefined;
  signOut: () => void;
  /** Switches the UI language and stores it as the user's preference. */
  setLanguage: (lng: Locale) => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside a signed-in shell');
  return v;
}

export function useCan(permission: Permission): boolean {
  return useSession().user.permissions.includes(permission);
}
