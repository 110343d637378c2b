/**
 * `crm model evaluate`: a learner evaluated on any labelled file (CSV or .xlsx), with
 * cross-validation or a hold-out, printing the AUC, each fold's AUC and the ten-group table (or
 * JSON with --json). Text in the user's language (--lang, else CRM_LANG, else zh-CN), from the same
 * translation trees as the screens (shared/i18n/domains/models.json).
 *
 * Exit codes: 0 evaluated; 4 the file or its content is wrong (message with file, line, column);
 * 64 usage error; 1 anything unexpected.
 */
import path from 'node:path';
import { ENCODINGS, type Encoding } from '../../shared/imports';
import { en, zhCN } from '../../shared/i18n/resources';
import { ImportParseError } from '../jobs/parse/source';
import { ModelInputError } from '../models/errors';
import { CliHelp, CliUsageError, type OptionSpecs, type OptionValues, parseCliOptions } from './args';
import { type EvalMode, type Evaluation, evaluate, type LearnerName, type LearnerResult } from '../models/evaluate';
import { type LoadedFile, readLabelledFile } from '../models/read';

type Lang = 'zh-CN' | 'en';
type Dict = { [k: string]: string | Dict };

export const EXIT = { ok: 0, input: 4, usage: 64, internal: 1 } as const;

function lookup(lang: Lang, key: string): string | undefined {
  let v: string | Dict | undefined = (lang === 'en' ? en : zhCN) as Dict;
  for (const part of key.split('.')) v = typeof v === 'object' ? v[part] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** A message in the language; with count 1, the key's `_one` form when it has one (i18next's convention). */
