import type { TFunction } from 'i18next';
import type { Reminder } from '../../../../shared/api';
import { fenToYuan, formatYuan } from '../../../../shared/money';

function money(v: unknown): string {
  return typeof v === 'number' && Number.isSafeInteger(v) ? formatYuan(fenToYuan(v)) : '—';
}

function str(v: unknown): string {
  return v == null ? '' : String(v);
}

/** The reminder's line of text in the current language, from its kind and stored parameters. */
export function reminderText(t: TFunction, r: Pick<Reminder, 'kind' | 'params' | 'dueOn'>, lang: string): string {
  const p = r.params;
  const holiday = lang === 'en' ? str(p.holidayEn) : str(p.holidayZh);
  const onHoliday = holiday ? t('reminders.text.onHoliday', { name: holiday }) : '';
  switch (r.kind) {
    case 'holiday': {
      const base = t('reminders.text.holiday', {
        name: holiday,
        start: str(p.start),
        end: str(p.end),
        days: str(p.days),
      });
      const en = lang === 'en';
      return p.makeup
        ? `${base}${en ? '; ' : '；'}${t('reminders.text.holidayMakeup', {
            dates: str(p.makeup)
              .split(',')
              .join(en ? ', ' : '、'),
          })}`
        : base;
    }
    case 'birthday':
      return t('reminders.text.birthday', { date: r.dueOn });
    case 'anniversary':
      return t('reminders.text.anniversary', { years: str(p.years) });
    case 'large_deposit':
    case 'large_withdrawal':
      return t(`reminders.text.${r.kind}`, { amount: money(p.amountFen) });
    case 'loan_disbursement':
      return t('reminders.text.loan_disbursement', { product: str(p.product), amount: money(p.amountFen) });
    case 'loan_repayment':
    case 'wealth_maturity':
      return t(`reminders.text.${r.kind}`, { product: str(p.product), amount: money(p.amountFen) }) + onHoliday;
    case 'term_maturity':
      return (
        t('reminders.text.term_maturity', { product: str(p.product), amount: money(p.amountFen) }) +
        onHoliday +
        (p.autoRollover === 1 ? t('reminders.text.autoRollover') : '')
      );
    case 'product_launch':
      return t('reminders.text.product_launch', { product: str(p.product) });
    case 'tier_change':
      // a re-tier's digest: how many of the user's customers one model change moved
      if (p.digest === 1)
        return t('reminders.text.tierDigest', { count: str(p.count), up: str(p.up), down: str(p.down) });
      return t('reminders.text.tier_change', {
        from: p.fromTier ? t(`tiers.${str(p.fromTier)}`) : '—',
        to: p.toTier ? t(`tiers.${str(p.toTier)}`) : '—',
      });
    case 'account_closure':
      return t('reminders.text.account_closure', { tail: str(p.accountTail) });
    case 'risk_signal':
      return t('reminders.text.risk_signal', {
        signal: t(`risk.signals.${str(p.signal)}`, { defaultValue: t('risk.signals.other') }),
      });
    case 'work_item':
      return t('reminders.text.work_item', { text: str(p.text ?? p.note ?? p.title) });
    case 'referral_sla': {
      // the referrals feature passes the customer's interest (deposit, wealth, ...)
      const interest = p.interest ? t(`referral.interest.${str(p.interest)}`, { defaultValue: str(p.interest) }) : '';
      const extra = str(p.text ?? p.note ?? '');
      const base = interest ? t('reminders.text.referralInterest', { interest }) : t('reminders.text.referral_sla');
      return extra ? `${base}${lang === 'en' ? ': ' : '：'}${extra}` : base;
    }
    default:
      return '';
  }
}
