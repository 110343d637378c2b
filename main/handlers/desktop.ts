import type { DesktopLayout, DesktopRole, DesktopTemplate, DesktopView } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { clearUserLayout, desktopTemplate, publishTemplate, saveUserLayout, userLayout } from '../../db/repos/desktops';
import { syncActor } from '../../db/sync/actor';
import { shareDesktop, shareTemplate } from '../../db/sync/settings';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { widgetSheet, writeSheet } from '../desktop/export';
import { computeWidgets, DEFAULT_LAYOUTS, makeEnv, validateLayout } from '../desktop/widgets';
import { log } from '../log';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';
import { reportingUpdating } from '../upgrade/updating';

/** Only the president and managers have desktops (the permission already keeps others out). */
function desktopRole(ctx: AuthedCtx): DesktopRole {
  const r = ctx.user.role;
  if (r !== 'president' && r !== 'manager') throw new AppError('FORBIDDEN', { method: 'desktop' });
  return r;
}

/** The role's published template (validated again on read) or the built-in default. */
function templateFor(
  ctx: AuthedCtx,
  role: DesktopRole,
): { layout: DesktopLayout; builtIn: boolean; publishedAt: string | null; publishedBy: string | null } {
  const t = desktopTemplate(ctx.services.db, role);
  if (t) {
    try {
      return {
        layout: validateLayout(t.layout, role),
        builtIn: false,
        publishedAt: t.publishedAt,
        publishedBy: t.publishedBy,
      };
    } catch {
      log.warn('desktop template unreadable; using the built-in default', { role });
    }
  }
  return { layout: structuredClone(DEFAULT_LAYOUTS[role]), builtIn: true, publishedAt: null, publishedBy: null };
}

/** The caller's layout: their own when it reads back valid, else the template (flagged as recovered). */
function layoutFor(
  ctx: AuthedCtx,
  role: DesktopRole,
): { layout: DesktopLayout; source: DesktopView['source']; recovered: boolean } {
  const own = userLayout(ctx.services.db, ctx.user.id);
  if (own) {
    try {
      return { layout: validateLayout(own.layout, role), source: 'user', recovered: false };
    } catch {
      const t = templateFor(ctx, role);
      return { layout: t.layout, source: t.builtIn ? 'default' : 'template', recovered: true };
    }
  }
  const t = templateFor(ctx, role);
  return { layout: t.layout, source: t.builtIn ? 'default' : 'template', recovered: false };
}

function templateView(ctx: AuthedCtx, role: DesktopRole): DesktopTemplate {
  const t = templateFor(ctx, role);
  return { role, ...t };
}

/**
 * A local write and, on a PC joined to a hub, its record queued in the same transaction
 * (db/sync/settings.ts); the sync worker is woken after the commit.
 */
function shared<T>(ctx: AuthedCtx, write: () => T): T {
  const out = ctx.services.db.transaction(write)();
  kickSync(ctx.services.db);
  return out;
}

/** The most rows a widget's sheet carries (a month of maturities in a big branch stays far below). */
const EXPORT_ROWS = 20_000;

export const desktopHandlers = handlers({
  'desktop.data': (_input, ctx) => {
    const role = desktopRole(ctx);
    const { layout, source, recovered } = layoutFor(ctx, role);
    const today = ctx.services.clock.today();
    const env = makeEnv(ctx.services.db, ctx.scope(), today, ctx.user, ctx.services.clock.now().toISOString());
    // One read transaction: every widget sees the same committed state of the store, and the same
    // state of a refill after an upgrade (its figures are marked updating until it commits).
    const { widgets, updating } = ctx.services.db.transaction(() => ({
      widgets: computeWidgets(layout, env),
      updating: reportingUpdating(ctx.services),
    }))();
    return { layout, source, recovered, today, widgets, updating };
  },

  'desktop.save': ({ layout }, ctx) => {
    const role = desktopRole(ctx);
    const valid = validateLayout(layout, role);
    const savedAt = shared(ctx, () => {
      const at = saveUserLayout(ctx.services.db, ctx.user.id, JSON.stringify(valid));
      shareDesktop(ctx.services.db, ctx.user.id, syncActor(ctx.services.db, ctx.user));
      return at;
    });
    return { layout: valid, savedAt };
  },

  'desktop.reset': (_input, ctx) => {
    const role = desktopRole(ctx);
    shared(ctx, () => {
      clearUserLayout(ctx.services.db, ctx.user.id);
      shareDesktop(ctx.services.db, ctx.user.id, syncActor(ctx.services.db, ctx.user));
    });
    return { layout: templateFor(ctx, role).layout };
  },

  'desktop.export': async ({ widgetId }, ctx) => {
    const role = desktopRole(ctx);
    const { layout } = layoutFor(ctx, role);
    const widget = layout.widgets.find((w) => w.id === widgetId);
    if (!widget) throw new AppError('NOT_FOUND', { entity: 'widget', id: widgetId });
    const today = ctx.services.clock.today();
    const env = { ...makeEnv(ctx.services.db, ctx.scope(), today, ctx.user), exportRows: EXPORT_ROWS };
    const result = computeWidgets({ widgets: [widget] }, env)[widget.id];
    if (!result?.ok)
      throw new AppError(result?.code === 'INTERNAL' || !result ? 'INTERNAL' : 'NOT_FOUND', {
        entity: 'widget',
        id: widgetId,
      });
    const locale = ctx.user.locale === 'en' ? 'en' : 'zh-CN';
    const sheet = widgetSheet(widget, result.data, locale);
    const dir = ctx.services.paths.exports;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `desktop-${ctx.user.id}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.xlsx`);
    await writeSheet(sheet, file);
    const name = `${sheet.title}-${today.replace(/-/g, '')}.xlsx`;
    // Who exported which figures: the widget, its kind and options, and the rows written.
    ctx.audit({
      action: 'desktop.export',
      outcome: 'ok',
      targetType: 'widget',
      targetId: widget.id,
      details: { kind: widget.kind, config: widget.config, rows: sheet.rows.length },
    });
    return { id: ctx.services.vault.register(file, name, ctx.user.id), name };
  },

  'desktop.template': ({ role }, ctx) => templateView(ctx, role),

  'desktop.publishTemplate': (input, ctx) => {
    const layout = validateLayout('json' in input ? input.json : input.layout, input.role);
    shared(ctx, () => {
      publishTemplate(ctx.services.db, input.role, JSON.stringify(layout), ctx.user.id);
      shareTemplate(ctx.services.db, input.role, syncActor(ctx.services.db, ctx.user));
    });
    ctx.audit({
      action: 'desktop.template.publish',
      outcome: 'ok',
      details: { role: input.role, widgets: layout.widgets.length },
    });
    return templateView(ctx, input.role);
  },
});
