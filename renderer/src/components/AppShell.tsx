import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../shared/permissions';
import { canOpen, navItemsFor, type NavItem, type RouteId } from '../nav';
import { AdminHome } from '../pages/AdminHome';
import { AuditPage } from '../pages/AuditPage';
import { CustomersPage } from '../pages/CustomersPage';
import { DesktopPage } from '../pages/desktop/DesktopPage';
import { DesktopTemplatesPage } from '../pages/desktop/DesktopTemplatesPage';
import { TellerHome } from '../pages/TellerHome';
import { Customer360Page } from '../pages/Customer360Page';
import { ImportsPage } from '../pages/ImportsPage';
import { TiersPage } from '../pages/TiersPage';
import { ModelLabPage } from '../pages/lab/ModelLabPage';
import { ScoresSettingsPage } from '../pages/scores/ScoresSettingsPage';
import { ReportsPage } from '../pages/reports/ReportsPage';
import { OpportunitiesPage } from '../pages/opportunities/OpportunitiesPage';
import { CampaignsPage } from '../pages/opportunities/CampaignsPage';
import { RulesPage } from '../pages/opportunities/RulesPage';
import { AnalyticsSettingsPage } from '../pages/analytics/AnalyticsSettingsPage';
import { WatchListPage } from '../pages/analytics/WatchListPage';
import { UsersPage } from '../pages/UsersPage';
import { PasswordResetsPage } from '../pages/PasswordResetsPage';
import { ReferralQueuePage } from '../pages/referrals/ReferralQueuePage';
import { ReferralReportPage } from '../pages/referrals/ReferralReportPage';
import { StaleContactsPage } from '../pages/referrals/StaleContactsPage';
import { ReminderBell } from '../pages/reminders/ReminderBell';
import { SyncIndicator } from '../pages/sync/SyncIndicator';
import { SyncPage } from '../pages/sync/SyncPage';
import { RemindersPage } from '../pages/reminders/RemindersPage';
import { anyModalOpen, isTyping, navigate, useRoute } from '../router';
import { useSession } from '../session';
import { LanguageSwitch, Modal } from './ui';

/** Signed-in layout: top bar, role navigation, main area; global shortcuts live here. */
export function AppShell() {
  const { t } = useTranslation();
  const { user } = useSession();
  const route = useRoute();
  const items = useMemo(() => navItemsFor(user), [user]);
  const [help, setHelp] = useState(false);
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || e.isComposing) return;
      // Alt+1..9: jump to the n-th navigation item (e.code so layouts and macOS Option work too)
      const digit = /^(?:Digit|Numpad)([1-9])$/.exec(e.code)?.[1];
      if (e.altKey && !e.ctrlKey && !e.metaKey && digit && !anyModalOpen()) {
        const item = items[Number(digit) - 1];
        if (item) {
          e.preventDefault();
          navigate(item.id);
          requestAnimationFrame(() => mainRef.current?.focus());
        }
        return;
      }
      if (e.key === '?' && !e.altKey && !e.ctrlKey && !e.metaKey && !isTyping(e.target) && !anyModalOpen()) {
        e.preventDefault();
        setHelp(true);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items]);

  useEffect(() => {
    document.title = route
      ? `${t(items.find((i) => i.id === route)?.labelKey ?? 'app.title')} · ${t('app.title')}`
      : t('app.title');
  }, [route, items, t]);

  return (
    <div className="shell">
      {/* A skip link is an in-page link by convention (screen readers list it as one); the click moves focus
          without changing the hash route. */}
      {/* biome-ignore lint/a11y/useValidAnchor: the skip-link pattern */}
      <a
        className="skip-link"
        href="#main-content"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        {t('shell.skip')}
      </a>
      <TopBar onHelp={() => setHelp(true)} />
      <div className="shell-body">
        <SideNav items={items} current={route} />
        <main id="main-content" ref={mainRef} tabIndex={-1} className="main">
          <RoutePage route={route} role={user.role} allowed={route !== null && canOpen(route, user)} />
        </main>
      </div>
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
    </div>
  );
}

function RoutePage({ route, role, allowed }: { route: RouteId | null; role: Role; allowed: boolean }): ReactNode {
  const { t } = useTranslation();
  if (route === null || !allowed) {
    return (
      <section className="page" data-testid="not-found">
        <h1>{t(route === null ? 'shell.notFound' : 'shell.notAllowed')}</h1>
        <p>
          <a href="#/home">{t('shell.backHome')}</a>
        </p>
      </section>
    );
  }
  switch (route) {
    case 'home':
      // 个性化桌面: the president's and managers' home is their own desktop.
      if (role === 'president' || role === 'manager') return <DesktopPage />;
      if (role === 'teller') return <TellerHome />;
      return <AdminHome />;
    case 'customers':
      return <CustomersPage />;
    case 'customer':
      return <Customer360Page />;
    case 'imports':
      return <ImportsPage />;
    case 'tiers':
      return <TiersPage />;
    case 'reports':
      return <ReportsPage />;
    case 'opportunities':
      return <OpportunitiesPage />;
    case 'campaigns':
      return <CampaignsPage />;
    case 'rules':
      return <RulesPage />;
    case 'users':
      return <UsersPage />;
    case 'audit':
      return <AuditPage />;
    case 'referrals':
      return <ReferralQueuePage />;
    case 'referralReport':
      return <ReferralReportPage />;
    case 'staleContacts':
      return <StaleContactsPage />;
    case 'reminders':
      return <RemindersPage />;
    case 'desktops':
      return <DesktopTemplatesPage />;
    case 'passwordResets':
      return <PasswordResetsPage />;
    case 'sync':
      return <SyncPage />;
    case 'lab':
      return <ModelLabPage />;
    case 'scores':
      return <ScoresSettingsPage />;
    case 'watchlist':
      return <WatchListPage />;
    case 'analytics':
      return <AnalyticsSettingsPage />;
  }
}

