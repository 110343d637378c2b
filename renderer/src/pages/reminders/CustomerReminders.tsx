import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { ErrorNotice } from '../../components/ui';
import { announceRemindersChanged } from './RemindersPage';
import { reminderText } from './text';

/** The customer 360's 消息提醒 panel: the caller's open reminders about this customer, each can be marked done. */
export function CustomerReminders({ customerId }: { customerId: number }) {
  const { t, i18n } = useTranslation();
  const list = useApi('reminders.list', { view: 'open', customerId, limit: 20 });
  const action = useAction();
  if (!list.data || list.data.total === 0) return null;
  return (
    <section className="panel" aria-labelledby="c360-reminders" data-testid="c360-reminders">
      <h2 id="c360-reminders">
        <a href="#/reminders">{t('reminders.title')}</a>
      </h2>
      <ErrorNotice error={list.error ?? action.error} onRetry={list.reload} />
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {list.data.rows.map((r) => (
          <li key={r.id} style={{ padding: '4px 0' }} data-testid="c360-reminder">
            <span className="tabular">{r.dueOn}</span> <strong>{t(`reminders.kinds.${r.kind}`)}</strong>{' '}
            {reminderText(t, r, i18n.language)}{' '}
            <button
              type="button"
              className="btn btn-small"
              disabled={action.busy}
              onClick={async () => {
                if (await action.run(() => api('reminders.done', { ids: [r.id] }))) {
                  announceRemindersChanged();
                  list.reload();
                }
              }}
            >
              {t('reminders.done')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
