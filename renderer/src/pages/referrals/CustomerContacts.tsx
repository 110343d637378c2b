import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactChannel, ContactOutcome } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { dateTime } from '../../format';
import { useSession } from '../../session';
import { Outcome, StatusPill } from './FlagReferral';
import { ContactFields } from './ReferralQueuePage';

/** Customer 360: the contact timeline (交往记录) with a form to record one, and the customer's referrals. */
export function CustomerContacts({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const timeline = useApi(
    'contacts.forCustomer',
    { customerId, offset: 0, limit: 50 },
    { enabled: user.permissions.includes('contact.log') },
  );
  const referrals = useApi('referrals.forCustomer', { customerId });
  const [channel, setChannel] = useState<ContactChannel>('call');
  const [outcome, setOutcome] = useState<ContactOutcome>('reached');
  const [summary, setSummary] = useState('');
  const [nextStep, setNextStep] = useState('');
  const [nextStepOn, setNextStepOn] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const a = useAction();
  if (!user.permissions.includes('contact.log')) return null;
  return (
    <div className="grid-2" data-testid="c360-contacts">
      <section className="panel" aria-labelledby="c360-contacts-title">
        <h2 id="c360-contacts-title">{t('contact.timeline.title')}</h2>
        <form
          className="form"
          data-testid="contact-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await a.run(() =>
              api('contacts.record', {
                customerId,
                channel,
                outcome,
                summary: summary.trim() || undefined,
                nextStep: nextStep.trim() || undefined,
                nextStepOn: nextStepOn || undefined,
              }),
            );
            if (r) {
              setSaved(
                r.reminderId
                  ? `${t('contact.timeline.saved')} · ${t('contact.timeline.reminder')}`
                  : t('contact.timeline.saved'),
              );
              setSummary('');
              setNextStep('');
              setNextStepOn('');
              timeline.reload();
            }
          }}
        >
          <ContactFields
            channel={channel}
            setChannel={setChannel}
            outcome={outcome}
            setOutcome={setOutcome}
            summary={summary}
            setSummary={setSummary}
            nextStep={nextStep}
            setNextStep={setNextStep}
            nextStepOn={nextStepOn}
            setNextStepOn={setNextStepOn}
            prefix="contact"
          />
          <ErrorNotice error={a.error} />
          <SuccessNotice text={saved} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={a.busy} data-testid="contact-submit">
              {t('contact.timeline.record')}
            </button>
          </div>
        </form>
        {timeline.loading && !timeline.data && <Loading />}
        <ErrorNotice error={timeline.error} onRetry={timeline.reload} />
        {timeline.data && timeline.data.rows.length === 0 && <Empty text={t('contact.timeline.empty')} />}
        <ol className="plain-list" data-testid="contact-timeline">
          {(timeline.data?.rows ?? []).map((c) => (
            <li key={c.id} data-testid="contact-entry" data-channel={c.channel}>
              <strong>{dateTime(c.contactedAt)}</strong> · {t(`contact.channel.${c.channel}`)} ·{' '}
              {t(`contact.outcome.${c.outcome}`)} · {t('contact.timeline.by', { name: c.staffName })}
              {c.summary && <div>{c.summary}</div>}
              {c.nextStep && (
                <div className="muted">{t('contact.timeline.next', { step: c.nextStep, on: c.nextStepOn ?? '—' })}</div>
              )}
            </li>
          ))}
        </ol>
      </section>
      <section className="panel" aria-labelledby="c360-referrals-title">
        <h2 id="c360-referrals-title">{t('contact.timeline.referrals')}</h2>
        <ErrorNotice error={referrals.error} onRetry={referrals.reload} />
        {referrals.data && referrals.data.length === 0 && <Empty text={t('contact.timeline.noReferrals')} />}
        <ol className="plain-list" data-testid="c360-referrals">
          {(referrals.data ?? []).map((r) => (
            <li key={r.id}>
              {r.createdOn} · {t(`referral.interest.${r.interest}`)} · {r.referrerName} →{' '}
              {r.ownerName ?? t('referral.branchQueue')} · <StatusPill r={r} /> <Outcome r={r} />
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
