import type { Database } from 'better-sqlite3';
import { CAMPAIGNS, campaignMutators, ENTRIES, projectCampaign, projectEntry, reprojectCampaigns } from './campaigns';
import { CONTACTS, contactMutators, projectContact, reprojectContacts } from './contacts';
import {
  FAVORITES,
  LISTS,
  listMutators,
  MEMBERS,
  projectFavorite,
  projectList,
  projectMember,
  projectQuery,
  QUERIES,
  reprojectLists,
} from './lists';
import {
  OPPORTUNITIES,
  opportunityMutators,
  projectOpportunity,
  reprojectOpportunities,
  shareDerivedOpportunities,
} from './opportunities';
import { projectReminderState, REMINDER_STATES, reminderMutators, reprojectReminderStates } from './reminders';
import type { Mutators, Projections } from './replica';

/**
 * The collaboration domains beyond referrals and accounts (issue 16): contacts, opportunities,
 * campaigns and their entries. Their mutators, projections and deferred placement, wired by domains.ts.
 */
export const COLLAB_MUTATORS: Mutators = {
  ...contactMutators,
  ...opportunityMutators,
  ...campaignMutators,
  ...reminderMutators,
  ...listMutators,
};

export const COLLAB_PROJECTIONS: Projections = {
  [CONTACTS]: projectContact,
  [OPPORTUNITIES]: projectOpportunity,
  [CAMPAIGNS]: projectCampaign,
  [ENTRIES]: projectEntry,
  [REMINDER_STATES]: projectReminderState,
  [LISTS]: projectList,
  [MEMBERS]: projectMember,
  [QUERIES]: projectQuery,
  [FAVORITES]: projectFavorite,
};

/** Rows these domains could not place when they arrived (their customer not imported here yet). */
export function placeCollab(db: Database): number {
  return (
    reprojectContacts(db) +
    shareDerivedOpportunities(db) +
    reprojectOpportunities(db) +
    reprojectCampaigns(db) +
    reprojectReminderStates(db) +
    reprojectLists(db)
  );
}
