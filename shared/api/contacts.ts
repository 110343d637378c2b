import { z } from 'zod';
import type { Money, Page } from './common';
import type { Tier } from './customers';
import { method } from './define';
import { contactFields, type ContactChannel, type ContactOutcome } from './referrals';

/** One entry of the contact log (交往记录). */
export interface Contact {
  id: number;
  customerId: number;
  channel: ContactChannel;
  outcome: ContactOutcome;
  summary: string | null;
  nextStep: string | null;
  nextStepOn: string | null;
  referralId: number | null;
  staffName: string;
  contactedAt: string;
  contactedOn: string;
  /** The reminder created for the next step, when the reminders engine made one. */
  reminderId: number | null;
}

/** A customer in scope not contacted for at least N days (or never). */
export interface StaleCustomer {
  id: number;
  customerNo: string;
  name: string;
  tier: Tier | null;
  managerName: string | null;
  aum: Money;
  lastContactOn: string | null;
  lastChannel: ContactChannel | null;
  /** Days since the last contact; null when never contacted. */
  daysSince: number | null;
}

const id = z.number().int().positive();

export const contactsApi = {
  /** Records a call, visit, SMS, WeChat or meeting on a customer in scope; a next step with a date becomes a reminder. Audited. */
  'contacts.record': method<Contact>()('contact.log', z.object({ customerId: id, ...contactFields }).strict()),
  /** A customer's contact timeline, newest first. */
  'contacts.forCustomer': method<Page<Contact>>()(
    'contact.log',
    z
      .object({
        customerId: id,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
  ),
  /** Customers in scope not contacted for `days` days or more (or never), largest AUM first. */
  'contacts.stale': method<Page<StaleCustomer> & { cutoff: string }>()(
    'contact.log',
    z
      .object({
        days: z.number().int().min(1).max(3650).default(90),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
  ),
} as const;
