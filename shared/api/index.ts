import type { CallResult } from '../errors';
import { auditApi } from './audit';
import { authApi } from './auth';
import { customer360Api } from './customer360';
import { customersApi } from './customers';
import { desktopApi } from './desktop';
import { exportsApi } from './exports';
import { gridApi } from './grid';
import { importsApi } from './imports';
import { labApi } from './lab';
import { analyticsApi } from './analytics';
import { listsApi } from './lists';
import { scoresApi } from './scores';
import { referralsApi } from './referrals';
import { contactsApi } from './contacts';
import { tiersApi } from './tiers';
import { opportunitiesApi } from './opportunities';
import { campaignsApi } from './campaigns';
import { remindersApi } from './reminders';
import { reportsApi } from './reports';
import { settingsApi } from './settings';
import type { InputOf, OutputOf } from './define';
import { overviewApi } from './overview';
import { queryOptionsApi } from './query-options';
import { systemApi } from './system';
import { syncApi } from './sync';
import { usersApi } from './users';

/** The whole API: every method the renderer may call, declared once. */
export const contract = {
  ...systemApi,
  ...authApi,
  ...customersApi,
  ...overviewApi,
  ...usersApi,
  ...auditApi,
  ...importsApi,
  ...gridApi,
  ...queryOptionsApi,
  ...exportsApi,
  ...listsApi,
  ...referralsApi,
  ...contactsApi,
  ...customer360Api,
  ...tiersApi,
  ...opportunitiesApi,
  ...campaignsApi,
  ...remindersApi,
  ...reportsApi,
  ...desktopApi,
  ...settingsApi,
  ...syncApi,
  ...labApi,
  ...scoresApi,
  ...analyticsApi,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type Input<M extends MethodName> = InputOf<Contract[M]>;
export type Output<M extends MethodName> = OutputOf<Contract[M]>;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** What travels over either adapter for one call. */
export interface CallEnvelope {
  method: string;
  input: unknown;
  session?: string | null;
}

/** The typed client the renderer gets as `window.crm` (preload in Electron, fetch in browser mode). */
export interface CrmClient {
  call<M extends MethodName>(method: M, input: Input<M>): Promise<CallResult<Output<M>>>;
  /** Set by the renderer after sign-in; sent with every later call. */
  setSession(session: string | null): void;
  readonly mode: 'electron' | 'browser';
}

export * from './audit';
export * from './auth';
export * from './common';
export * from './lab';
export * from './scores';
export * from './analytics';
export * from './customer360';
export * from './customers';
export * from './desktop';
export * from './define';
export * from './exports';
export * from './grid';
export * from './imports';
export * from './lists';
export * from './referrals';
export * from './contacts';
export * from './tiers';
export * from './opportunities';
export * from './campaigns';
export * from './reminders';
export * from './reports';
export * from './settings';
export * from './overview';
export * from './query-options';
export * from './system';
export * from './users';
