/**
 * What a store upgrade is doing, for the page (browser mode) or window (Electron) shown from the first
 * second of a start that upgrades the store (issue 18.2). Pure: the upgrade (db/open.ts performUpgrade,
 * in a worker under the app: main/upgrade/) sends events, a tracker folds them into one state with an
 * overall fraction and an estimate of the time left.
 */
import type { RefillName } from './refills';

/** Where a conversion to the encrypted format is (db/encrypt.ts's phases), with its own measure. */
export interface EncryptStep {
  phase: 'check' | 'backup' | 'encrypt' | 'verify' | 'swap' | 'done';
  /** Work done and total in `unit`: pages checked, bytes copied or re-encrypted, tables compared. */
  done: number;
  total: number;
  unit: 'pages' | 'bytes' | 'tables';
  /** The check's and the verification's table count (table x of y), when checking. */
  table?: number;
  tables?: number;
}

export type UpgradePhase = 'encrypt' | 'check' | 'backup' | 'migrate' | 'open' | 'ready' | 'failed';

/** What the upgrade reports as it goes (from a worker, so plain data). */
export type UpgradeEvent =
  | { type: 'start'; from: number; to: number; fullCheck: boolean; refills: RefillName[] }
  /** The conversion to the encrypted format (db/encrypt.ts): the whole 0..1, and the step it is at. */
  | { type: 'encrypt'; fraction: number; step?: EncryptStep }
  /** The full check, table by table (db/store-check.ts): pages checked of those in use, tables done. */
  | { type: 'check'; done?: number; total?: number; table?: number; tables?: number }
  /**
   * Before the copy starts: where it goes, the file it is written to until complete (renamed to `path`
   * only then, so a copy cut short is never offered as a way back) and about how many bytes it will hold.
   */
  | { type: 'backup-start'; path: string; writing: string; bytes: number }
  | { type: 'backup'; done: number; total: number }
  | { type: 'backup-done'; path: string }
  | { type: 'migrate'; version: number; name: string; index: number; count: number }
  | { type: 'migrated' }
  | { type: 'ready' }
  | { type: 'failed'; code: string; file: string; backup: string | null; version: number | null };

export interface UpgradeState {
  phase: UpgradePhase;
  /** Schema versions: the store's before, the app's. */
  from: number;
  to: number;
  /** The phases this start goes through, in order (the check only when the open skipped it). */
  phases: ('encrypt' | 'check' | 'backup' | 'migrate')[];
  /** The migration being applied. */
  step: { version: number; name: string; index: number; count: number } | null;
  /** The full check's table count (table x of y), while it runs. */
  check: { table: number; tables: number } | null;
  /** The conversion's current step, while it runs. */
  encrypt: EncryptStep | null;
  /** The backup taken before migrating: where, how far (0..1), and whether it is complete. */
  backup: { path: string | null; fraction: number; done: boolean };
  /** The current phase, 0..1, or null when it cannot be measured (a check that has not counted pages yet). */
  phaseFraction: number | null;
  /** The whole upgrade, 0..1. */
  fraction: number;
  /** Seconds left, estimated from the pace so far; null until there is a pace to go by. */
  etaSeconds: number | null;
  elapsedSeconds: number;
  /** Derived tables refilled after the store opens (the figures they feed say "updating" meanwhile). */
  refills: RefillName[];
  failure: { code: string; file: string; backup: string | null; version: number | null } | null;
}

/**
 * Shares of the whole each phase is given on the bar, by its rough cost on a big store: the check and
 * the backup each read every page; the migrations vary (an index over 20M rows, or a column added).
 */
const WEIGHT: Record<'encrypt' | 'check' | 'backup' | 'migrate', number> = {
  encrypt: 3,
  check: 1,
  backup: 1,
  migrate: 2,
};

export class UpgradeTracker {
  private state: UpgradeState;
  private readonly t0: number;
  private phases: (keyof typeof WEIGHT)[] = [];

  constructor(
    private readonly onChange: (s: UpgradeState) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.t0 = now();
    this.state = {
      phase: 'open',
      from: 0,
      to: 0,
      phases: [],
      step: null,
      check: null,
      encrypt: null,
      backup: { path: null, fraction: 0, done: false },
      phaseFraction: null,
      fraction: 0,
      etaSeconds: null,
      elapsedSeconds: 0,
      refills: [],
      failure: null,
    };
  }

