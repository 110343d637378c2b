import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';

const POLL_MS = 60_000;

/**
 * The header's reminder link with the number of open reminders shown now. Counts again every minute
 * (a snooze may have run out), when the route changes, and when the inbox says something changed.
 */
export function ReminderBell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState<number | null>(null);

  useEffect(() => {
    let live = true;
    const load = () => {
      api('reminders.count', {}).then(
        (r) => live && setOpen(r.open),
        () => undefined,
      );
    };
    load();
    const timer = window.setInterval(load, POLL_MS);
    window.addEventListener('hashchange', load);
    window.addEventListener('crm:reminders-changed', load);
    return () => {
      live = false;
      window.clearInterval(timer);
      window.removeEventListener('hashchange', load);
      window.removeEventListener('crm:reminders-changed', load);
    };
  }, []);

  const n = open ?? 0;
  return (
    <a
      href="#/reminders"
      className="btn btn-ghost"
      data-testid="reminder-bell"
      aria-label={t('reminders.bellLabel', { count: n })}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 6, textDecoration: 'none' }}
    >
      <span>{t('reminders.bell')}</span>
      {n > 0 && (
        <span
          data-testid="reminder-count"
          aria-hidden="true"
          style={{
            minWidth: 18,
            padding: '0 5px',
            borderRadius: 9,
            background: 'var(--accent)',
            color: '#fff',
            fontSize: 12,
            lineHeight: '18px',
            textAlign: 'center',
          }}
        >
          {n > 99 ? '99+' : n}
        </span>
      )}
    </a>
  );
}
