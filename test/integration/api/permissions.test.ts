import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, METHOD_NAMES, type MethodName } from '../../../shared/api';
import { ROLES, type Role } from '../../../shared/permissions';
import { call, makeWorld, signIn, type World } from '../support/store';

/**
 * Who may call what, written out by hand so that a change to the contract's permissions shows up
 * here as a deliberate edit. 'all' = any signed-in role; 'public' = no session needed.
 */
const EXPECTED: Record<MethodName, 'public' | 'all' | Role[]> = {
  'system.info': 'public',
  'sync.status': 'all',
  'sync.membership': ['admin'],
  'sync.join': ['admin'],
  'sync.leave': ['admin'],
  'sync.pcs': ['admin'],
  'auth.signIn': 'public',
  'auth.signOut': 'all',
  'auth.me': 'all',
  'auth.changePassword': 'all',
  'auth.setLocale': 'all',
  'customers.search': ['president', 'manager', 'teller'],
  'customers.searchTotal': ['president', 'manager', 'teller'],
  'customers.get': ['president', 'manager'],
  'customers.list': ['president', 'manager'],
  'customers.count': ['president', 'manager'],
  'customers.reveal': ['president', 'manager'],
  'overview.branch': ['president'],
  'overview.portfolio': ['president', 'manager'],
  'users.list': ['admin'],
  'users.staffOptions': ['admin'],
  'users.create': ['admin'],
  'users.setDisabled': ['admin'],
  'users.unlock': ['admin'],
  'users.resetPassword': ['admin'],
  'users.pendingResets': ['admin', 'president'],
  'users.decideReset': ['admin', 'president'],
  'audit.list': ['president', 'admin'],
  'audit.options': ['president', 'admin'],
  'imports.profiles.list': ['admin'],
  'imports.profiles.save': ['admin'],
  'imports.profiles.delete': ['admin'],
  'imports.files': ['admin'],
  'imports.inbox': ['admin'],
  'imports.openInbox': ['admin'],
  'imports.preview': ['admin'],
  'imports.start': ['admin'],
  'imports.active': ['admin'],
  'imports.history': ['admin'],
  'imports.cancel': ['admin'],
  'imports.revert': ['admin'],
  'imports.rejects': ['admin'],
  'imports.rejectsFile': ['admin'],
  'customers.grid': ['president', 'manager'],
  'customers.gridCount': ['president', 'manager'],
  'customers.quickStats': ['president', 'manager'],
  'customers.queryOptions': ['president', 'manager'],
  'exports.start': ['president', 'manager'],
  'exports.status': ['president', 'manager'],
  'exports.cancel': ['president', 'manager'],
  'files.save': 'all',
  'favorites.set': ['president', 'manager'],
  'favorites.which': ['president', 'manager'],
  'lists.list': ['president', 'manager'],
  'lists.save': ['president', 'manager'],
  'lists.delete': ['president', 'manager'],
  'lists.add': ['president', 'manager'],
  'lists.remove': ['president', 'manager'],
  'queries.list': ['president', 'manager'],
  'queries.save': ['president', 'manager'],
  'queries.delete': ['president', 'manager'],
  'customers.view': ['president', 'manager'],
  'customers.transactions': ['president', 'manager'],
  'reminders.list': 'all',
  'reminders.count': 'all',
  'reminders.widget': 'all',
  'reminders.done': 'all',
  'reminders.dismiss': 'all',
  'reminders.snooze': 'all',
  'reminders.reopen': 'all',
  'reminders.prefs': 'all',
  'reminders.savePrefs': 'all',
  'reminders.generate': 'all',
  'referrals.create': ['teller'],
  'referrals.mine': ['teller'],
  'referrals.queue': ['president', 'manager'],
  'referrals.get': 'all',
  'referrals.forCustomer': ['president', 'manager'],
  'referrals.accept': ['president', 'manager'],
  'referrals.reassign': ['president', 'manager'],
  'referrals.contact': ['president', 'manager'],
  'referrals.win': ['president', 'manager'],
  'referrals.lose': ['president', 'manager'],
  'referrals.managers': ['president', 'manager'],
  'referrals.products': ['president', 'manager'],
  'referrals.report': ['president'],
  'referrals.settings': 'all',
  'referrals.saveSettings': ['president', 'admin'],
  'contacts.record': ['president', 'manager'],
  'contacts.forCustomer': ['president', 'manager'],
  'contacts.stale': ['president', 'manager'],
  'tiers.model': ['admin'],
  'reports.options': ['president', 'manager'],
  'reports.run': ['president', 'manager'],
  'reports.export': ['president', 'manager'],
  'reports.chartSaved': ['president', 'manager'],
  'tiers.refreshFactors': ['admin'],
  'tiers.whatIf': ['admin'],
  'tiers.apply': ['admin'],
  'desktop.data': ['president', 'manager'],
  'desktop.save': ['president', 'manager'],
  'desktop.reset': ['president', 'manager'],
  'desktop.export': ['president', 'manager'],
  'desktop.template': ['admin'],
  'desktop.publishTemplate': ['admin'],
  'settings.gridLayout.get': ['president', 'manager'],
  'settings.gridLayout.save': ['president', 'manager'],
  'settings.gridLayout.reset': ['president', 'manager'],
  'settings.gridPanels.get': ['president', 'manager'],
  'settings.gridPanels.save': ['president', 'manager'],
  'opportunities.list': ['president', 'manager'],
  'opportunities.get': ['president', 'manager'],
  'opportunities.create': ['president', 'manager'],
  'opportunities.move': ['president', 'manager'],
  'opportunities.undoWon': ['president', 'manager'],
  'opportunities.update': ['president', 'manager'],
  'opportunities.assign': ['president'],
  'opportunities.funnel': ['president', 'manager'],
  'opportunities.owners': ['president'],
  'rules.list': ['admin'],
  'rules.preview': ['admin'],
  'rules.save': ['admin'],
  'rules.run': ['admin'],
  'campaigns.list': ['president', 'manager'],
  'campaigns.create': ['president'],
  'campaigns.close': ['president'],
  'campaigns.entries': ['president', 'manager'],
  'campaigns.setStatus': ['president', 'manager'],
  'campaigns.progress': ['president'],
  'campaigns.export': ['president', 'manager'],
  'campaigns.importResults': ['president', 'manager'],
  'lab.targets': ['president', 'admin'],
  'lab.train': ['president', 'admin'],
  'lab.job': ['president', 'admin'],
  'lab.cancel': ['president', 'admin'],
  'lab.versions': ['president', 'admin'],
  'lab.version': ['president', 'admin'],
  'lab.activate': ['president', 'admin'],
  'lab.customerScores': ['president', 'manager'],
  'lab.scores': ['president', 'manager'],
  'lab.push': ['president'],
  'lab.monitoring': ['president', 'admin'],
  'scores.settings': ['president', 'admin'],
  'scores.saveSettings': ['president', 'admin'],
  'scores.customer': ['president', 'manager'],
  'nextProduct.forCustomer': ['president', 'manager', 'teller'],
  'nextProduct.rules': ['admin'],
  'analytics.settings': ['admin'],
  'analytics.saveNextProduct': ['admin'],
  'analytics.saveRisk': ['admin'],
  'risk.watchList': ['president', 'manager'],
  'risk.forCustomer': ['president', 'manager'],
  'risk.guarantees': ['president', 'manager'],
  'risk.owners': ['president', 'manager'],
  'risk.followUp': ['president', 'manager'],
};