  get current(): UpgradeState {
    return {
      ...this.state,
      phases: [...this.phases],
      backup: { ...this.state.backup },
      check: this.state.check ? { ...this.state.check } : null,
      encrypt: this.state.encrypt ? { ...this.state.encrypt } : null,
      elapsedSeconds: (this.now() - this.t0) / 1000,
    };
  }

  /** Whether this start upgrades (a 'start' or 'encrypt' event arrived). */
  get upgrading(): boolean {
    return this.phases.length > 0;
  }

  handle(e: UpgradeEvent): void {
    const s = this.state;
    switch (e.type) {
      case 'start':
        s.from = e.from;
        s.to = e.to;
        s.refills = e.refills;
        this.addPhases([...(e.fullCheck ? (['check'] as const) : []), 'backup', 'migrate']);
        // After a conversion to the encrypted format, the bar now covers the upgrade's phases too: the next
        // one is under way (the worker is starting), so the bar cannot say 100% while they wait.
        if (s.phase === 'encrypt' || s.phase === 'open') this.enter(e.fullCheck ? 'check' : 'backup', 0);
        break;
      case 'encrypt':
        this.addPhases(['encrypt']);
        // A bare fraction (a caller relaying only that) keeps the step last reported.
        s.encrypt = e.step ?? s.encrypt;
        this.enter('encrypt', e.fraction);
        break;
      case 'check':
        s.check = e.tables !== undefined ? { table: e.table ?? 0, tables: e.tables } : s.check;
        this.enter('check', e.total ? Math.min(1, (e.done ?? 0) / e.total) : s.phase === 'check' ? s.phaseFraction : 0);
        break;
      case 'backup-start':
        s.backup = { path: e.path, fraction: 0, done: false };
        this.enter('backup', 0);
        break;
      case 'backup':
        s.backup.fraction = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
        this.enter('backup', s.backup.fraction);
        break;
      case 'backup-done':
        s.backup = { path: e.path, fraction: 1, done: true };
        this.enter('backup', 1);
        break;
      case 'migrate':
        s.step = { version: e.version, name: e.name, index: e.index, count: e.count };
        this.enter('migrate', e.count > 0 ? e.index / e.count : 0);
        break;
      case 'migrated':
        s.step = null;
        this.enter('migrate', 1);
        break;
      case 'ready':
        s.phase = 'ready';
        s.phaseFraction = 1;
        s.fraction = 1;
        s.etaSeconds = 0;
        break;
      case 'failed':
        s.phase = 'failed';
        s.etaSeconds = null;
        s.failure = { code: e.code, file: e.file, backup: e.backup ?? s.backup.path, version: e.version };
        break;
    }
    this.onChange(this.current);
  }

  /**
   * The backup's size so far, when only the file shows it (an encrypted store's copy is written by one
   * long statement in the worker; the main thread reads the file's growth).
   */
  backupBytes(bytes: number, expected: number): void {
    if (this.state.phase !== 'backup' || this.state.backup.done || expected <= 0) return;
    // Never 100% before the copy says it is done: the estimate of its size is a little off.
    this.handle({ type: 'backup', done: Math.min(bytes, expected * 0.99), total: expected });
  }

  private addPhases(list: (keyof typeof WEIGHT)[]): void {
    for (const p of list) if (!this.phases.includes(p)) this.phases.push(p);
  }

  private enter(phase: keyof typeof WEIGHT, fraction: number | null): void {
    const s = this.state;
    s.phase = phase;
    s.phaseFraction = fraction;
    const total = this.phases.reduce((a, p) => a + WEIGHT[p], 0) || 1;
    let before = 0;
    for (const p of this.phases) {
      if (p === phase) break;
      before += WEIGHT[p];
    }
    // 100% only when the store is open ('ready'): the last phase's end still has the open to come.
    s.fraction = Math.min(0.99, (before + WEIGHT[phase] * (fraction ?? 0)) / total);
    const elapsed = (this.now() - this.t0) / 1000;
    // The pace so far, once there is some: seconds per unit of the bar times what is left of it.
    s.etaSeconds = s.fraction >= 0.02 && elapsed >= 1 ? Math.round((elapsed / s.fraction) * (1 - s.fraction)) : null;
  }
}
