/**
 * The `crm` commands' options through node:util parseArgs (main/cli/args.ts): an unknown option, an
 * option without its value and `--help`, for every command that takes options, through the command
 * line's own entry (runCli) as a scheduled task calls it: usage errors exit 64 with the command's
 * message and usage text on stderr (model evaluate's in the chosen language), --help prints the usage
 * on stdout and exits 0. None of these reaches a store.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliHelp, CliUsageError, parseCliOptions } from '../../../main/cli/args';
import { parseEvaluateArgs } from '../../../main/cli/model';
import { crm } from '../../support/cli';

afterEach(() => vi.unstubAllEnvs());

describe('parseCliOptions', () => {
  const specs = {
    file: { type: 'string' },
    positive: { type: 'string', allowEmpty: true },
    exclude: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  } as const;

  it('reads --name value and --name=value, repeats in order, the last single value winning', () => {
    expect(
      parseCliOptions(['--file', 'a.csv', '--exclude=x,y', '--json', '--exclude', 'z', '--file=b.csv'], specs),
    ).toEqual({ file: 'b.csv', exclude: ['x,y', 'z'], json: true });
    expect(parseCliOptions([], specs)).toEqual({});
  });

  it('takes a value that starts with a dash, and an empty one only where allowed', () => {
    expect(parseCliOptions(['--positive', '-1', '--file', '-'], specs)).toEqual({ positive: '-1', file: '-' });
    expect(parseCliOptions(['--positive='], specs)).toEqual({ positive: '' });
    expect(() => parseCliOptions(['--file='], specs)).toThrow(new CliUsageError('value', '--file'));
  });

  it('names an unknown option as typed, a bare argument, a short option and a missing value', () => {
    const fails = (args: string[]) => {
      try {
        parseCliOptions(args, specs);
      } catch (e) {
        return e instanceof CliUsageError ? [e.reason, e.option, e.message] : e;
      }
      return 'parsed';
    };
    expect(fails(['--file', 'a', '--bogus=3'])).toEqual(['unknown', '--bogus=3', 'unknown option --bogus=3']);
    expect(fails(['stray'])).toEqual(['unknown', 'stray', 'unknown option stray']);
    expect(fails(['-f', 'a'])).toEqual(['unknown', '-f', 'unknown option -f']);
    expect(fails(['--', '--file'])).toEqual(['unknown', '--', 'unknown option --']);
    expect(fails(['--json', '--file'])).toEqual(['value', '--file', '--file needs a value']);
  });

  it('--help is a CliHelp whatever else is given', () => {
    expect(() => parseCliOptions(['--file', 'a', '--help'], specs)).toThrow(CliHelp);
  });
});

describe('crm model evaluate options', { timeout: 120_000 }, () => {
  it('parses the documented command line as before', () => {
    const a = parseEvaluateArgs([
      '--file',
      'f.csv',
      '--target',
      'churn',
      '--positive',
      '1',
      '--train-rows',
      '1-800',
      '--test-rows=801-1000',
      '--learner',
      'best',
      '--json',
      '--exclude',
      'id, name',
      '--exclude=note',
      '--encoding',
      'GB18030',
      '--seed',
      '7',
      '--lang',
      'en',
    ]);
    expect(a).toEqual({
      file: 'f.csv',
      target: 'churn',
      positive: '1',
      foldColumn: undefined,
      trainRaw: '1-800',
      trainRows: [1, 800],
      testRaw: '801-1000',
      testRows: [801, 1000],
      learner: 'best',
      exclude: ['id', 'name', 'note'],
      encoding: 'gb18030',
      seed: 7,
      json: true,
      lang: 'en',
    });
    const folds = parseEvaluateArgs(['--file=f.csv', '--target', 'y', '--positive', '', '--folds', '10']);
    expect(folds).toMatchObject({ positive: '', folds: 10, learner: 'logistic', seed: 20, json: false });
    expect(parseEvaluateArgs(['--file', 'f', '--target', 'y', '--positive', 'Y', '--fold-column', 'k'])).toMatchObject({
      foldColumn: 'k',
    });
  });

  it('an unknown option, a missing value, a bad value: exit 64, the message in the chosen language, then the usage', async () => {
    const base = ['model', 'evaluate', '--file', 'f.csv', '--target', 'y', '--positive', 'yes'];
    const unknown = await crm(...base, '--lang', 'en', '--bogus');
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/^Unknown option or command --bogus\nUsage: crm model evaluate --file FILE/);
    const missing = await crm(...base, '--lang', 'en', '--folds');
    expect(missing.code).toBe(64);
    expect(missing.err).toMatch(/^--folds needs a value\nUsage: crm model evaluate/);
    const zh = await crm(...base, '--lang', 'zh-CN', '--learner');
    expect(zh.code).toBe(64);
    expect(zh.err).toMatch(/^--learner 需要一个值\n用法：crm model evaluate/);
    vi.stubEnv('CRM_LANG', 'en');
    const required = await crm('model', 'evaluate', '--file', 'f.csv', '--positive', 'yes');
    expect(required.code).toBe(64);
    expect(required.err).toMatch(/^--target is required\n/);
    expect(required.out).toBe('');
  });

  it('--help prints the usage on stdout and exits 0, in the chosen language', async () => {
    const en = await crm('model', 'evaluate', '--help', '--lang', 'en');
    expect(en.code).toBe(0);
    expect(en.err).toBe('');
    expect(en.out).toMatch(/^Usage: crm model evaluate --file FILE --target COLUMN --positive VALUE/);
    const zh = await crm('model', 'evaluate', '--file', 'x', '--help');
    expect(zh.code).toBe(0);
    expect(zh.out).toMatch(/^用法：crm model evaluate/);
    expect((await crm('model', '--help')).code).toBe(0);
  });
});

describe('the other commands', { timeout: 120_000 }, () => {
  const cases = [
    { cmd: ['import', '--profile', 'cif', '--file', 'x.csv'], usage: /^Usage: crm import --profile NAME --file PATH/m },
    { cmd: ['demo'], usage: /^Usage: crm demo \[--customers N\]/m },
    { cmd: ['check'], usage: /^Usage: crm check \[--db PATH\]/m },
    { cmd: ['summaries', '--rebuild'], usage: /^Usage: crm summaries --rebuild/m },
    { cmd: ['extracts'], usage: /^Usage: crm extracts \[--db PATH\] \[--out DIR\]/m },
    {
      cmd: ['join', '--hub', 'h', '--branch', 'B', '--code', 'C', '--name', 'N'],
      usage: /^Usage: crm join --hub URL/m,
    },
  ];

  it('an unknown option exits 64 naming it, with the usage', async () => {
    for (const c of cases) {
      const r = await crm(...c.cmd, '--colour=red');
      expect(r.code, c.cmd[0]).toBe(64);
      expect(r.err, c.cmd[0]).toMatch(new RegExp(`^${c.cmd[0]}: unknown option --colour=red\\n`));
      expect(r.err, c.cmd[0]).toMatch(c.usage);
      expect(r.out, c.cmd[0]).toBe('');
    }
  });

  it('an option without its value exits 64 naming it, with the usage', async () => {
    const want: Record<string, string> = {
      import: '--db needs a value',
      demo: '--db needs a file path',
      check: '--db needs a value',
      summaries: '--db needs a value',
      extracts: '--db needs a value',
      join: '--db needs a value',
    };
    for (const c of cases) {
      const r = await crm(...c.cmd, '--db');
      expect(r.code, c.cmd[0]).toBe(64);
      expect(r.err, c.cmd[0]).toMatch(new RegExp(`^${c.cmd[0]}: ${want[c.cmd[0]!]}\\n`));
      expect(r.err, c.cmd[0]).toMatch(c.usage);
    }
    const demo = await crm('demo', '--customers');
    expect(demo.code).toBe(64);
    expect(demo.err).toMatch(/^demo: --customers needs a whole number, got nothing\n/);
    const tolerance = await crm('import', '--profile', 'cif', '--file', 'x', '--tolerance', 'some');
    expect(tolerance.code).toBe(64);
    expect(tolerance.err).toMatch(/^import: --tolerance needs a whole number, got some\n/);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    for (const c of cases) {
      const r = await crm(c.cmd[0]!, '--help');
      expect(r.code, c.cmd[0]).toBe(0);
      expect(r.out, c.cmd[0]).toMatch(c.usage);
      expect(r.err, c.cmd[0]).toBe('');
    }
  });

  it('audit verify: usage errors exit 64 with its translated usage, --help exits 0', async () => {
    const bad = await crm('audit', 'verify', '--lang', 'en', '--colour');
    expect(bad.code).toBe(64);
    const en = await crm('audit', 'verify', '--lang', 'en', '--help');
    expect(en.code).toBe(0);
    expect(en.out).not.toBe('');
    expect(bad.err).toBe(en.out);
    const zh = await crm('audit', 'verify', '--help', '--lang', 'zh-CN');
    expect(zh.out).not.toBe(en.out);
    expect((await crm('audit', 'verify', '--anchor-from')).code).toBe(64);
    expect((await crm('audit', 'verify', '--lang', 'fr')).code).toBe(64);
  });
});
