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

describe('the other commands, in both languages', { timeout: 120_000 }, () => {
  const cases = [
    { cmd: ['import', '--profile', 'cif', '--file', 'x.csv'], usage: 'crm import --profile' },
    { cmd: ['demo'], usage: 'crm demo [--customers N]' },
    { cmd: ['check'], usage: 'crm check [--db' },
    { cmd: ['summaries', '--rebuild'], usage: 'crm summaries --rebuild' },
    { cmd: ['extracts'], usage: 'crm extracts [--db' },
    { cmd: ['join', '--hub', 'h', '--branch', 'B', '--code', 'C', '--name', 'N'], usage: 'crm join --hub' },
  ];
  const word = {
    'zh-CN': { usage: '用法：', colon: '：', unknown: '未知选项', value: '需要一个值' },
    en: { usage: 'Usage: ', colon: ': ', unknown: 'unknown option', value: 'needs a value' },
  } as const;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const usageRe = (lang: keyof typeof word, u: string) => new RegExp(`^${esc(word[lang].usage + u)}`, 'm');
  /** No message key, placeholder or the other language's usage line in what a command printed. */
  const clean = (text: string, lang: keyof typeof word) => {
    expect(text).not.toMatch(/\bcli\.[a-z]|\{\{|undefined|NaN/);
    expect(text).not.toContain(word[lang === 'en' ? 'zh-CN' : 'en'].usage);
  };

  it('an unknown option exits 64 naming it, with the usage', async () => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const c of cases) {
        const r = await crm(...c.cmd, '--lang', lang, '--colour=red');
        const what = `${c.cmd[0]} ${lang}`;
        expect(r.code, what).toBe(64);
        expect(r.err, what).toMatch(new RegExp(`^${c.cmd[0]}${word[lang].colon}${word[lang].unknown} --colour=red\\n`));
        expect(r.err, what).toMatch(usageRe(lang, c.usage));
        expect(r.out, what).toBe('');
        clean(r.err, lang);
      }
  });

  it('an option without its value exits 64 naming it, with the usage', async () => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const c of cases) {
        const r = await crm(...c.cmd, '--lang', lang, '--db');
        const what = `${c.cmd[0]} ${lang}`;
        expect(r.code, what).toBe(64);
        const want =
          c.cmd[0] === 'demo'
            ? { 'zh-CN': '--db 需要一个文件路径', en: '--db needs a file path' }[lang]
            : `--db ${word[lang].value}`;
        expect(r.err, what).toMatch(new RegExp(`^${c.cmd[0]}${word[lang].colon}${want}\\n`));
        expect(r.err, what).toMatch(usageRe(lang, c.usage));
        clean(r.err, lang);
      }
    const demo = await crm('demo', '--lang', 'en', '--customers');
    expect(demo.code).toBe(64);
    expect(demo.err).toMatch(/^demo: --customers needs a whole number, got nothing\n/);
    const demoZh = await crm('demo', '--customers', 'many');
    expect(demoZh.err).toMatch(/^demo：--customers 需要一个整数，收到 many\n用法：crm demo/);
    const tolerance = await crm('import', '--profile', 'cif', '--file', 'x', '--tolerance', 'some', '--lang=en');
    expect(tolerance.code).toBe(64);
    expect(tolerance.err).toMatch(/^import: --tolerance needs a whole number, got some\n/);
    const encoding = await crm('import', '--profile', 'cif', '--file', 'x', '--encoding', 'latin1');
    expect(encoding.err).toMatch(/^import：--encoding 只能是 utf-8, gbk, .* 之一，收到 latin1\n用法：/);
    const required = await crm('join', '--hub', 'h', '--branch', 'B', '--name', 'N', '--lang', 'en');
    expect(required.code).toBe(64);
    expect(required.err).toMatch(/^join: --code is required\nUsage: crm join/);
  });

  it('the language: --lang, else CRM_LANG, else zh-CN; another --lang is a usage error', async () => {
    vi.stubEnv('CRM_LANG', '');
    expect((await crm('summaries')).err).toMatch(/^summaries：没有要做的事（需要 --rebuild）\n用法：crm summaries/);
    vi.stubEnv('CRM_LANG', 'en');
    expect((await crm('summaries')).err).toMatch(
      /^summaries: nothing to do \(--rebuild is needed\)\nUsage: crm summaries/,
    );
    expect((await crm('summaries', '--lang', 'zh-CN')).err).toMatch(/^summaries：没有要做的事/);
    const fr = await crm('check', '--lang', 'fr');
    expect(fr.code).toBe(64);
    expect(fr.err).toMatch(/^check: --lang must be zh-CN or en, got fr\nUsage: crm check/);
    vi.stubEnv('CRM_LANG', 'zh-CN');
    const top = await crm('frobnicate');
    expect(top.code).toBe(64);
    expect(top.err).toMatch(/^未知命令：frobnicate\n用法：crm <命令>/);
    const help = await crm('help', '--lang', 'en');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: crm <command> \[options\]\nCommands:/);
    clean(top.err, 'zh-CN');
    clean(help.out, 'en');
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const c of cases) {
        const r = await crm(c.cmd[0]!, '--help', '--lang', lang);
        expect(r.code, c.cmd[0]).toBe(0);
        expect(r.out, c.cmd[0]).toMatch(usageRe(lang, c.usage));
        expect(r.err, c.cmd[0]).toBe('');
        clean(r.out, lang);
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
