/**
 * One workstation process per store. Two hosts on one file (a second `npm start`, a second browser-
 * mode window started from a shortcut) would each keep their own sessions, in-memory columns and
 * import queue over the same data: refused with STORE_IN_USE naming the process that holds it.
 * A lock file beside the store holds the owner's process id; a lock whose process is gone (a crash,
 * a killed process) is taken over. The CLI's unattended commands do not take it: SQLite's own
 * locking already serialises their writes with the app's.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { AppError } from '../shared/errors';

interface LockInfo {
  pid: number;
  host: string;
  mode: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user; ESRCH: it is gone.
    return (e as { code?: string }).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' ? (v as LockInfo) : null;
  } catch {
    return null;
  }
}

export interface StoreLock {
  release(): void;
}

export function lockStore(dbPath: string, mode: string): StoreLock {
  const file = `${dbPath}.lock`;
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), mode, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const held = readLock(file);
      // Held by a live process on this machine (this one included: two hosts in one process are as wrong),
      // or by another PC (a store on a shared folder: whether that process lives cannot be known from
      // here, so it is refused and named). A stale or unreadable lock of this machine is taken over.
      if (held && (held.host !== mine.host || alive(held.pid))) {
        throw new AppError('STORE_IN_USE', { pid: held.pid, host: held.host, mode: held.mode, since: held.since });
      }
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(mine));
    closeSync(fd);
    return {
      release() {
        if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new AppError('STORE_IN_USE', { pid: null, mode: null, since: null });
}
