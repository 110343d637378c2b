import { recordAudit } from '../../db/repos/audit';
import { exportQuery } from '../../db/repos/customer-grid';
import { AppError } from '../../shared/errors';
import { columnSpecs, label } from '../exports/labels';
import { handlers } from './types';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export const exportsHandlers = handlers({
  'exports.start': ({ filter, sort, columns, format }, ctx) => {
    const { exports } = ctx.services;
    if (exports.running(ctx.user.id)) throw new AppError('CONFLICT', { field: 'exportRunning' });
    const locale = ctx.user.locale === 'en' ? 'en' : 'zh-CN';
    const q = exportQuery(ctx.scope(), filter, sort, columns, ctx.services.clock.today(), ctx.user.id);
    const title = label(locale, 'grid.exportTitle');
    const name = `${title}-${stamp(ctx.services.clock.now())}.${format}`;
    // Who exported what: the filter, the columns, the format; the row count follows when it ends.
    ctx.audit({
      action: 'exports.start',
      outcome: 'ok',
      targetType: 'customers',
      details: { filter, sort, columns, format },
    });
    const actor = { userId: ctx.user.id, username: ctx.user.username, role: ctx.user.role };
    return exports.start({
      userId: ctx.user.id,
      ...q,
      columns: columnSpecs(columns, locale),
      format,
      name,
      sheetName: title,
      onFinished: (s) =>
        recordAudit(ctx.services.db, actor, {
          action: 'exports.finish',
          outcome: s.state === 'done' ? 'ok' : 'failed',
          targetType: 'customers',
          details: { ticket: s.ticket, state: s.state, rows: s.rows, format, filter },
        }),
    });
  },

  'exports.status': ({ ticket }, ctx) => {
    const s = ctx.services.exports.status(ticket, ctx.user.id);
    if (!s) throw new AppError('NOT_FOUND', { entity: 'export', ticket });
    return s;
  },

  'exports.cancel': ({ ticket }, ctx) => {
    const s = ctx.services.exports.cancel(ticket, ctx.user.id);
    if (!s) throw new AppError('NOT_FOUND', { entity: 'export', ticket });
    return s;
  },

  'files.save': async ({ id }, ctx) => {
    const f = ctx.services.vault.get(id, ctx.user.id);
    if (!f) throw new AppError('NOT_FOUND', { entity: 'file' });
    const saveAs = ctx.services.platform.saveAs;
    if (!saveAs) return { via: 'fetch' as const, saved: false };
    const saved = await saveAs(f.path, f.name);
    if (saved) ctx.audit({ action: 'files.save', outcome: 'ok', targetType: 'file', details: { name: f.name } });
    return { via: 'dialog' as const, saved };
  },
});