let w: World;
const sessions = {} as Record<Role, string>;

beforeAll(async () => {
  w = await makeWorld();
  const names: Record<Role, string> = { president: 'president', manager: 'manager1', teller: 'teller', admin: 'admin' };
  for (const r of ROLES) sessions[r] = await signIn(w, names[r]);
});
afterAll(() => w.close());

describe('permissions', () => {
  it('the expected matrix covers exactly the contract', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...METHOD_NAMES].sort());
  });

  for (const method of METHOD_NAMES) {
    const allowed = EXPECTED[method];
    if (allowed === 'public' || allowed === 'all') continue;
    for (const role of ROLES) {
      if (allowed.includes(role)) {
        it(`${method} is not refused for ${role}`, async () => {
          const r = await call(w, method, {} as never, sessions[role]);
          if (!r.ok) expect(r.error.code).not.toBe('FORBIDDEN');
        });
      } else {
        it(`${method} refuses ${role} with FORBIDDEN and audits it`, async () => {
          const count = () =>
            (
              w.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'permission.denied'").get() as {
                n: number;
              }
            ).n;
          const before = count();
          const r = await call(w, method, {} as never, sessions[role]);
          expect(r).toEqual({ ok: false, error: { code: 'FORBIDDEN', details: { method } } });
          expect(count()).toBe(before + 1);
          const last = w.db
            .prepare("SELECT role, details FROM audit_log WHERE action = 'permission.denied' ORDER BY id DESC LIMIT 1")
            .get() as {
            role: string;
            details: string;
          };
          expect(last.role).toBe(role);
          expect(JSON.parse(last.details)).toMatchObject({ method, reason: 'role' });
        });
      }
    }
  }

  it('every non-public method refuses a caller without a valid session', async () => {
    for (const method of METHOD_NAMES) {
      if (contract[method].access === 'public') continue;
      expect(await call(w, method, {} as never, null), method).toEqual({
        ok: false,
        error: { code: 'UNAUTHENTICATED' },
      });
      expect(await call(w, method, {} as never, 'not-a-real-session-token'), method).toEqual({
        ok: false,
        error: { code: 'UNAUTHENTICATED' },
      });
    }
  });

  it('refuses an unknown method, including prototype names', async () => {
    const r = await w.registry.dispatch(
      { method: 'customers.dropTable', input: {}, session: sessions.admin },
      { adapter: 'test' },
    );
    expect(r).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', details: { method: 'customers.dropTable' } } });
    for (const m of ['constructor', '__proto__', 'toString']) {
      const p = await w.registry.dispatch({ method: m, input: {}, session: null }, { adapter: 'test' });
      expect(p).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });
});

describe('input validation', () => {
  it('refuses invalid input with VALIDATION and the field paths, before the handler runs', async () => {
    const before = (w.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
    const r = await call(
      w,
      'users.create',
      // An empty password is the schema's to refuse; a short one is the policy's (auth.test.ts names its rules).
      { username: 'x y', displayName: '', role: 'root', staffId: null, password: '' } as never,
      sessions.admin,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    const paths = (r.error.details!.issues as { path: string[] }[]).map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['username', 'displayName', 'role', 'password']));
    expect((w.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBe(before);
  });

  it('refuses unknown extra fields (strict schemas)', async () => {
    const r = await call(w, 'customers.count', { tier: 'gold', sql: '1=1' } as never, sessions.president);
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('refuses wrong types', async () => {
    const r = await call(w, 'customers.get', { id: '1 OR 1=1' } as never, sessions.president);
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { issues: [{ path: ['id'] }] } } });
  });
});
