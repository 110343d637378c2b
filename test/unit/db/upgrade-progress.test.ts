import { describe, expect, it } from 'vitest';
import { type UpgradeState, UpgradeTracker } from '../../../db/upgrade-progress';

function run(events: Parameters<UpgradeTracker['handle']>[0][]): UpgradeState[] {
  let t = 0;
  const states: UpgradeState[] = [];
  const tracker = new UpgradeTracker(
    (s) => states.push(s),
    () => t,
  );
  for (const e of events) {
    t += 1000;
    tracker.handle(e);
  }
  return states;
}

describe('the upgrade tracker', () => {
  it('never says 100% before the end: a conversion to the encrypted format, then the upgrade', () => {
    const states = run([
      { type: 'encrypt', fraction: 0.5 },
      { type: 'encrypt', fraction: 1 },
      { type: 'start', from: 17, to: 29, fullCheck: false, refills: ['reporting'] },
      { type: 'backup-start', path: '/b.db', writing: '/b.db.partial', bytes: 100 },
      { type: 'backup', done: 50, total: 100 },
      { type: 'backup-done', path: '/b.db' },
      { type: 'migrate', version: 18, name: 'x', index: 0, count: 12 },
      { type: 'migrate', version: 29, name: 'y', index: 11, count: 12 },
      { type: 'migrated' },
      { type: 'ready' },
    ]);
    const fractions = states.map((s) => s.fraction);
    // Before the upgrade is known the conversion is the whole bar; from then on the bar only grows.
    const upgrade = fractions.slice(2);
    expect(upgrade.every((f, i) => i === 0 || f >= upgrade[i - 1]!)).toBe(true);
    expect(fractions.slice(0, -1).every((f) => f < 1)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    // Once the upgrade is known, its phases follow the conversion on the bar.
    expect(states[2]!.phases).toEqual(['encrypt', 'backup', 'migrate']);
    expect(states[2]!.phase).toBe('backup');
    expect(states[4]!.backup).toEqual({ path: '/b.db', fraction: 0.5, done: false });
    // An estimate once there is a pace, none before.
    expect(states[4]!.etaSeconds).toBeGreaterThan(0);
  });

  it('a failure keeps the backup it took and names the migration', () => {
    const states = run([
      { type: 'start', from: 17, to: 29, fullCheck: true, refills: [] },
      { type: 'check' },
      { type: 'backup-start', path: '/b.db', writing: '/b.db.partial', bytes: 100 },
      { type: 'backup-done', path: '/b.db' },
      { type: 'migrate', version: 24, name: 'x', index: 6, count: 12 },
      { type: 'failed', code: 'STORE_MIGRATION_FAILED', file: '/s.db', backup: null, version: 24 },
    ]);
    // The check is measured table by table now: it starts at 0, not as an unknown amount.
    expect(states[1]!.phaseFraction).toBe(0);
    const last = states.at(-1)!;
    expect(last.phase).toBe('failed');
    expect(last.failure).toEqual({ code: 'STORE_MIGRATION_FAILED', file: '/s.db', backup: '/b.db', version: 24 });
    expect(last.etaSeconds).toBeNull();
  });
});
