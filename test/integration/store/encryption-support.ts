/**
 * Helpers for the encryption and corruption tests (also used by the attack suite): where a row lives
 * in an encrypted file, and one flipped byte there.
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { Database } from 'better-sqlite3';

/**
 * The leaf page holding the lowest rowids of `table` (first in the b-tree's path order) and the
 * smallest rowid, read through the keyed connection with SQLite's dbstat table.
 */
export function firstLeafPage(db: Database, table: string): { pageno: number; pageSize: number; firstId: number } {
  const leaf = db
    .prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path LIMIT 1`)
    .pluck()
    .get(table) as number | undefined;
  if (!leaf) throw new Error(`no leaf page for ${table}`);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const firstId = db.prepare(`SELECT min(rowid) FROM "${table}"`).pluck().get() as number;
  return { pageno: leaf, pageSize, firstId };
}

/** Flips one bit of one byte in the middle of page `pageno` of `file`; returns the byte's offset. */
export function flipByte(file: string, pageno: number, pageSize: number): number {
  const offset = (pageno - 1) * pageSize + Math.floor(pageSize / 2);
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    b[0] = b[0]! ^ 0x01;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
  return offset;
}

/** Whether the file's bytes contain `text` (UTF-8): plaintext customer data on disk. */
export function fileContains(file: string, text: string): boolean {
  return readFileSync(file).includes(Buffer.from(text, 'utf8'));
}
