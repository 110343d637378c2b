/**
 * Roles and what each may do. API methods name one permission each (shared/api); the registry in
 * main refuses a caller whose role lacks it before any handler runs. Which *customers* a permitted
 * caller sees is a separate question, answered by the data scope in db/scope.ts.
 */
export const ROLES = ['president', 'manager', 'teller', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Look a single customer up by number, ID, mobile or name (tellers: masked). */
  'customer.lookup',
  /** Browse and count customers in scope (lists, grids, stats). */
  'customer.list',
  /** Read one customer's full record (360) in scope. */
  'customer.read',
  /** Reveal masked fields (ID number, mobile) with a reason; audited. */
  'customer.unmask',
  /** Branch-level figures (president's view of the whole branch). */
  'branch.overview',
  /** Own portfolio figures (a manager's book). */
  'portfolio.overview',
  /** Users and roles. */
  'user.manage',
  /**
   * Approve or reject a password reset another person requested (dual control, 双人复核): an administrator
   * for any account, the president for the managers and tellers of their branch; never one's own request
   * or one's own account.
   */
  'user.approveReset',
  /** Read the audit trail. */
  'audit.read',
  /** Import jobs, profiles, store maintenance. */
  'job.manage',
  /** Flag a customer for a manager (转介) and follow one's own flags. */
  'referral.create',
  /** Work referrals: a manager their own queue, the president the branch's (accept, reassign, contact, close). */
  'referral.work',
  /** Referral figures by teller and manager, leaderboard. */
  'referral.report',
  /** Referral settings (working days to first contact). */
  'referral.configure',
  /** Record and read contacts (交往记录) on customers in scope. */
  'contact.log',
  /** Work opportunities (商机) and one's part of marketing lists: a manager their own, the president the branch's. */
  'opportunity.work',
  /** Push marketing lists (营销名单) to managers and follow their progress. */
  'campaign.manage',
  /** Opportunity-event rules (商机事件): parameters, on/off, preview. */
  'rule.manage',
  /** 模型实验室: train, compare and activate prediction models on the book (president, administrator). */
  'model.lab',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  president: [
    'customer.lookup',
    'customer.list',
    'customer.read',
    'customer.unmask',
    'branch.overview',
    'portfolio.overview',
    'audit.read',
    'referral.work',
    'referral.report',
    'referral.configure',
    'contact.log',
    'opportunity.work',
    'campaign.manage',
    'user.approveReset',
    'model.lab',
  ],
  manager: [
    'customer.lookup',
    'customer.list',
    'customer.read',
    'customer.unmask',
    'portfolio.overview',
    'referral.work',
    'contact.log',
    'opportunity.work',
  ],
  teller: ['customer.lookup', 'referral.create'],
  // The administrator runs the system but is not a banker: no customer permission at all.
  admin: [
    'user.manage',
    'user.approveReset',
    'audit.read',
    'job.manage',
    'referral.configure',
    'rule.manage',
    'model.lab',
  ],
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * Who writes the branch-wide settings every PC shares: one permission each, named here once and
 * required alike by the app's API method (shared/api) and by the hub's write rule of the shared record
 * (shared/sync/settings-rules.ts), so a role the app refuses cannot publish the same thing through the
 * hub. The administrator alone holds all three: desktop templates with the accounts (user.manage),
 * opportunity rule settings (rule.manage), tier models with the imports they follow (job.manage).
 */
export const SETTING_WRITERS = {
  /** desktop.publishTemplate; the desktop_templates record. */
  desktopTemplate: 'user.manage',
  /** rules.save; the rule_settings record. */
  ruleSettings: 'rule.manage',
  /** tiers.apply; the tier_model_versions and tier_model_active records. */
  tierModel: 'job.manage',
  /** scores.saveSettings; the score_settings record (customer-score parameters). */
  scoreSettings: 'model.lab',
} as const satisfies Record<string, Permission>;

/** Whether a role (as a string, e.g. the hub's resolved actor) holds a permission; false for an unknown role. */
export function roleHasPermission(role: string, permission: Permission): boolean {
  return (ROLES as readonly string[]).includes(role) && hasPermission(role as Role, permission);
}
