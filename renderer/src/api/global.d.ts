/// <reference types="vite/client" />
import type { CrmClient } from '../../../shared/api';

declare global {
  interface Window {
    /** Electron: exposed by the preload (contextBridge). Browser mode: installed by api/client.ts. */
    crm: CrmClient | undefined;
  }
}
