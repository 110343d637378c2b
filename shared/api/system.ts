import { empty } from './common';
import { method } from './define';

export interface AppInfo {
  name: string;
  version: string;
  schemaVersion: number;
  mode: 'electron' | 'browser';
  demo: boolean;
}

export const systemApi = {
  /** Version and mode, shown on the sign-in screen. */
  'system.info': method<AppInfo>()('public', empty),
} as const;
