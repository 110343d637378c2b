import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactChannel, ContactOutcome } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { Empty, ErrorNotice, Loading, Modal, SuccessNotice } from '../../components/ui';
import { dateTime } from '../../format';
import { useSession } from '../../session';
import { Outcome, StatusPill } from './FlagReferral';
import { ContactFields } from './ReferralQueuePage';

/** Tells the 360's timeline that a contact was recorded elsewhere on the page (the quick action's dialog). */
const RECORDED = 'crm:contact-recorded';

/**
 * The contact form (交往记录): channel, outcome, what was discussed, next step. A contact must say
 * something: an empty one (no content, no next step, anything but an unanswered call) is refused here
 * with a message and by the main process, never saved as 已记录.
 */
export function ContactForm({
  customerId,
  prefix,
  autoFocus = false,
  onSaved,
}: {
  customerId: number;
  prefix: string;
  autoFocus?: boolean;
  onSaved?: () => void;
}) {
  const { t } = useTranslation();
  const [channel, setChannel] = useState<ContactChannel>('call');
  const [outcome, setOutcome] = useState<ContactOutcome>('reached');
  const [summary, setSummary] = useState('');
  const [nextStep, setNextStep] = useState('');
  const [nextStepOn, setNextStepOn] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const a = useAction();
  useEffect(() => {
    if (autoFocus) formRef.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, [autoFocus]);
  return (
    <form
      ref={formRef}
      className="form"
      data-testid={`${prefix}-form`}
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        if (outcome !== 'no_answer' && !summary.trim() && !nextStep.trim()) {
          setMissing(true);
          formRef.current?.querySelector<HTMLInputElement>(`[data-testid="${prefix}-summary"]`)?.focus();
          return;
        }
        setMissing(false);
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
          window.dispatchEvent(new Event(RECORDED));
          onSaved?.();
        }
      }}
    >
      <ContactFields
        channel={channel}
        setChannel={setChannel}
        outcome={outcome}
        setOutcome={(v) => {
          setOutcome(v);
          setMissing(false);
        }}
        summary={summary}
        setSummary={(v) => {
          setSummary(v);
          setMissing(false);
        }}
        nextStep={nextStep}
        setNextStep={(v) => {
          setNextStep(v);
          setMissing(false);
        }}
        nextStepOn={nextStepOn}
        setNextStepOn={setNextStepOn}
        prefix={prefix}
      />
      {missing && (
        <p className="notice notice-error" role="alert" data-testid={`${prefix}-missing`}>
          {t('contact.timeline.emptyRefused')}
        </p>
      )}
      <ErrorNotice error={a.error} />
      <SuccessNotice text={saved} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={a.busy} data-testid={`${prefix}-submit`}>
          {t('contact.timeline.record')}
        </button>
      </div>
    </form>
  );
}

/** The 360's quick action (top of the page): record a contact in a dialog, without scrolling to the timeline. */
export function LogContactButton({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const [open, setOpen] = useState(false);
  if (!user.permissions.includes('contact.log')) return null;
  return (
    <>
      <button type="button" className="btn btn-primary" data-testid="c360-log-contact" onClick={() => setOpen(true)}>
        {t('contact.timeline.quick')}
      </button>
      <Modal open={open} title={t('contact.timeline.quickTitle')} onClose={() => setOpen(false)} testId="quick-contact">
        {open && (
          <ContactForm customerId={customerId} prefix="quick-contact" autoFocus onSaved={() => setOpen(false)} />
        )}
      </Modal>
    </>
  );
}

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
  const reload = timeline.reload;
  useEffect(() => {
    window.addEventListener(RECORDED, reload);
    return () => window.removeEventListener(RECORDED, reload);
  }, [reload]);
  if (!user.permissions.includes('contact.log')) return null;
  return (
    <div className="grid-2" data-testid="c360-contacts">
      <section className="panel" aria-labelledby="c360-contacts-title">
        <h2 id="c360-contacts-title">{t('contact.timeline.title')}</h2>
        <ContactForm customerId={customerId} prefix="contact" />
        {timeline.loading && !timeline.data && <Loading />}
        <ErrorNotice error={timeline.error} onRetry={timeline.reload} />
        {timeline.data && timeline.data.rows.length === 0 && <Empty text={t('contact.timeline.empty')} />}
        <ol className="plain-list" data-testid="contact-timeline" aria-busy={!timeline.data}>
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
