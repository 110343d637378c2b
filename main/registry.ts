import { contract, isMethodName, type CallEnvelope, type MethodName } from '../shared/api';
import { AppError, isAppError, type CallResult, type WireError } from '../shared/errors';
import { hasPermission, ROLE_PERMISSIONS } from '../shared/permissions';
import { scopeFor, type Scope } from '../db/scope';
import { recordAudit } from '../db/repos/audit';
import { userById } from '../db/repos/users';
import { auditHandlers } from './handlers/audit';
import { authHandlers } from './handlers/auth';
import { customer360Handlers } from './handlers/customer360';
import { customersHandlers } from './handlers/customers';
import { desktopHandlers } from './handlers/desktop';
import { exportsHandlers } from './handlers/exports';
import { gridHandlers } from './handlers/grid';
import { importsHandlers } from './handlers/imports';
import { labHandlers } from './handlers/lab';
import { analyticsHandlers } from './handlers/analytics';
import { listsHandlers } from './handlers/lists';
import { scoresHandlers } from './handlers/scores';
import { referralsHandlers } from './handlers/referrals';
import { contactsHandlers } from './handlers/contacts';
import { remindersHandlers } from './handlers/reminders';
import { reportsHandlers } from './handlers/reports';
import { tiersHandlers } from './handlers/tiers';
import { opportunitiesHandlers } from './handlers/opportunities';
import { campaignsHandlers } from './handlers/campaigns';
import { overviewHandlers } from './handlers/overview';
import { queryOptionsHandlers } from './handlers/query-options';
import { settingsHandlers } from './handlers/settings';
import { systemHandlers } from './handlers/system';
import { syncHandlers } from './handlers/sync';
import type { AuthedCtx, CallMeta, Ctx, Handler, HandlerMap } from './handlers/types';
import { identifierLookups, type LookupPolicy, lookupTime, searchTextOf } from './identifier-lookups';
import { usersHandlers } from './handlers/users';
import { noteCall } from './activity';
import { log } from './log';
import type { Services, StoreDamage } from './services';
import { isSqliteCorruption } from '../db/cipher';

function damagedError(d: StoreDamage): WireError {
  return { code: 'STORE_DAMAGED', details: { file: d.file, backup: d.backup, reason: 'quarantined' } };
}

export type { CallMeta } from './handlers/types';

export interface Registry {
  /** Validates, authenticates, authorises, then runs one call. Never throws: errors come back as values. */
  dispatch(envelope: CallEnvelope, meta: CallMeta): Promise<CallResult<unknown>>;
  readonly methods: readonly MethodName[];
  /** A finished file (export) for the signed-in owner of `session`, or null. Browser-mode downloads. */
  file(session: string | null, id: string): { path: string; name: string } | null;
}

/** Merges domain maps, refusing a method implemented twice. */
function combine(...maps: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of maps) {
    for (const [k, v] of Object.entries(m)) {
      if (k in out) throw new Error(`handler registered twice: ${k}`);
      out[k] = v;
    }
  }
  return out;
}

/** Methods a user who must change their password may still call. */
const DURING_PASSWORD_CHANGE = new Set<MethodName>([
  'auth.me',
  'auth.signOut',
  'auth.changePassword',
  'auth.setLocale',
  'system.info',
]);

/**
 * `lookupPolicy`: the identifier-search rate limit (main/identifier-lookups.ts); only benchmarks that
 * time the search path itself pass a looser one, the app always runs with the default.
 */
