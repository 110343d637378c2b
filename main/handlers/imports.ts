import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ActiveJob, InboxFile, JobRow, PreviewResult, RejectRow } from '../../shared/api/imports';
import { maskPreview, maskRejectValue } from '../../shared/import-preview-mask';
import { AppError, type ErrorCode } from '../../shared/errors';
import type { ImportKind, ImportProfile, RejectReason } from '../../shared/imports';
import { ImportParseError } from '../jobs/parse/io';
import { revertJob } from '../jobs/engine/revert';
import { checkProfile, JobError } from '../jobs/engine/run';
import { profilesRepo } from '../jobs/profiles/store';
import { PreviewError, type QueueEntry } from '../jobs/queue';
import { syncActor } from '../../db/sync/actor';
import { profileSyncId, shareProfile } from '../../db/sync/profiles';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';

/** Largest rejects file handed to the window in one call (bigger ones stay in the rejects folder). */
const MAX_REJECTS_DOWNLOAD = 64 * 1024 * 1024;

/** Engine and parser failures as the API's errors; `file` names the file where one is involved. */
function toAppError(e: unknown, file?: string): never {
  if (e instanceof JobError) throw new AppError(e.code, e.details);
  if (e instanceof PreviewError) throw new AppError(e.code as ErrorCode, e.details);
  if (e instanceof ImportParseError)
    throw new AppError(e.code, { ...(file ? { file } : {}), line: e.line, column: e.column, ...e.details });
  throw e;
}

/** A file of the import folder by plain name: nothing outside it can be named. */
async function inboxFile(ctx: AuthedCtx, name: string): Promise<string> {
  const dir = ctx.services.paths.inbox;
  const file = path.join(dir, path.basename(name));
  if (path.dirname(file) !== dir) throw new AppError('VALIDATION', { issues: [{ path: ['file'], code: 'custom' }] });
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    throw new AppError('NOT_FOUND', { entity: 'file', name: path.basename(name) });
  }
  return file;
}

function resolveProfile(ctx: AuthedCtx, source: { id: number } | { profile: ImportProfile }): ImportProfile {
  const profile = 'id' in source ? profilesRepo(ctx.services.db).get(source.id).profile : source.profile;
  try {
    checkProfile(profile);
  } catch (e) {
    toAppError(e);
  }
  return profile;
}

function toActive(e: QueueEntry): ActiveJob {
  const p = e.progress;
  return {
    ticket: e.ticket,
    jobId: e.jobId,
    state: e.state,
    kind: e.kind,
    profileName: e.profileName,
    fileName: e.fileName,
    rowsRead: e.outcome?.rowsRead ?? p?.rowsRead ?? 0,
    rowsWritten: e.outcome ? e.outcome.rowsInserted + e.outcome.rowsUpdated : (p?.rowsWritten ?? 0),
    rowsRejected: e.outcome?.rowsRejected ?? p?.rowsRejected ?? 0,
    fraction: e.state === 'finished' ? 1 : p && p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0,
    phase: p?.phase ?? null,
    rate: e.rate,
    etaSeconds: e.etaSeconds,
    status: e.outcome?.status ?? null,
    error: e.outcome?.error ?? null,
    warnings: e.outcome?.warnings ?? [],
  };
}

interface JobDbRow {
  id: number;
  kind: ImportKind;
  profile_name: string;
  file_name: string;
  file_bytes: number;
  encoding: string | null;
  status: JobRow['status'];
  rows_read: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  error: string | null;
  source: 'ui' | 'cli';
  created_by_name: string | null;
  started_at: string | null;
  finished_at: string | null;
  reverted_at: string | null;
  rejects_file: string | null;
}

