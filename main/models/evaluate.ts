/**
 * Evaluating the learners on a labelled data set: k-fold cross-validation (stratified random folds,
 * or the folds a column assigns), or a hold-out (train on some rows, test on others: in a file
 * ordered by time, the earlier rows against the later). Every row's score in cross-validation comes
 * from the model that did not see it (out of fold), so the ten-group and calibration tables are
 * honest. Also a leak check: a feature that alone nearly decides the target is named.
 */
import { allRows, type Dataset, positives } from './dataset';
import { type BoostedModel, fitBoosted, predictBoosted } from './boosted';
import { ModelInputError } from './errors';
import { defaultMinCount, levelMap, poolLevels } from './levels';
import { fitLogisticCV, type LogisticModel, predictLogistic, stratifiedFolds } from './logistic';
import { auc, brier, type CalibrationRow, calibrationTable, type GroupRow, groupTable, logLoss } from './metrics';

export type LearnerName = 'logistic' | 'boosted';

export type EvalMode =
  | { kind: 'folds'; folds: number }
  | { kind: 'fold-column'; folds: Int32Array; labels: string[] }
  | { kind: 'holdout'; train: Uint32Array; test: Uint32Array };

export interface EvalOptions {
  learner: LearnerName | 'best';
  mode: EvalMode;
  seed?: number;
  /** Single-feature AUC from which a feature is reported as a possible leak. */
  leakAuc?: number;
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface FoldResult {
  fold: string;
  trainRows: number;
  testRows: number;
  testPositives: number;
  /** NaN when the fold's test rows hold one class only. */
  auc: number;
}

export interface LearnerResult {
  learner: LearnerName;
  /** AUC of all the evaluation's scores together (out-of-fold, or the test rows). */
  auc: number;
  folds: FoldResult[];
  meanFoldAuc: number;
  sdFoldAuc: number;
  groups: GroupRow[];
  calibration: CalibrationRow[];
  logLoss: number;
  brier: number;
  /** Per fold: the penalty and lambda chosen (logistic) or trees kept (boosted). */
  settings: FitSettings[];
  seconds: number;
}

export interface LeakWarning {
  column: string;
  auc: number;
}

export interface Evaluation {
  rows: number;
  positives: number;
  scoredRows: number;
  features: { numeric: number; categorical: number };
  results: LearnerResult[];
  chosen: LearnerName;
  /** How "best" chose: mean AUC over the folds, or cross-validation on the training rows of a hold-out. */
  chosenBy: 'folds' | 'training-folds';
  leaks: LeakWarning[];
  /** The three features that best separate the classes alone (single-feature AUC). */
  strongest: LeakWarning[];
}

export type Model = LogisticModel | BoostedModel;

export function fitModel(learner: LearnerName, data: Dataset, rows: Uint32Array, seed: number): Model {
  return learner === 'logistic' ? fitLogisticCV(data, rows, { seed }).model : fitBoosted(data, rows, { seed });
}

export function predictModel(model: Model, data: Dataset, rows: Uint32Array): Float64Array {
  return model.kind === 'logistic' ? predictLogistic(model, data, rows) : predictBoosted(model, data, rows);
}

/** What a fit chose: the logistic regression's penalty and strength, or the boosted trees kept. */
export type FitSettings =
  | { learner: 'logistic'; penalty: string; lambda: number }
  | { learner: 'boosted'; trees: number; learningRate: number };

function settingsOf(model: Model): FitSettings {
  return model.kind === 'logistic'
    ? { learner: 'logistic', penalty: model.penalty, lambda: model.lambda }
    : { learner: 'boosted', trees: model.trees, learningRate: model.learningRate };
}

function labelsOf(data: Dataset, rows: Uint32Array): Uint8Array {
  const y = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) y[k] = data.target[rows[k]!]!;
  return y;
}

function meanSd(v: number[]): { mean: number; sd: number } {
  const ok = v.filter((x) => !Number.isNaN(x));
  if (!ok.length) return { mean: Number.NaN, sd: Number.NaN };
  const mean = ok.reduce((a, b) => a + b, 0) / ok.length;
  const sd = ok.length > 1 ? Math.sqrt(ok.reduce((a, b) => a + (b - mean) ** 2, 0) / (ok.length - 1)) : 0;
  return { mean, sd };
}

/** Train/test splits of the mode, with their names. */
function splits(
  data: Dataset,
  mode: EvalMode,
  seed: number,
): { name: string; train: Uint32Array; test: Uint32Array }[] {
  if (mode.kind === 'holdout') return [{ name: 'holdout', train: mode.train, test: mode.test }];
  const rows = allRows(data.rows);
  const fold = mode.kind === 'folds' ? stratifiedFolds(data.target, rows, mode.folds, seed) : mode.folds;
  const k = mode.kind === 'folds' ? mode.folds : mode.labels.length;
  const out: { name: string; train: Uint32Array; test: Uint32Array }[] = [];
  for (let f = 0; f < k; f++) {
    const test = rows.filter((_, i) => fold[i] === f);
    const train = rows.filter((_, i) => fold[i] !== f);
    out.push({ name: mode.kind === 'folds' ? String(f + 1) : mode.labels[f]!, train, test });
  }
  return out;
}

