/**
 * Every error that may cross the boundary to the renderer. Handlers throw `AppError(code, details)`;
 * adapters send only `{ code, details }`; the renderer maps each code to a zh-CN / en message
 * (shared/i18n/*.json and domains/, key `errors.<CODE>`). Details must be safe to show: no SQL, no stack.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNKNOWN_METHOD',
  'UNAUTHENTICATED',
  'SESSION_EXPIRED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'BAD_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'PASSWORD_POLICY',
  'STORE_DAMAGED',
  'STORE_TOO_NEW',
  'STORE_TOO_OLD',
  'STORE_MIGRATION_MISMATCH',
  'STORE_MIGRATION_FAILED',
  'STORE_IN_USE',
  // Encryption at rest (db/cipher.ts, main/store-key.ts): the store is encrypted and its key file is
  // missing; the key does not open it; converting a plaintext store failed (details: file, backup).
  'STORE_KEY_MISSING',
  'STORE_KEY_WRONG',
  'STORE_ENCRYPT_FAILED',
  'HOST_TOKEN',
  'HOST_FORBIDDEN',
  // Import jobs (main/jobs): file problems name file, line and column in details.
  'IMPORT_ENCODING',
  'IMPORT_UNCLOSED_QUOTE',
  'IMPORT_LINE_TOO_LONG',
  'IMPORT_EMPTY_FILE',
  'IMPORT_READ_FAILED',
  'IMPORT_NOT_XLSX',
  'IMPORT_NOT_TEXT',
  'IMPORT_SHEET_NOT_FOUND',
  'IMPORT_HEADER_MISMATCH',
  'IMPORT_BAD_PROFILE',
  'IMPORT_TOO_MANY_REJECTS',
  'IMPORT_DUPLICATE_FILE',
  'IMPORT_CANCELLED',
  'IMPORT_DISK_FULL',
  'IMPORT_INTERRUPTED',
  'IMPORT_REVERT_BLOCKED',
  'IMPORT_STORE_BUSY',
  // 个性化桌面: a layout refused (details: reason, widget id, kind).
  'DESKTOP_LAYOUT_INVALID',
  // Referrals: a step the referral's state does not allow (details: status, action); a reassignment to someone who cannot take it.
  'REFERRAL_BAD_STATE',
  'REFERRAL_BAD_ASSIGNEE',
  // Opportunities: a stage move the funnel does not allow (details: from, to); a rule parameter out of range (field, min, max).
  'OPPORTUNITY_STAGE',
  // 撤销成交 refused (details: reason notWon / linked / window).
  'OPPORTUNITY_UNDO',
  'RULE_PARAM',
  // Marketing lists: a results file refused (details: file, errors [{line, column, reason, value}]); an empty list.
  'CAMPAIGN_IMPORT_INVALID',
  'CAMPAIGN_EMPTY',
  // Reminders: a snooze until a time already past (details: until).
  'REMINDER_SNOOZE_PAST',
  // Per-user settings: a customer-grid column layout refused (details: reason unknown_column / duplicate_column / bad_shape, colId).
  'GRID_LAYOUT_INVALID',
  // 客户细分: a re-tier dated before the last one logged (the PC's clock was set back; details: last).
  'TIER_CLOCK_BEHIND',
  // Too many look-ups by ID number or mobile in a short time (details: retryAfterSeconds).
  'RATE_LIMITED',
  // 模型实验室: a training job already running; the store's history too short for the window or cut-off
  // (details: cutoff, outcomeMonths, from, to); too few outcomes to learn from (details: rows, positives).
  'LAB_BUSY',
  'LAB_NO_HISTORY',
  'LAB_TOO_FEW',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The import jobs' codes (file problems, rejects beyond tolerance, duplicates, cancel...). */
export type ImportErrorCode = Extract<ErrorCode, `IMPORT_${string}`>;

export type ErrorDetails = Record<string, unknown>;

export interface WireError {
  code: ErrorCode;
  details?: ErrorDetails;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, details?: ErrorDetails) {
    super(details ? `${code} ${JSON.stringify(details)}` : code);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toWire(): WireError {
    return this.details ? { code: this.code, details: this.details } : { code: this.code };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export function isWireError(e: unknown): e is WireError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as WireError).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((e as WireError).code)
  );
}

/** What an adapter returns for one call. Errors travel as values so IPC never mangles them. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: WireError };
