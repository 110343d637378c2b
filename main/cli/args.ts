/**
 * Options of the `crm` commands, read by node:util parseArgs: `--name value` and `--name=value`,
 * repeatable options collected in order, the last of a single one winning. parseArgs's own errors are
 * English and name no option in a form we can translate, so it runs non-strict with tokens and this
 * walks them: an option the command does not know (or a bare argument) and an option without its
 * value become a CliUsageError naming the option, which each command words in its own (translated)
 * usage text and answers with exit 64; `--help` becomes a CliHelp (usage on stdout, exit 0). As before,
 * a value may start with a dash (`--positive -1`).
 */
import { parseArgs } from 'node:util';
import { type Lang, parseLang, say } from './i18n';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Repeatable: every value, in order. */
  multiple?: boolean;
  /** An empty value (`--name=`) is a value, not a missing one. */
  allowEmpty?: boolean;
}
export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? true : S[K]['multiple'] extends true ? string[] : string;
};

/** `unknown`: an option the command does not take (or a bare argument); `value`: an option without its value. */
export class CliUsageError extends Error {
  constructor(
    readonly reason: 'unknown' | 'value',
    /** The argument as typed (`--bogus=3`) for an unknown one; the option's name (`--file`) for a missing value. */
    readonly option: string,
  ) {
    super(reason === 'unknown' ? `unknown option ${option}` : `${option} needs a value`);
    this.name = 'CliUsageError';
  }
}

/** `--help` was given (any command takes it): the command prints its usage on stdout and exits 0. */
export class CliHelp extends Error {
  constructor() {
    super('help');
    this.name = 'CliHelp';
  }
}

export function parseCliOptions<S extends OptionSpecs>(args: readonly string[], specs: S): OptionValues<S> {
  const { tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, { type: s.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | string[] | true> = {};
  for (const t of tokens) {
    if (t.kind !== 'option') throw new CliUsageError('unknown', args[t.index]!);
    if (t.rawName === '--help' && t.value === undefined) throw new CliHelp();
    const spec = Object.hasOwn(specs, t.name) ? specs[t.name] : undefined;
    // a short option (-x) is none of ours either
    if (!spec || !t.rawName.startsWith('--')) throw new CliUsageError('unknown', args[t.index]!);
    if (spec.type === 'boolean') {
      values[t.name] = true;
      continue;
    }
    if (t.value === undefined || (t.value === '' && !spec.allowEmpty)) throw new CliUsageError('value', t.rawName);
    const prior = values[t.name];
    values[t.name] = spec.multiple ? [...(Array.isArray(prior) ? prior : []), t.value] : t.value;
  }
  return values as OptionValues<S>;
}

/**
 * A bad value of a known option (`--customers many`, `--lang fr`, a required one missing): a message key
 * of shared/i18n/domains/cli.json under cli.args and its values, worded in the command's language when
 * answered; the Error's own message is the English one, for logs.
 */
export class CliArgError extends Error {
  constructor(
    readonly key: string,
    readonly vars: Record<string, string | number>,
  ) {
    super(say('en', `cli.args.${key}`, vars));
    this.name = 'CliArgError';
  }
}

/**
 * parseCliOptions with the `--lang zh-CN|en` every command takes (its value checked here; the language
 * itself is read from the raw arguments by cliLang, so that a usage error is worded in it too).
 */
export function parseCommandOptions<S extends OptionSpecs>(
  command: string,
  args: readonly string[],
  specs: S,
): OptionValues<S & { lang: { type: 'string' } }> {
  const v = parseCliOptions(args, { ...specs, lang: { type: 'string' } } as S & { lang: { type: 'string' } });
  const lang = (v as { lang?: string }).lang;
  if (lang !== undefined && !parseLang(lang)) throw new CliArgError('lang', { command, value: lang });
  return v;
}

/**
 * A command's answer to what parsing its options threw: for --help its usage on stdout (exit 0); for a
 * usage error or a bad value, the message in the command's language (`command: message`) and the usage
 * on stderr (exit 64). Anything else is rethrown.
 */
export function usageAnswer(e: unknown, lang: Lang, command: string, usage: string): number {
  if (e instanceof CliHelp) {
    process.stdout.write(usage);
    return 0;
  }
  if (e instanceof CliUsageError) {
    process.stderr.write(`${say(lang, `cli.args.${e.reason}`, { command, option: e.option })}\n${usage}`);
    return 64;
  }
  if (e instanceof CliArgError) {
    process.stderr.write(`${say(lang, `cli.args.${e.key}`, e.vars)}\n${usage}`);
    return 64;
  }
  throw e;
}