/** App name, branch, who is signed in (name and role), language, shortcuts help and sign-out. */
function TopBar({ onHelp }: { onHelp: () => void }) {
  const { t } = useTranslation();
  const { user, info, signOut, setLanguage } = useSession();
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          CRM
        </span>
        <span className="brand-name">{t('app.name')}</span>
        {info?.demo && <span className="badge badge-demo">{t('app.demo')}</span>}
      </div>
      <div className="topbar-branch" data-testid="branch-name">
        {user.branchName ?? t('topbar.noBranch')}
      </div>
      <div className="topbar-tools">
        <SyncIndicator />
        <ReminderBell />
        <LanguageSwitch onDark onChange={setLanguage} />
        <button type="button" className="btn btn-ghost" onClick={onHelp} aria-keyshortcuts="?">
          {t('shortcuts.button')}
        </button>
        <div className="user-menu" data-testid="user-menu">
          <span className="user-avatar" aria-hidden="true">
            {Array.from(user.displayName)[0] ?? '?'}
          </span>
          <span className="user-text">
            <span className="user-name" data-testid="user-name">
              {user.displayName}
            </span>
            <span className="user-role" data-testid="user-role" data-role={user.role}>
              {t(`roles.${user.role}`)}
            </span>
          </span>
          <button type="button" className="btn btn-ghost" data-testid="signout" onClick={signOut}>
            {t('topbar.signOut')}
          </button>
        </div>
      </div>
    </header>
  );
}

/** Left navigation: real links (#/route), the current one marked, Alt+n shown beside each. */
function SideNav({ items, current }: { items: NavItem[]; current: RouteId | null }) {
  const { t } = useTranslation();
  return (
    <nav className="sidenav" aria-label={t('nav.label')}>
      <ul>
        {items.map((item, i) => (
          <li key={item.id}>
            <a
              href={item.href}
              data-testid={`nav-${item.id}`}
              aria-current={item.id === current ? 'page' : undefined}
              aria-keyshortcuts={i < 9 ? `Alt+${i + 1}` : undefined}
            >
              <span className="nav-label">{t(item.labelKey)}</span>
              {i < 9 && (
                // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a kbd is not focusable; the shortcut is announced by aria-keyshortcuts
                <kbd className="nav-key" aria-hidden="true">
                  Alt+{i + 1}
                </kbd>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** `or`: the keys are alternatives (↑ / ↓), otherwise a chord (Alt + 1). */
const SHORTCUTS: readonly { keys: string[]; label: string; or?: boolean }[] = [
  { keys: ['Alt', '1…9'], label: 'shortcuts.nav' },
  { keys: ['?'], label: 'shortcuts.help' },
  { keys: ['Esc'], label: 'shortcuts.close' },
  { keys: ['/'], label: 'shortcuts.search' },
  { keys: ['↑', '↓'], label: 'shortcuts.move', or: true },
  { keys: ['Enter'], label: 'shortcuts.open' },
  { keys: ['Tab'], label: 'shortcuts.tab' },
  { keys: ['Alt', 'R'], label: 'shortcuts.refer' },
];

/** The customer grid's own keys (CustomersPage), shown as a second table. */
const GRID_SHORTCUTS: readonly { keys: string[]; label: string; or?: boolean }[] = [
  { keys: ['↑', '↓', '←', '→'], label: 'shortcuts.grid.move', or: true },
  { keys: ['Enter'], label: 'shortcuts.grid.open' },
  { keys: ['S'], label: 'shortcuts.grid.star' },
  { keys: ['Q'], label: 'shortcuts.grid.query' },
  { keys: ['L'], label: 'shortcuts.grid.list' },
  { keys: ['E'], label: 'shortcuts.grid.export' },
  { keys: ['C'], label: 'shortcuts.grid.columns' },
];

/** The "?" overlay listing keyboard shortcuts. */
function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open={open} title={t('shortcuts.title')} onClose={onClose} testId="shortcuts-help">
      {[
        { title: null, list: SHORTCUTS },
        { title: 'shortcuts.grid.title', list: GRID_SHORTCUTS },
      ].map(({ title, list }) => (
        <table className="shortcuts" key={title ?? 'all'}>
          {title && <caption>{t(title)}</caption>}
          <tbody>
            {list.map((s) => (
              <tr key={s.label}>
                <td>
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span className="plus">{s.or ? ' / ' : ' + '}</span>}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{t(s.label)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </Modal>
  );
}
