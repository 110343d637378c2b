import { describe, expect, it } from 'vitest';
import { canOpen, navItemsFor, parseRoute } from '../../../renderer/src/nav';
import { ROLE_PERMISSIONS, type Role } from '../../../shared/permissions';

const userOf = (role: Role) => ({ role, permissions: [...ROLE_PERMISSIONS[role]] });
const ids = (role: Role) => navItemsFor(userOf(role)).map((i) => i.id);

describe('renderer navigation', () => {
  it('offers each role only the pages its permissions allow', () => {
    expect(ids('president')).toEqual([
      'home',
      'customers',
      'reports',
      'referrals',
      'referralReport',
      'staleContacts',
      'opportunities',
      'campaigns',
      'watchlist',
      'lab',
      'scores',
      'audit',
      'reminders',
      'passwordResets',
    ]);
    expect(ids('manager')).toEqual([
      'home',
      'customers',
      'reports',
      'referrals',
      'staleContacts',
      'opportunities',
      'campaigns',
      'watchlist',
      'reminders',
    ]);
    expect(ids('teller')).toEqual(['home', 'reminders']);
    expect(ids('admin')).toEqual([
      'home',
      'imports',
      'rules',
      'analytics',
      'tiers',
      'lab',
      'scores',
      'users',
      'audit',
      'reminders',
      'desktops',
      'passwordResets',
      'sync',
    ]);
  });

  it('names the home item after the role desk and links by hash', () => {
    const [home] = navItemsFor(userOf('teller'));
    expect(home).toEqual({ id: 'home', href: '#/home', labelKey: 'nav.home.teller' });
  });

  it('parses hash routes', () => {
    expect(parseRoute('')).toBe('home');
    expect(parseRoute('#')).toBe('home');
    expect(parseRoute('#/')).toBe('home');
    expect(parseRoute('#/customers')).toBe('customers');
    expect(parseRoute('#/audit?x=1')).toBe('audit');
    expect(parseRoute('#token=abc')).toBe('home');
    expect(parseRoute('#/nowhere')).toBeNull();
  });

  it('refuses typed URLs the role may not open', () => {
    expect(canOpen('users', userOf('manager'))).toBe(false);
    expect(canOpen('customers', userOf('teller'))).toBe(false);
    expect(canOpen('audit', userOf('president'))).toBe(true);
    expect(canOpen('home', userOf('teller'))).toBe(true);
  });
});
