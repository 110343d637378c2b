import { z } from 'zod';
import {
  ENCODINGS,
  IMPORT_KINDS,
  profileSchema,
  type Encoding,
  type ImportKind,
  type ImportProfile,
  type RejectReason,
} from '../imports';
import { empty, type Page } from './common';
import { method } from './define';

export interface ProfileRow {
  id: number;
  name: string;
  kind: ImportKind;
  builtin: boolean;
  profile: ImportProfile;
  updatedAt: string;
}

/** A file waiting in the import folder (where the nightly extracts are delivered). */
export interface InboxFile {
  name: string;
  bytes: number;
  modifiedAt: string;
}

export interface PreviewRow {
  line: number;
  /** Profile field -> the value as it will be stored (display text), or null when empty. */
  values: Record<string, string | null>;
  reject: { field: string | null; column: number | null; value: string | null; reason: RejectReason } | null;
}

export interface PreviewResult {
  header: string[] | null;
  /**
   * The whole file is checked exactly as the import would check it; the rows listed are the first
   * rejected rows (at most `rows` of them) and then the first good ones (at most as many).
   */
  rows: PreviewRow[];
  /** Every record of the file: how many the import would accept and reject. */
  counts: { read: number; good: number; bad: number };
  encoding: Encoding | null;
  /** The automatic guess, shown so the user can override it. */
  detected: { encoding: Encoding; confidence: 'high' | 'medium' | 'low' } | null;
  sheet: { name: string; available: string[] } | null;
}

export interface ActiveJob {
  ticket: number;
  jobId: number | null;
  state: 'queued' | 'running' | 'finished';
  kind: ImportKind;
  profileName: string;
  fileName: string;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** 0..1 of the file read. */
  fraction: number;
  phase: string | null;
  rate: number | null;
  etaSeconds: number | null;
  status: JobRow['status'] | null;
  error: { code: string; details: Record<string, unknown> } | null;
  /** A committed job worth a look: flat_branch_tree (a branches load left several top branches). */
  warnings: { code: 'flat_branch_tree'; roots: number; branches: number }[];
}

export interface JobRow {
  id: number;
  kind: ImportKind;
  profileName: string;
  fileName: string;
  fileBytes: number;
  encoding: string | null;
  status: 'queued' | 'running' | 'committed' | 'failed' | 'cancelled' | 'reverted';
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  error: { code: string; details: Record<string, unknown> } | null;
  source: 'ui' | 'cli';
  createdBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  revertedAt: string | null;
  hasRejectsFile: boolean;
  /** Only the latest committed job can be reverted. */
  revertible: boolean;
}

export interface RejectRow {
  line: number;
  column: number | null;
  field: string | null;
  value: string | null;
  reason: RejectReason;
}

const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/[\\/]|^\.\.?$/.test(s), { message: 'plain file name' });
const profileRef = z.union([
  z.object({ id: z.number().int().positive() }).strict(),
  z.object({ profile: profileSchema }).strict(),
]);

export const importsApi = {
  'imports.profiles.list': method<ProfileRow[]>()('job.manage', empty),
  /** Creates (no id) or updates a profile; built-in profiles are copied, not changed. */
  'imports.profiles.save': method<ProfileRow>()(
    'job.manage',
    z.object({ id: z.number().int().positive().optional(), profile: profileSchema }).strict(),
  ),
  'imports.profiles.delete': method<{ deleted: boolean }>()(
    'job.manage',
    z.object({ id: z.number().int().positive() }).strict(),
  ),
  'imports.files': method<InboxFile[]>()('job.manage', empty),
  /** Where the import folder is, and whether this shell can open it in the file manager. */
  'imports.inbox': method<{ path: string; canOpen: boolean }>()('job.manage', empty),
  /** Opens the import folder in Explorer (Electron only). */
  'imports.openInbox': method<{ opened: boolean }>()('job.manage', empty),
  'imports.preview': method<PreviewResult>()(
    'job.manage',
    z
      .object({
        file: fileName,
        source: profileRef,
        encoding: z.enum(ENCODINGS).optional(),
        rows: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
  ),
  'imports.start': method<ActiveJob>()(
    'job.manage',
    z
      .object({
        file: fileName,
        source: profileRef,
        encoding: z.enum(ENCODINGS).optional(),
        tolerance: z.number().int().min(0).max(10_000_000).default(0),
        allowDuplicate: z.boolean().default(false),
      })
      .strict(),
  ),
  'imports.active': method<ActiveJob[]>()('job.manage', empty),
  'imports.history': method<Page<JobRow>>()(
    'job.manage',
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
        kind: z.enum(IMPORT_KINDS).optional(),
      })
      .strict(),
  ),
  'imports.cancel': method<{ cancelled: boolean }>()(
    'job.manage',
    z.object({ ticket: z.number().int().positive() }).strict(),
  ),
  'imports.revert': method<JobRow>()('job.manage', z.object({ jobId: z.number().int().positive() }).strict()),
  'imports.rejects': method<Page<RejectRow>>()(
    'job.manage',
    z
      .object({
        jobId: z.number().int().positive(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  ),
  /** The rejects file (same encoding and layout as the source, plus a reason column), base64. */
  'imports.rejectsFile': method<{ name: string; base64: string; bytes: number }>()(
    'job.manage',
    z.object({ jobId: z.number().int().positive() }).strict(),
  ),
} as const;
