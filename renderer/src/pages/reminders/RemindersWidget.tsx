import { useTranslation } from 'react-i18next';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';
import { openCustomer } from '../../router';
import type { WidgetProps } from '../desktop/registry';
import { LINK } from './RemindersPage';
import { reminderText } from './text';

/** 消息提醒 on a desktop: how many are open now and the soonest few; each opens its customer. */
export function RemindersWidget({ data }: WidgetProps<'reminders'>) {
  const { t, i18n } = useTranslation();
  const lng = currentLanguage();
  return (
    <>
      <p>
        <a href="#/reminders" data-testid="desk-reminders-open">
          {t('reminders.bellLabel', { count: count(data.open, lng) })}
        </a>
      </p>
      {data.top.length === 0 ? (
        <p className="muted">{t('reminders.empty')}</p>
      ) : (
        <ul className="plain-list" data-testid="desk-reminders" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {data.top.map((r) => (
            <li key={r.id} style={{ padding: '4px 0', borderBottom: '1px solid var(--border)' }}>
              <span className="muted tabular">{r.dueOn}</span> <strong>{t(`reminders.kinds.${r.kind}`)}</strong>{' '}
              {r.customer && (
                <button type="button" className="link-button" style={LINK} onClick={() => openCustomer(r.customer!.id)}>
                  {r.customer.name}
                </button>
              )}{' '}
              <span className="small">{reminderText(t, r, i18n.language)}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="small">
        <a href="#/reminders">{t('reminders.widgetMore')}</a>
      </p>
    </>
  );
}