function text(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  const s = (vars.count === 1 ? lookup(lang, `${key}_one`) : undefined) ?? lookup(lang, key) ?? key;
  return s.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{{${k}}}`));
}

export interface EvaluateArgs {
  file: string;
  target: string;
  positive: string;
  folds?: number;
  foldColumn?: string;
  trainRows?: [number, number];
  testRows?: [number, number];
  trainRaw?: string;
  testRaw?: string;
  learner: LearnerName | 'best';
  exclude: string[];
  encoding?: Encoding;
  seed: number;
  json: boolean;
  lang: Lang;
}

function langFrom(args: readonly string[]): Lang {
  const i = args.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const v = i < 0 ? process.env.CRM_LANG : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  return v && /^en/i.test(v) ? 'en' : 'zh-CN';
}

function range(option: string, v: string): [number, number] {
  const m = /^\s*(\d+)\s*[-–:]\s*(\d+)\s*$/.exec(v);
  const a = m ? Number(m[1]) : Number.NaN;
  const b = m ? Number(m[2]) : Number.NaN;
  if (!m || a < 1 || b < a) throw new ModelInputError('MODEL_BAD_RANGE', { option, value: v, rows: '?' });
  return [a, b];
}

/** The options of `crm model evaluate` (main/cli/args.ts reads them). */
const EVALUATE_OPTIONS = {
  file: { type: 'string' },
  target: { type: 'string' },
  // a label may be the empty string
  positive: { type: 'string', allowEmpty: true },
  folds: { type: 'string' },
  'fold-column': { type: 'string' },
  'train-rows': { type: 'string' },
  'test-rows': { type: 'string' },
  learner: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  encoding: { type: 'string' },
  seed: { type: 'string' },
  lang: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies OptionSpecs;

export function parseEvaluateArgs(args: readonly string[]): EvaluateArgs {
  let v: OptionValues<typeof EVALUATE_OPTIONS>;
  try {
    v = parseCliOptions(args, EVALUATE_OPTIONS);
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    throw e.reason === 'unknown'
      ? new ModelInputError('MODEL_ARG_UNKNOWN', { option: e.option })
      : new ModelInputError('MODEL_ARG_VALUE', { option: e.option });
  }
  const out: Partial<EvaluateArgs> & { exclude: string[]; json: boolean; learner: LearnerName | 'best'; seed: number } =
    { exclude: [], json: v.json === true, learner: 'logistic', seed: 20, lang: langFrom(args) };
  out.file = v.file;
  out.target = v.target;
  out.positive = v.positive;
  if (v.folds !== undefined) {
    if (!/^\d+$/.test(v.folds) || Number(v.folds) < 2 || Number(v.folds) > 100)
      throw new ModelInputError('MODEL_ARG_FOLDS', { value: v.folds });
    out.folds = Number(v.folds);
  }
  out.foldColumn = v['fold-column'];
  if (v['train-rows'] !== undefined) {
    out.trainRaw = v['train-rows'];
    out.trainRows = range('--train-rows', out.trainRaw);
  }
  if (v['test-rows'] !== undefined) {
    out.testRaw = v['test-rows'];
    out.testRows = range('--test-rows', out.testRaw);
  }
  if (v.learner !== undefined) {
    if (v.learner !== 'logistic' && v.learner !== 'boosted' && v.learner !== 'best')
      throw new ModelInputError('MODEL_ARG_LEARNER', { value: v.learner });
    out.learner = v.learner;
  }
  for (const list of v.exclude ?? [])
    out.exclude.push(
      ...list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  if (v.encoding !== undefined) {
    const e = v.encoding.toLowerCase();
    if (!(ENCODINGS as readonly string[]).includes(e))
      throw new ModelInputError('MODEL_ARG_ENCODING', { values: ENCODINGS.join(', ') });
    out.encoding = e as Encoding;
  }
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed)) throw new ModelInputError('MODEL_ARG_SEED', {});
    out.seed = Number(v.seed);
  }
  for (const [k, o] of [
    ['file', '--file'],
    ['target', '--target'],
    ['positive', '--positive'],
  ] as const)
    if (out[k] === undefined) throw new ModelInputError('MODEL_ARG_REQUIRED', { option: o });
  if (out.folds !== undefined && out.foldColumn !== undefined)
    throw new ModelInputError('MODEL_ARG_CONFLICT', { a: '--folds', b: '--fold-column' });
  if ((out.trainRows === undefined) !== (out.testRows === undefined)) throw new ModelInputError('MODEL_ARG_PAIR', {});
  if (out.trainRows && (out.folds !== undefined || out.foldColumn !== undefined))
    throw new ModelInputError('MODEL_ARG_CONFLICT', {
      a: '--train-rows',
      b: out.folds !== undefined ? '--folds' : '--fold-column',
    });
  return out as EvaluateArgs;
}

function rowsIn(loaded: LoadedFile, [a, b]: [number, number]): Uint32Array {
  const out: number[] = [];
  for (let k = 0; k < loaded.rowNo.length; k++) if (loaded.rowNo[k]! >= a && loaded.rowNo[k]! <= b) out.push(k);
  return Uint32Array.from(out);
}

function modeOf(a: EvaluateArgs, loaded: LoadedFile): EvalMode {
  if (a.trainRows && a.testRows) {
    const last = loaded.rowNo.length ? loaded.rowNo[loaded.rowNo.length - 1]! : 0;
    for (const [opt, r, raw] of [
      ['--train-rows', a.trainRows, a.trainRaw],
      ['--test-rows', a.testRows, a.testRaw],
    ] as const)
      if (r[1] > last) throw new ModelInputError('MODEL_BAD_RANGE', { option: opt, value: raw ?? '', rows: last });
    if (a.trainRows[0] <= a.testRows[1] && a.testRows[0] <= a.trainRows[1])
      throw new ModelInputError('MODEL_RANGE_OVERLAP', {});
    const train = rowsIn(loaded, a.trainRows);
    const test = rowsIn(loaded, a.testRows);
    const classes = (rows: Uint32Array) => {
      let p = 0;
      for (const r of rows) p += loaded.data.target[r]!;
      return p > 0 && p < rows.length;
    };
    if (!classes(train)) throw new ModelInputError('MODEL_RANGE_ONE_CLASS', { option: '--train-rows', what: 'train' });
    if (!classes(test)) throw new ModelInputError('MODEL_RANGE_ONE_CLASS', { option: '--test-rows', what: 'test' });
    return { kind: 'holdout', train, test };
  }
  if (loaded.folds) return { kind: 'fold-column', folds: loaded.folds, labels: loaded.foldLabels };
  const folds = a.folds ?? 5;
  let pos = 0;
  for (let k = 0; k < loaded.data.rows; k++) pos += loaded.data.target[k]!;
  if (Math.min(pos, loaded.data.rows - pos) < folds)
    throw new ModelInputError('MODEL_TOO_FEW_ROWS', { rows: loaded.data.rows });
  return { kind: 'folds', folds };
}

const f4 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(4));
const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`);

