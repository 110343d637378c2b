import path from 'node:path';

/**
 * Where the store lives when nothing says otherwise: the Electron user-data folder
 * (%APPDATA%\Branch CRM on Windows), or ./.data next to the project in browser mode.
 */
export function defaultDbPath(userDataDir?: string): string {
  if (process.env.CRM_DB) return path.resolve(process.env.CRM_DB);
  const dir = userDataDir ?? path.resolve(process.cwd(), '.data');
  return path.join(dir, 'crm.db');
}

/** The import folder: where the nightly extracts are delivered (next to the store). */
export function inboxDir(dbPath: string): string {
  return path.join(path.dirname(path.resolve(dbPath)), 'inbox');
}

/** Where import jobs write their rejects files. */
export function rejectsDir(dbPath: string): string {
  return path.join(path.dirname(path.resolve(dbPath)), 'rejects');
}
