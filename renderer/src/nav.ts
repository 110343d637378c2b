/**
 * Hash routes and the left navigation. Which items a user sees follows their permissions (the
 * same list the main process enforces), so the menu never offers a page that would be refused.
 */
import type { Permission, Role } from '../../shared/permissions';

export const ROUTES = [
  'home',
  'customers',
  'customer',
  'referrals',
  'referralReport',
  'staleContacts',
  'imports',
  'tiers',
  'users',
  'audit',
  'reminders',
  'desktops',
  'passwordResets',
  'opportunities',
  'campaigns',
  'rules',
  'reports',
  'sync',
  'lab',
  'scores',
  'watchlist',
  'analytics',
] as const;
export type RouteId = (typeof ROUTES)[number];

export interface NavItem {
  id: RouteId;
  /** Fragment the item links to, e.g. "#/customers". */
  href: string;
  /** i18n key of the label. */
  labelKey: string;
}

interface NavDef {
  id: RouteId;
  permission: Permission | null;
  labelKey: string;
  /** A page reached from another (e.g. one customer), not listed in the menu. */
  hidden?: boolean;
  /** Listed in the menu only with this permission (the page itself follows `permission`). */
  menu?: Permission;
}

const NAV: readonly NavDef[] = [
  { id: 'home', permission: null, labelKey: '' },
  { id: 'customers', permission: 'customer.list', labelKey: 'nav.customers' },
  { id: 'reports', permission: 'portfolio.overview', labelKey: 'reports.nav' },
  { id: 'customer', permission: 'customer.read', labelKey: 'nav.customer', hidden: true },
  { id: 'referrals', permission: 'referral.work', labelKey: 'nav.referrals' },
  { id: 'referralReport', permission: 'referral.report', labelKey: 'nav.referralReport' },
  { id: 'staleContacts', permission: 'contact.log', labelKey: 'nav.staleContacts' },
  { id: 'opportunities', permission: 'opportunity.work', labelKey: 'nav.opportunities' },
  { id: 'campaigns', permission: 'opportunity.work', labelKey: 'nav.campaigns' },
  // 风险预警: the customers in scope rated 关注 or worse, with their follow-ups
  { id: 'watchlist', permission: 'customer.list', labelKey: 'risk.nav' },
  { id: 'imports', permission: 'job.manage', labelKey: 'nav.imports' },
  { id: 'rules', permission: 'rule.manage', labelKey: 'nav.rules' },
  { id: 'analytics', permission: 'rule.manage', labelKey: 'analytics.nav' },
  { id: 'tiers', permission: 'job.manage', labelKey: 'nav.tiers' },
  // 模型实验室: the president and the administrator (who sees the figures, never a customer)
  { id: 'lab', permission: 'model.lab', labelKey: 'lab.nav' },
  // 客户价值参数: the bank's rates, weights and points rules (president, administrator)
  { id: 'scores', permission: 'model.lab', labelKey: 'nav.scores' },
  { id: 'users', permission: 'user.manage', labelKey: 'nav.users' },
  { id: 'audit', permission: 'audit.read', labelKey: 'nav.audit' },
  { id: 'reminders', permission: null, labelKey: 'nav.reminders' },
  { id: 'desktops', permission: 'user.manage', labelKey: 'nav.desktops' },
  // The president approves resets here; administrators see the same list on 用户管理.
  { id: 'passwordResets', permission: 'user.approveReset', labelKey: 'nav.passwordResets' },
  // 网点协同: everyone reaches their 同步冲突 list from the header's sync line; the administrator joins
  // the PC to the hub here, so it is in their menu.
  { id: 'sync', permission: null, labelKey: 'nav.sync', menu: 'job.manage' },
];

export function hrefOf(id: RouteId): string {
  return `#/${id}`;
}

/** The home item's label names the role's desk: 行长桌面 / 客户经理桌面 / 柜员工作台 / 系统管理. */
export function homeLabelKey(role: Role): string {
  return `nav.home.${role}`;
}

export function navItemsFor(user: { role: Role; permissions: readonly Permission[] }): NavItem[] {
  const has = (p: Permission | null | undefined) => p == null || user.permissions.includes(p);
  return NAV.filter((d) => !d.hidden && has(d.permission) && has(d.menu)).map((d) => ({
    id: d.id,
    href: hrefOf(d.id),
    labelKey: d.id === 'home' ? homeLabelKey(user.role) : d.labelKey,
  }));
}

/**
 * "#/customers" → "customers"; an empty fragment (a bare "#" or "#/", or a leftover "#token=...")
 * is home; any other path is null (not found).
 */
export function parseRoute(hash: string): RouteId | null {
  const path = hash.replace(/^#/, '').replace(/^\//, '').split(/[?/]/)[0] ?? '';
  if (path === '' || path.startsWith('token=')) return 'home';
  return (ROUTES as readonly string[]).includes(path) ? (path as RouteId) : null;
}

/** Whether a route may be shown to this user (a typed URL must not bypass the menu). */
export function canOpen(id: RouteId, user: { permissions: readonly Permission[] }): boolean {
  const def = NAV.find((d) => d.id === id);
  return !!def && (def.permission === null || user.permissions.includes(def.permission));
}

/** The parameter after the route: "#/customer/123" -> "123"; null when there is none. */
export function routeParam(hash: string): string | null {
  const parts = hash.replace(/^#/, '').replace(/^\//, '').split('?')[0]!.split('/');
  return parts[1] ? decodeURIComponent(parts[1]) : null;
}