/** Display width: CJK characters take two columns in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => ' '.repeat(w[i]! - width(c)) + c).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export function formatEvaluation(lang: Lang, a: EvaluateArgs, loaded: LoadedFile, ev: Evaluation): string {
  const t = (k: string, v: Record<string, string | number> = {}) => text(lang, `models.cli.${k}`, v);
  const out: string[] = [];
  out.push(t('title', { file: path.basename(a.file) }));
  out.push(
    t('source', {
      format: loaded.format === 'xlsx' ? 'xlsx' : `CSV (${loaded.delimiter === '\t' ? 'TAB' : loaded.delimiter})`,
      encoding: loaded.encoding ?? '—',
    }),
  );
  out.push(
    t('data', {
      rows: ev.rows,
      positives: ev.positives,
      target: loaded.header.find((h) => h === a.target) ?? a.target,
      positive: a.positive,
      rate: pct(ev.positives / ev.rows),
      features: ev.features.numeric + ev.features.categorical,
      numeric: ev.features.numeric,
      categorical: ev.features.categorical,
    }),
  );
  if (loaded.noTarget) out.push(t('noTarget', { count: loaded.noTarget }));
  for (const n of loaded.notes) {
    if (n.kind === 'category')
      out.push(
        t('noteCategory', { column: n.column, value: n.value ?? '', line: n.line ?? 0, position: n.position ?? 0 }),
      );
    else if (n.kind === 'empty') out.push(t('noteEmpty', { column: n.column }));
    else out.push(t('noteConstant', { column: n.column, value: n.value ?? '' }));
  }
  if (a.trainRows && a.testRows) {
    const r0 = ev.results[0]!.folds[0]!;
    out.push(
      t('modeHoldout', {
        trainFrom: a.trainRows[0],
        trainTo: a.trainRows[1],
        trainRows: r0.trainRows,
        testFrom: a.testRows[0],
        testTo: a.testRows[1],
        testRows: r0.testRows,
      }),
    );
  } else if (loaded.folds)
    out.push(t('modeFoldColumn', { column: a.foldColumn ?? '', folds: loaded.foldLabels.length }));
  else out.push(t('modeFolds', { folds: a.folds ?? 5, seed: a.seed }));
  for (const l of ev.leaks) out.push(t('leak', { column: l.column, auc: f4(l.auc) }));
  for (const r of ev.results) out.push('', ...formatResult(lang, r));
  if (ev.results.length > 1)
    out.push(
      '',
      t('chosen', {
        learner: text(lang, `models.learners.${ev.chosen}`),
        basis: t(ev.chosenBy === 'folds' ? 'basisFolds' : 'basisTraining'),
      }),
    );
  out.push(
    '',
    t('strongest', { list: ev.strongest.map((s) => `${s.column} ${f4(s.auc)}`).join(lang === 'en' ? ', ' : '，') }),
  );
  return `${out.join('\n')}\n`;
}

function formatResult(lang: Lang, r: LearnerResult): string[] {
  const t = (k: string, v: Record<string, string | number> = {}) => text(lang, `models.cli.${k}`, v);
  const sep = lang === 'en' ? '; ' : '；';
  const out = [t('learner', { learner: text(lang, `models.learners.${r.learner}`) }), t('auc', { auc: f4(r.auc) })];
  if (r.folds.length > 1) {
    out.push(
      t('foldAucs', { list: r.folds.map((f) => f4(f.auc)).join(' '), mean: f4(r.meanFoldAuc), sd: f4(r.sdFoldAuc) }),
    );
    for (const f of r.folds) if (Number.isNaN(f.auc)) out.push(t('foldNoAuc', { fold: f.fold }));
  }
  out.push(
    t(r.folds.length > 1 ? 'settings' : 'settingsHoldout', {
      list: r.settings
        .map((x) =>
          x.learner === 'logistic'
            ? t(x.penalty === 'l1' ? 'fitL1' : x.penalty === 'l2' ? 'fitL2' : 'fitNone', {
                lambda: x.lambda.toPrecision(3),
              })
            : t('fitTrees', { trees: x.trees, rate: x.learningRate }),
        )
        .join(sep),
    }),
  );
  out.push(t('fit', { logLoss: f4(r.logLoss), brier: f4(r.brier), seconds: r.seconds.toFixed(1) }));
  const c = (k: string) => t(`col.${k}`);
  out.push('', t('groupsTitle'));
  out.push(
    table(
      [c('group'), c('customers'), c('positives'), c('rate'), c('lift'), c('meanScore'), c('capture')],
      r.groups.map((g) => [
        String(g.group),
        String(g.customers),
        String(g.positives),
        pct(g.rate),
        g.lift.toFixed(2),
        f4(g.meanScore),
        pct(g.cumulativeCapture),
      ]),
    ),
  );
  out.push('', t('calibrationTitle'));
  out.push(
    table(
      [c('range'), c('customers'), c('predicted'), c('actual')],
      r.calibration
        .filter((b) => b.customers > 0)
        .map((b) => [
          `${b.from.toFixed(1)}–${b.to.toFixed(1)}`,
          String(b.customers),
          f4(b.meanPredicted),
          pct(b.actualRate),
        ]),
    ),
  );
  return out;
}

/** The message of a failure, with file, line and column where they apply. */
export function errorMessage(lang: Lang, file: string | undefined, e: ModelInputError | ImportParseError): string {
  const details = Object.fromEntries(
    Object.entries(e.details ?? {}).map(([k, v]) => [
      k,
      k === 'what' ? text(lang, `models.errors.${v as string}`) : String(v ?? ''),
    ]),
  );
  const message =
    e instanceof ModelInputError
      ? text(lang, `models.errors.${e.code}`, details)
      : text(lang, `errors.${e.code}`, details);
  const where: string[] = [];
  if (file) where.push(text(lang, 'importWhere.file', { file: path.basename(file) }));
  if (e.line) where.push(text(lang, 'importWhere.line', { line: e.line }));
  if (e.column) where.push(text(lang, 'importWhere.column', { column: e.column }));
  return where.length
    ? text(lang, 'models.cli.where', { where: where.join(text(lang, 'importWhere.sep')), message })
    : message;
}

