import { describe, expect, it } from 'vitest';
import { describeForLog, parseCliArgs, userArgs } from '../../../main/app/argv';

const EXE = 'C:\\Program Files\\Branch CRM\\BranchCRM.exe';
const ELECTRON = '/work/main/node_modules/electron/dist/electron';
const packaged = { defaultApp: false };
const dev = { defaultApp: true };

describe('parseCliArgs: packaged executable', () => {
  it('opens the GUI with no arguments', () => {
    expect(parseCliArgs([EXE], packaged)).toEqual({ kind: 'gui', dbPath: null });
  });

  it('reads --db in both spellings, last one wins', () => {
    expect(parseCliArgs([EXE, '--db', 'D:\\crm\\crm.db'], packaged)).toEqual({
      kind: 'gui',
      dbPath: 'D:\\crm\\crm.db',
    });
    expect(parseCliArgs([EXE, '--db=D:\\a.db'], packaged)).toEqual({ kind: 'gui', dbPath: 'D:\\a.db' });
    expect(parseCliArgs([EXE, '--db=a.db', '--db', 'b.db'], packaged)).toEqual({ kind: 'gui', dbPath: 'b.db' });
  });

  it('ignores a --db without a usable value', () => {
    expect(parseCliArgs([EXE, '--db'], packaged)).toEqual({ kind: 'gui', dbPath: null });
    expect(parseCliArgs([EXE, '--db='], packaged)).toEqual({ kind: 'gui', dbPath: null });
    expect(parseCliArgs([EXE, '--db', '--inspect'], packaged)).toEqual({ kind: 'gui', dbPath: null });
  });

  it('runs the CLI for everything after --', () => {
    expect(parseCliArgs([EXE, '--', 'import', 'a.csv', '--dry-run'], packaged)).toEqual({
      kind: 'cli',
      args: ['import', 'a.csv', '--dry-run'],
      dbPath: null,
    });
    // The CLI's own `--` and `--db` belong to the CLI, not to the GUI parser.
    expect(parseCliArgs([EXE, '--', 'demo', '--db', 'x.db', '--', 'y'], packaged)).toEqual({
      kind: 'cli',
      args: ['demo', '--db', 'x.db', '--', 'y'],
      dbPath: null,
    });
  });

  it('accepts the `cli` word, alone or after --', () => {
    expect(parseCliArgs([EXE, 'cli', 'demo', '--customers', '50'], packaged)).toEqual({
      kind: 'cli',
      args: ['demo', '--customers', '50'],
      dbPath: null,
    });
    expect(parseCliArgs([EXE, '--', 'cli', 'demo'], packaged)).toEqual({ kind: 'cli', args: ['demo'], dbPath: null });
    expect(parseCliArgs([EXE, 'cli'], packaged)).toEqual({ kind: 'cli', args: [], dbPath: null });
    expect(parseCliArgs([EXE, '--', 'cli'], packaged)).toEqual({ kind: 'cli', args: [], dbPath: null });
  });

  it('passes a --db given before the marker on to the CLI', () => {
    expect(parseCliArgs([EXE, '--db', 'D:\\x.db', '--', 'import', 'a.csv'], packaged)).toEqual({
      kind: 'cli',
      args: ['import', 'a.csv'],
      dbPath: 'D:\\x.db',
    });
    expect(parseCliArgs([EXE, '--db=y.db', 'cli', 'help'], packaged)).toEqual({
      kind: 'cli',
      args: ['help'],
      dbPath: 'y.db',
    });
  });

  it('skips Chromium switches before the cli word', () => {
    expect(parseCliArgs([EXE, '--disable-gpu', 'cli', 'help'], packaged)).toEqual({
      kind: 'cli',
      args: ['help'],
      dbPath: null,
    });
  });

  it('keeps the GUI for a bare trailing --', () => {
    expect(parseCliArgs([EXE, '--db', 'a.db', '--'], packaged)).toEqual({ kind: 'gui', dbPath: 'a.db' });
  });

  it('keeps the GUI for stray positionals (a file dropped on the shortcut) and for a db file called "cli"', () => {
    expect(parseCliArgs([EXE, 'C:\\Users\\teller\\Desktop\\客户.xlsx'], packaged)).toEqual({
      kind: 'gui',
      dbPath: null,
    });
    expect(parseCliArgs([EXE, 'import', 'a.csv'], packaged)).toEqual({ kind: 'gui', dbPath: null });
    expect(parseCliArgs([EXE, '--db', 'cli'], packaged)).toEqual({ kind: 'gui', dbPath: 'cli' });
    expect(parseCliArgs([EXE, 'report.csv', 'cli'], packaged)).toEqual({ kind: 'gui', dbPath: null });
  });
});

describe('parseCliArgs: dev run (electron <app path>)', () => {
  it('drops the app path', () => {
    expect(userArgs([ELECTRON, '.', '--db', 'x.db'], dev)).toEqual(['--db', 'x.db']);
    expect(parseCliArgs([ELECTRON, '.'], dev)).toEqual({ kind: 'gui', dbPath: null });
    expect(parseCliArgs([ELECTRON, '/work/main', '--db', 'x.db'], dev)).toEqual({ kind: 'gui', dbPath: 'x.db' });
  });

  it('drops the app path even after switches, and even when it is called "cli"', () => {
    expect(parseCliArgs([ELECTRON, '--inspect=9229', 'out/main/index.js', 'cli', 'help'], dev)).toEqual({
      kind: 'cli',
      args: ['help'],
      dbPath: null,
    });
    expect(parseCliArgs([ELECTRON, 'cli'], dev)).toEqual({ kind: 'gui', dbPath: null });
  });

  it('runs the CLI after --', () => {
    expect(parseCliArgs([ELECTRON, '.', '--', 'demo', '--customers', '2000'], dev)).toEqual({
      kind: 'cli',
      args: ['demo', '--customers', '2000'],
      dbPath: null,
    });
  });

  it('copes with argv that has no app path', () => {
    expect(userArgs([ELECTRON], dev)).toEqual([]);
    expect(parseCliArgs([ELECTRON, '--', 'help'], dev)).toEqual({ kind: 'cli', args: ['help'], dbPath: null });
  });

  it('would misread a dev argv as packaged: the app path becomes a positional (GUI, harmless)', () => {
    expect(parseCliArgs([ELECTRON, '.', '--db', 'x.db'], packaged)).toEqual({ kind: 'gui', dbPath: 'x.db' });
  });
});

describe('describeForLog', () => {
  it('never includes argument values', () => {
    const line = JSON.stringify(
      describeForLog({ kind: 'cli', args: ['users', 'reset', '--password', 'S3cret!'], dbPath: null }),
    );
    expect(line).not.toContain('S3cret');
    expect(line).toContain('users');
    expect(line).not.toContain('客户');
    expect(JSON.stringify(describeForLog({ kind: 'gui', dbPath: 'D:\\客户\\crm.db' }))).not.toContain('客户');
  });
});