function runLearner(
  learner: LearnerName,
  data: Dataset,
  parts: { name: string; train: Uint32Array; test: Uint32Array }[],
  seed: number,
  progress: (done: number) => void,
): LearnerResult {
  const t0 = performance.now();
  const scored: number[] = [];
  const scores: number[] = [];
  const folds: FoldResult[] = [];
  const settings: FitSettings[] = [];
  for (const [i, p] of parts.entries()) {
    const pos = positives(data.target, p.train);
    if (pos === 0 || pos === p.train.length) throw new ModelInputError('MODEL_FOLD_ONE_CLASS', { fold: p.name });
    const model = fitModel(learner, data, p.train, seed + i);
    settings.push(settingsOf(model));
    const s = predictModel(model, data, p.test);
    const y = labelsOf(data, p.test);
    folds.push({
      fold: p.name,
      trainRows: p.train.length,
      testRows: p.test.length,
      testPositives: positives(data.target, p.test),
      auc: auc(s, y),
    });
    for (let k = 0; k < p.test.length; k++) {
      scored.push(p.test[k]!);
      scores.push(s[k]!);
    }
    progress(i + 1);
  }
  const y = labelsOf(data, Uint32Array.from(scored));
  const s = Float64Array.from(scores);
  const ms = meanSd(folds.map((f) => f.auc));
  return {
    learner,
    auc: auc(s, y),
    folds,
    meanFoldAuc: ms.mean,
    sdFoldAuc: ms.sd,
    groups: groupTable(s, y, 10),
    calibration: calibrationTable(s, y, 10),
    logLoss: logLoss(s, y),
    brier: brier(s, y),
    settings,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Each feature alone as a score: a number by its value (missing below every value), a category by
 * its level's positive rate on these rows (rare levels pooled, missing a level). AUC folded to >= 0.5
 * (a feature that decides the target the other way round is as suspect).
 */
export function singleFeatureAucs(data: Dataset, rows: Uint32Array): LeakWarning[] {
  const y = labelsOf(data, rows);
  const out: LeakWarning[] = [];
  for (const col of data.columns) {
    const s = new Float64Array(rows.length);
    if (col.kind === 'numeric') {
      for (let k = 0; k < rows.length; k++) {
        const v = col.values[rows[k]!]!;
        s[k] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
      }
    } else {
      const pooled = poolLevels(col, rows, { minCount: defaultMinCount(rows.length) });
      const map = levelMap(pooled, col);
      const size = pooled.kept.length + 2;
      const pos = new Float64Array(size);
      const cnt = new Float64Array(size);
      const codeOf = (r: number) => {
        const c = col.codes[r]!;
        if (c < 0) return size - 1;
        const m = map[c]!;
        return m >= 0 ? m : size - 2;
      };
      for (let k = 0; k < rows.length; k++) {
        const c = codeOf(rows[k]!);
        cnt[c]!++;
        pos[c]! += y[k]!;
      }
      for (let k = 0; k < rows.length; k++) {
        const c = codeOf(rows[k]!);
        s[k] = pos[c]! / cnt[c]!;
      }
    }
    const a = auc(s, y);
    out.push({ column: col.name, auc: Math.max(a, 1 - a) });
  }
  return out.sort((a, b) => b.auc - a.auc);
}

export const LEAK_AUC = 0.98;

export function evaluate(data: Dataset, opts: EvalOptions): Evaluation {
  const seed = opts.seed ?? 20;
  const parts = splits(data, opts.mode, seed);
  const learners: LearnerName[] = opts.learner === 'best' ? ['logistic', 'boosted'] : [opts.learner];
  const total = parts.length * learners.length;
  const results = learners.map((l, li) =>
    runLearner(l, data, parts, seed, (k) => opts.onProgress?.(l, li * parts.length + k, total)),
  );
  const trainRows = opts.mode.kind === 'holdout' ? opts.mode.train : allRows(data.rows);
  const single = singleFeatureAucs(data, trainRows);
  const leakAuc = opts.leakAuc ?? LEAK_AUC;
  const scoredRows = results[0]!.folds.reduce((a, f) => a + f.testRows, 0);
  // "best": in cross-validation the mean fold AUC decides; in a hold-out the test rows must not, so
  // each learner is cross-validated (3 folds) on the training rows and that decides.
  let chosenBy: Evaluation['chosenBy'] = 'folds';
  let chosen = results.reduce((a, b) => (b.meanFoldAuc > a.meanFoldAuc ? b : a)).learner;
  if (opts.mode.kind === 'holdout' && results.length > 1) {
    chosenBy = 'training-folds';
    const train = opts.mode.train;
    const fold = stratifiedFolds(data.target, train, 3, seed + 7);
    const inner = [0, 1, 2].map((f) => ({
      name: String(f + 1),
      train: train.filter((_, i) => fold[i] !== f),
      test: train.filter((_, i) => fold[i] === f),
    }));
    const cv = learners.map((l) => ({ l, auc: runLearner(l, data, inner, seed + 11, () => {}).meanFoldAuc }));
    chosen = cv.reduce((a, b) => (b.auc > a.auc ? b : a)).l;
  }
  return {
    rows: data.rows,
    positives: positives(data.target, allRows(data.rows)),
    scoredRows,
    features: {
      numeric: data.columns.filter((c) => c.kind === 'numeric').length,
      categorical: data.columns.filter((c) => c.kind === 'categorical').length,
    },
    results,
    chosen,
    chosenBy,
    leaks: single.filter((s) => s.auc >= leakAuc),
    strongest: single.slice(0, 3),
  };
}
