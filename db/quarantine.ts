/**
 * A store found damaged while the app was serving it is quarantined: a marker file beside it
 * (`<store>.damaged`) makes every later open refuse it with STORE_DAMAGED, even when the damaged page
 * is one the open-time checks of a big store do not read. The administrator restores the offered
 * backup over the store (or repairs it) and runs `crm check`, which lifts the quarantine only when
 * the full integrity check passes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface QuarantineRecord {
  since: string;
  /** The SQLite code that showed the damage (SQLITE_CORRUPT, SQLITE_NOTADB). */
  sqlite: string;
  /** The newest backup when the damage was found, offered in the message. */
  backup: string | null;
}

export function quarantineFile(store: string): string {
  return `${path.resolve(store)}.damaged`;
}

export function quarantineOf(store: string): QuarantineRecord | null {
  try {
    const v = JSON.parse(readFileSync(quarantineFile(store), 'utf8')) as Partial<QuarantineRecord>;
    return {
      since: typeof v.since === 'string' ? v.since : '',
      sqlite: typeof v.sqlite === 'string' ? v.sqlite : '',
      backup: typeof v.backup === 'string' ? v.backup : null,
    };
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    // A marker that cannot be read still marks the store.
    return { since: '', sqlite: '', backup: null };
  }
}

export function quarantineStore(store: string, rec: QuarantineRecord): void {
  writeFileSync(quarantineFile(store), `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600 });
}

export function liftQuarantine(store: string): boolean {
  const had = quarantineOf(store) !== null;
  rmSync(quarantineFile(store), { force: true });
  return had;
}