function jobRows(ctx: AuthedCtx, where: string, params: unknown[], limit: number, offset: number): JobRow[] {
  const db = ctx.services.db;
  const latest = (
    db.prepare(`SELECT MAX(id) AS id FROM import_jobs WHERE status = 'committed'`).get() as { id: number | null }
  ).id;
  const rows = db
    .prepare(
      `SELECT j.id, j.kind, j.profile_name, j.file_name, j.file_bytes, j.encoding, j.status, j.rows_read, j.rows_inserted, j.rows_updated,
              j.rows_unchanged, j.rows_rejected, j.error, j.source, u.display_name AS created_by_name, j.started_at, j.finished_at,
              j.reverted_at, j.rejects_file
       FROM import_jobs j LEFT JOIN users u ON u.id = j.created_by ${where} ORDER BY j.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, limit, offset) as JobDbRow[];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    profileName: r.profile_name,
    fileName: r.file_name,
    fileBytes: r.file_bytes,
    encoding: r.encoding,
    status: r.status,
    rowsRead: r.rows_read,
    rowsInserted: r.rows_inserted,
    rowsUpdated: r.rows_updated,
    rowsUnchanged: r.rows_unchanged,
    rowsRejected: r.rows_rejected,
    error: r.error ? (JSON.parse(r.error) as JobRow['error']) : null,
    source: r.source,
    createdBy: r.created_by_name,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    revertedAt: r.reverted_at,
    hasRejectsFile: r.rejects_file !== null,
    revertible: r.status === 'committed' && r.id === latest,
  }));
}

export const importsHandlers = handlers({
  'imports.profiles.list': (_input, ctx) => profilesRepo(ctx.services.db).list(),

  'imports.profiles.save': (input, ctx) => {
    try {
      checkProfile(input.profile);
    } catch (e) {
      toAppError(e);
    }
    const db = ctx.services.db;
    // On a PC joined to a hub, the profile is queued in the same transaction (db/sync/profiles.ts).
    const row = db.transaction(() => {
      const saved = profilesRepo(db).save(input.id, input.profile, ctx.user.id);
      shareProfile(db, saved.id, syncActor(db, ctx.user));
      return saved;
    })();
    kickSync(db);
    ctx.audit({
      action: 'imports.profileSave',
      outcome: 'ok',
      targetType: 'import_profile',
      targetId: row.id,
      details: { name: row.name, kind: row.kind },
    });
    return row;
  },

  'imports.profiles.delete': (input, ctx) => {
    const db = ctx.services.db;
    const deleted = db.transaction(() => {
      const syncId = profileSyncId(db, input.id);
      const gone = profilesRepo(db).remove(input.id);
      if (syncId !== null) shareProfile(db, input.id, syncActor(db, ctx.user), syncId);
      return gone;
    })();
    kickSync(db);
    ctx.audit({ action: 'imports.profileDelete', outcome: 'ok', targetType: 'import_profile', targetId: input.id });
    return { deleted };
  },

  'imports.files': async (_input, ctx): Promise<InboxFile[]> => {
    const dir = ctx.services.paths.inbox;
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch {
      return [];
    }
    const out: InboxFile[] = [];
    for (const name of names.sort()) {
      try {
        const st = await fsp.stat(path.join(dir, name));
        if (st.isFile()) out.push({ name, bytes: st.size, modifiedAt: st.mtime.toISOString() });
      } catch {
        /* vanished meanwhile */
      }
    }
    return out;
  },

  'imports.inbox': async (_input, ctx) => {
    await fsp.mkdir(ctx.services.paths.inbox, { recursive: true });
    return { path: ctx.services.paths.inbox, canOpen: !!ctx.services.platform.openFolder };
  },

  'imports.openInbox': async (_input, ctx) => {
    const open = ctx.services.platform.openFolder;
    if (!open) return { opened: false };
    await fsp.mkdir(ctx.services.paths.inbox, { recursive: true });
    return { opened: await open(ctx.services.paths.inbox) };
  },

  'imports.preview': async (input, ctx) => {
    const file = await inboxFile(ctx, input.file);
    const profile = resolveProfile(ctx, input.source);
    let result: PreviewResult;
    try {
      result = await ctx.services.imports.preview({ file, profile, rows: input.rows, encoding: input.encoding });
    } catch (e) {
      return toAppError(e, input.file);
    }
    // The administrator who runs imports has no customer access: the preview shows whether the file maps
    // right (shape, lengths, the visible ends) without the identifiers themselves, like every other screen.
    ctx.audit({
      action: 'imports.preview',
      outcome: 'ok',
      details: { file: input.file, kind: profile.kind, rows: result.rows.length, ...result.counts },
    });
    return maskPreview(result, profile.kind);
  },

  'imports.start': async (input, ctx) => {
    const file = await inboxFile(ctx, input.file);
    const profile = resolveProfile(ctx, input.source);
    const entry = ctx.services.imports.submit({
      file,
      profile,
      tolerance: input.tolerance,
      allowDuplicate: input.allowDuplicate,
      encoding: input.encoding,
      source: 'ui',
      userId: ctx.user.id,
      username: ctx.user.username,
      locale: ctx.user.locale,
    });
    return toActive(entry);
  },

  'imports.active': (_input, ctx) => ctx.services.imports.list().map(toActive),

  'imports.history': (input, ctx) => {
    const where = input.kind ? 'WHERE j.kind = ?' : '';
    const params = input.kind ? [input.kind] : [];
    const total = (
      ctx.services.db.prepare(`SELECT COUNT(*) AS n FROM import_jobs j ${where}`).get(...params) as { n: number }
    ).n;
    return { rows: jobRows(ctx, where, params, input.limit, input.offset), total };
  },

  'imports.cancel': (input, ctx) => {
    const cancelled = ctx.services.imports.cancel(input.ticket);
    if (cancelled)
      ctx.audit({ action: 'imports.cancel', outcome: 'ok', targetType: 'import_ticket', targetId: input.ticket });
    return { cancelled };
  },

  'imports.revert': (input, ctx) => {
    if (ctx.services.imports.busy()) throw new AppError('IMPORT_STORE_BUSY');
    try {
      revertJob(ctx.services.db, input.jobId, {
        userId: ctx.user.id,
        username: ctx.user.username,
        role: ctx.user.role,
      });
    } catch (e) {
      toAppError(e);
    }
    ctx.services.followUps.schedule({ today: ctx.services.clock.today(), reason: 'revert', jobId: input.jobId });
    return jobRows(ctx, 'WHERE j.id = ?', [input.jobId], 1, 0)[0]!;
  },

  'imports.rejects': (input, ctx) => {
    const db = ctx.services.db;
    const kind = (
      db.prepare('SELECT kind FROM import_jobs WHERE id = ?').get(input.jobId) as { kind: ImportKind } | undefined
    )?.kind;
    const total = (
      db.prepare('SELECT COUNT(*) AS n FROM import_rejects WHERE job_id = ?').get(input.jobId) as { n: number }
    ).n;
    const rows = db
      .prepare(
        'SELECT line, col, field, value, reason FROM import_rejects WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?',
      )
      .all(input.jobId, input.limit, input.offset) as {
      line: number;
      col: number | null;
      field: string | null;
      value: string | null;
      reason: RejectReason;
    }[];
    return {
      rows: rows.map(
        (r): RejectRow => ({
          line: r.line,
          column: r.col,
          field: r.field,
          // Masked like the preview: whoever runs imports has no customer access.
          value: kind ? maskRejectValue(kind, r.field, r.value) : r.value,
          reason: r.reason,
        }),
      ),
      total,
    };
  },

  'imports.rejectsFile': async (input, ctx) => {
    const r = ctx.services.db.prepare('SELECT rejects_file FROM import_jobs WHERE id = ?').get(input.jobId) as
      | { rejects_file: string | null }
      | undefined;
    if (!r?.rejects_file) throw new AppError('NOT_FOUND', { entity: 'rejects_file', jobId: input.jobId });
    let buf: Buffer;
    try {
      const st = await fsp.stat(r.rejects_file);
      if (st.size > MAX_REJECTS_DOWNLOAD) throw new AppError('CONFLICT', { field: 'rejectsFileSize' });
      buf = await fsp.readFile(r.rejects_file);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('NOT_FOUND', { entity: 'rejects_file', jobId: input.jobId });
    }
    ctx.audit({
      action: 'imports.rejectsDownload',
      outcome: 'ok',
      targetType: 'import_job',
      targetId: input.jobId,
      details: { bytes: buf.length },
    });
    return { name: path.basename(r.rejects_file), base64: buf.toString('base64'), bytes: buf.length };
  },
});