export function createRegistry(services: Services, opts: { lookupPolicy?: LookupPolicy } = {}): Registry {
  // The annotation makes a missing handler a compile error; combine() makes a duplicate a start-up error.
  const all: HandlerMap<MethodName> = combine(
    systemHandlers,
    authHandlers,
    customersHandlers,
    overviewHandlers,
    usersHandlers,
    auditHandlers,
    importsHandlers,
    gridHandlers,
    queryOptionsHandlers,
    exportsHandlers,
    listsHandlers,
    referralsHandlers,
    contactsHandlers,
    remindersHandlers,
    reportsHandlers,
    customer360Handlers,
    tiersHandlers,
    opportunitiesHandlers,
    campaignsHandlers,
    desktopHandlers,
    settingsHandlers,
    syncHandlers,
    labHandlers,
    scoresHandlers,
    analyticsHandlers,
  ) as HandlerMap<MethodName>;
  const complete: HandlerMap<MethodName> = {
    ...systemHandlers,
    ...authHandlers,
    ...customersHandlers,
    ...overviewHandlers,
    ...usersHandlers,
    ...auditHandlers,
    ...importsHandlers,
    ...gridHandlers,
    ...queryOptionsHandlers,
    ...exportsHandlers,
    ...listsHandlers,
    ...referralsHandlers,
    ...contactsHandlers,
    ...remindersHandlers,
    ...reportsHandlers,
    ...customer360Handlers,
    ...tiersHandlers,
    ...opportunitiesHandlers,
    ...campaignsHandlers,
    ...desktopHandlers,
    ...settingsHandlers,
    ...syncHandlers,
    ...labHandlers,
    ...scoresHandlers,
    ...analyticsHandlers,
  };
  void complete;
  for (const name of Object.keys(contract)) {
    if (typeof (all as Record<string, unknown>)[name] !== 'function') throw new Error(`no handler for ${name}`);
  }

  const { sessions } = services;
  const lookups = identifierLookups(lookupTime(services.clock), opts.lookupPolicy);

  function denied(ctx: Ctx, method: string, reason: string): never {
    ctx.audit({
      action: 'permission.denied',
      outcome: 'denied',
      details: { method, reason, adapter: ctx.meta.adapter },
    });
    throw new AppError('FORBIDDEN', { method });
  }

  async function run(envelope: CallEnvelope, meta: CallMeta): Promise<unknown> {
    const method = envelope.method;
    if (!isMethodName(method)) throw new AppError('UNKNOWN_METHOD', { method: String(method).slice(0, 64) });
    const def = contract[method];
    let scope: Scope | null = null;
    const ctx: Ctx = {
      services,
      meta,
      session: typeof envelope.session === 'string' ? envelope.session : null,
      user: null,
      scope() {
        if (!ctx.user) throw new AppError('UNAUTHENTICATED');
        scope ??= scopeFor(
          services.db,
          { role: ctx.user.role, staffId: ctx.user.staff_id, branchId: ctx.user.branch_id },
          services.clock.today(),
        );
        return scope;
      },
      audit(rec) {
        recordAudit(
          services.db,
          { userId: ctx.user?.id ?? null, username: ctx.user?.username ?? null, role: ctx.user?.role ?? null },
          rec,
        );
      },
    };

    if (def.access !== 'public') {
      if (!ctx.session) throw new AppError('UNAUTHENTICATED');
      const found = sessions.touch(ctx.session);
      if (found.status === 'missing') throw new AppError('UNAUTHENTICATED');
      if (found.status === 'expired') throw new AppError('SESSION_EXPIRED');
      const user = userById(services.db, found.userId);
      if (!user || user.disabled) {
        sessions.revoke(ctx.session);
        throw new AppError(user ? 'ACCOUNT_DISABLED' : 'UNAUTHENTICATED');
      }
      ctx.user = { ...user, permissions: [...ROLE_PERMISSIONS[user.role]] };
      if (user.must_change_password && !DURING_PASSWORD_CHANGE.has(method)) {
        denied(ctx, method, 'password_change_required');
      }
      if (def.access !== 'session' && !hasPermission(user.role, def.access)) denied(ctx, method, 'role');
    }

    // Input is validated after the caller is known (no schema probing without a session) and
    // before any handler code runs.
    const parsed = def.input.safeParse(envelope.input ?? {});
    if (!parsed.success) {
      throw new AppError('VALIDATION', {
        method,
        // path, code and the bound broken (numbers and zod's word for what it bounds: safe to send), so
        // the renderer can say "用户名（至少 2 个字符）" rather than only name the field
        issues: parsed.error.issues.slice(0, 10).map((i) => {
          const b = i as { minimum?: unknown; maximum?: unknown; origin?: unknown };
          return {
            path: i.path.map(String),
            code: i.code,
            ...(typeof b.minimum === 'number' ? { minimum: b.minimum } : {}),
            ...(typeof b.maximum === 'number' ? { maximum: b.maximum } : {}),
            ...(typeof b.origin === 'string' ? { origin: b.origin } : {}),
          };
        }),
      });
    }
    // Searches by ID number or mobile, whatever method carries them: rate-limited and audited.
    const searched = ctx.user ? searchTextOf(method, parsed.data) : null;
    if (searched !== null) lookups.check(ctx as AuthedCtx, method, searched);
    const handler = all[method] as Handler<typeof method>;
    return await handler(parsed.data as never, ctx as AuthedCtx);
  }

  return {
    methods: Object.keys(contract) as MethodName[],
    file(session, id) {
      if (!session || !/^[\w-]{16,64}$/.test(id)) return null;
      const found = sessions.touch(session);
      if (found.status !== 'ok') return null;
      return services.vault.get(id, found.userId);
    },
    async dispatch(envelope, meta) {
      // A quarantined store answers nothing: no figure read from it can be trusted (issue 19.5).
      if (services.damaged) return { ok: false, error: damagedError(services.damaged) };
      // Background steps wait for a quiet moment (main/activity.ts, issue 18.1).
      const ended = noteCall();
      try {
        return { ok: true, value: await run(envelope, meta) };
      } catch (err) {
        if (isAppError(err)) return { ok: false, error: err.toWire() };
        // A page failed its HMAC (or the file stopped being a database) under this request: refuse it
        // and everything after, rather than answer from a store that has been changed behind our back.
        if (isSqliteCorruption(err)) {
          return { ok: false, error: damagedError(services.markDamaged(String((err as { code?: unknown }).code))) };
        }
        // An import job holds the store's write lock for its one transaction: a write that cannot
        // wait is refused with a clear message instead of freezing the window.
        if ((err as { code?: string } | null)?.code === 'SQLITE_BUSY')
          return { ok: false, error: { code: 'IMPORT_STORE_BUSY' } };
        log.error('unhandled error in handler', {
          method: typeof envelope.method === 'string' ? envelope.method.slice(0, 64) : null,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        return { ok: false, error: { code: 'INTERNAL' } };
      } finally {
        ended();
      }
    },
  };
}