export async function runModelCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const lang = langFrom(rest);
  if (sub !== 'evaluate') {
    if (sub !== undefined && sub !== 'help' && sub !== '--help')
      process.stderr.write(
        `${errorMessage(lang, undefined, new ModelInputError('MODEL_ARG_UNKNOWN', { option: sub }))}\n`,
      );
    process.stdout.write(text(lang, 'models.cli.usage'));
    return sub === 'help' || sub === '--help' ? EXIT.ok : EXIT.usage;
  }
  let a: EvaluateArgs;
  try {
    a = parseEvaluateArgs(rest);
  } catch (e) {
    if (e instanceof CliHelp) {
      process.stdout.write(text(lang, 'models.cli.usage'));
      return EXIT.ok;
    }
    if (!(e instanceof ModelInputError)) throw e;
    process.stderr.write(`${errorMessage(lang, undefined, e)}\n${text(lang, 'models.cli.usage')}`);
    return EXIT.usage;
  }
  try {
    const loaded = await readLabelledFile(path.resolve(a.file), {
      target: a.target,
      positive: a.positive,
      foldColumn: a.foldColumn,
      exclude: a.exclude,
      encoding: a.encoding,
    });
    const mode = modeOf(a, loaded);
    let last = 0;
    const ev = evaluate(loaded.data, {
      learner: a.learner,
      mode,
      seed: a.seed,
      onProgress: (learner, done, total) => {
        const now = performance.now();
        if (now - last < 2000 && done < total) return;
        last = now;
        process.stderr.write(
          `${text(lang, 'models.cli.progress', { learner: text(lang, `models.learners.${learner}`), done, total })}\n`,
        );
      },
    });
    if (a.json) process.stdout.write(`${JSON.stringify(toJson(a, loaded, ev), null, 2)}\n`);
    else process.stdout.write(formatEvaluation(a.lang, a, loaded, ev));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ModelInputError || e instanceof ImportParseError) {
      process.stderr.write(`${errorMessage(a.lang, a.file, e)}\n`);
      return EXIT.input;
    }
    throw e;
  }
}

const num = (x: number) => (Number.isFinite(x) ? x : null);

export function toJson(a: EvaluateArgs, loaded: LoadedFile, ev: Evaluation) {
  return {
    file: path.basename(a.file),
    format: loaded.format,
    encoding: loaded.encoding,
    target: a.target,
    positive: a.positive,
    rows: ev.rows,
    positives: ev.positives,
    rowsWithoutTarget: loaded.noTarget,
    features: ev.features,
    notes: loaded.notes,
    mode: a.trainRows
      ? { kind: 'holdout', trainRows: a.trainRows, testRows: a.testRows }
      : loaded.folds
        ? { kind: 'fold-column', column: a.foldColumn, folds: loaded.foldLabels }
        : { kind: 'folds', folds: a.folds ?? 5, seed: a.seed },
    results: ev.results.map((r) => ({
      learner: r.learner,
      auc: num(r.auc),
      meanFoldAuc: num(r.meanFoldAuc),
      sdFoldAuc: num(r.sdFoldAuc),
      folds: r.folds.map((f) => ({ ...f, auc: num(f.auc) })),
      settings: r.settings,
      logLoss: num(r.logLoss),
      brier: num(r.brier),
      groups: r.groups,
      calibration: r.calibration.map((b) => ({
        ...b,
        meanPredicted: num(b.meanPredicted),
        actualRate: num(b.actualRate),
      })),
      seconds: r.seconds,
    })),
    chosen: ev.chosen,
    chosenBy: ev.chosenBy,
    leaks: ev.leaks,
    strongest: ev.strongest,
  };
}
