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
import { reprojectSettings, SETTINGS_PROJECTIONS, settingsMutators } from './settings';
import { adoptActiveTierModel, tierMutators } from './tiers';
import { PROFILES_TABLE, profileMutators, projectProfile } from './profiles';
import { localIdOf } from './schema';
import { projectFollowUp, reprojectRiskWatch, RISK_WATCH, riskWatchMutators } from './risk-watch';
import { ANALYTICS_SETTINGS, analyticsSettingsMutators, projectAnalyticsSettings } from './analytics-settings';

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
  ...settingsMutators,
  ...tierMutators,
  ...profileMutators,
  ...riskWatchMutators,
  ...analyticsSettingsMutators,
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
  ...SETTINGS_PROJECTIONS,
  [PROFILES_TABLE]: projectProfile,
  [RISK_WATCH]: projectFollowUp,
  [ANALYTICS_SETTINGS]: projectAnalyticsSettings,
};

/** Rows these domains could not place when they arrived (their customer not imported here yet). */
export function placeCollab(db: Database): number {
  return (
    reprojectContacts(db) +
    shareDerivedOpportunities(db) +
    reprojectOpportunities(db) +
    reprojectCampaigns(db) +
    reprojectReminderStates(db) +
    reprojectLists(db) +
    reprojectSettings(db) +
    adoptActiveTierModel(db) +
    reprojectRiskWatch(db)
  );
}

/** What a 同步冲突 entry of these domains is about, for its audit line: the local opportunity or campaign. */
export function collabTarget(db: Database, name: string, args: unknown): { type: string; id: number } | null {
  const a = (args ?? {}) as { syncId?: unknown; items?: { id?: unknown }[] };
  const local = (table: string, id: unknown) => (typeof id === 'string' ? localIdOf(db, table, id) : null);
  let hit: { type: string; id: number | null } | null = null;
  if (name.startsWith('opportunities.')) hit = { type: 'opportunity', id: local(OPPORTUNITIES, a.syncId) };
  else if (name === 'campaigns.close') hit = { type: 'campaign', id: local(CAMPAIGNS, a.syncId) };
  else if (name === 'campaigns.setStatus')
    hit = { type: 'campaign', id: local(CAMPAIGNS, String(a.items?.[0]?.id ?? '').split(':')[0]) };
  return hit && hit.id !== null ? { type: hit.type, id: hit.id } : null;
}
