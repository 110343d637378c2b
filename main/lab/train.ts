/**
 * One training run of the model lab, from the store (read-only) to a version's figures and model:
 * features as of the cut-off (db/lab/features.ts), the target over the window after it, k-fold
 * cross-validation (on at most CV_MAX_ROWS sampled rows: the fold figures need not see a million),
 * a time-based hold-out (train on the cut-off one window earlier, whose window ends at this cut-off,
 * on at most CV_MAX_ROWS sampled rows too; test on every customer here), then the final fit on every
 * eligible customer. Pure computation over the connection
 * given: the worker (main/lab/worker.ts) runs it off the main thread.
 */
import type { Database } from 'better-sqlite3';
import { computeFeatures, computeTarget, type Snapshot } from '../../db/lab/features';
import { balanceHistory, cutoffRange, isMonthEnd, monthEnd } from '../../db/lab/history';
import type { LabLearner, LabVersionDetail } from '../../shared/api/lab';
import { AppError } from '../../shared/errors';
import type { LabFeature, LabTarget } from '../../shared/lab';
import { allRows, type Column, type Dataset } from '../models/dataset';
import {
  type FitSettings,
  type LearnerName,
  LEAK_AUC,
  predictModel,
  type Model,
  singleFeatureAucs,
} from '../models/evaluate';
import { fitBoosted } from '../models/boosted';
import {
  coefficients,
  fitLogistic,
  OTHER_LEVEL,
  MISSING_LEVEL,
  type Penalty,
  sampleRows,
  selectLogistic,
  stratifiedFolds,
} from '../models/logistic';
import { auc, type CalibrationRow, calibrationTable, type GroupRow, groupTable } from '../models/metrics';
import { serializeModel } from '../models/serialize';

export const CV_MAX_ROWS = 200_000;
const MIN_POSITIVES = 10;

export interface TrainParams {
  target: LabTarget;
  learner: LabLearner;
  outcomeMonths: number;
  /** Month end; null: the latest the history allows. */
  cutoff: string | null;
  folds: number;
  seed: number;
}

export type Figures = Pick<
  LabVersionDetail,
  'folds' | 'holdout' | 'groups' | 'calibration' | 'leaks' | 'strongest' | 'weights' | 'parameters' | 'cvRows'
>;

export interface TrainResult {
  learner: LearnerName;
  cutoff: string;
  windowEnd: string;
  rows: number;
  positives: number;
  auc: number;
  holdoutAuc: number | null;
  leak: boolean;
  figures: Figures;
  /** JSON: { features, model } — the model reads columns by feature name. */
  model: string;
  seconds: number;
}

export type Progress = (step: string, done: number, total: number) => void;

/** The cut-off to use and its window's end, or LAB_NO_HISTORY. */
export function resolveWindow(
  db: Database,
  outcomeMonths: number,
  cutoff: string | null,
): { cutoff: string; windowEnd: string; earliest: string } {
  const h = balanceHistory(db);
  const range = cutoffRange(h, outcomeMonths);
  const c = cutoff ?? range.latest;
  const fail = () => {
    throw new AppError('LAB_NO_HISTORY', { cutoff: c, outcomeMonths, from: h.from, to: h.to });
  };
  if (!c || !range.earliest || !range.latest) return fail();
  if (!isMonthEnd(c) || c < range.earliest || c > range.latest) return fail();
  return { cutoff: c, windowEnd: monthEnd(c, outcomeMonths), earliest: range.earliest };
}

/** The eligible rows of a snapshot as a learner's data set. */
export function datasetOf(snap: Snapshot, rows: Uint32Array, y: Uint8Array): Dataset {
  const columns: Column[] = snap.columns.map((c) => {
    if (c.kind === 'numeric') {
      const v = new Float32Array(rows.length);
      for (let k = 0; k < rows.length; k++) v[k] = c.values[rows[k]!]!;
      return { kind: 'numeric', name: c.name, values: v };
    }
    const codes = new Int32Array(rows.length);
    for (let k = 0; k < rows.length; k++) codes[k] = c.codes[rows[k]!]!;
    return { kind: 'categorical', name: c.name, codes, levels: c.levels };
  });
  const target = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) target[k] = y[rows[k]!]!;
  return { rows: rows.length, columns, target };
}

function indexesOf(flags: Uint8Array): Uint32Array {
  let m = 0;
  for (let i = 0; i < flags.length; i++) m += flags[i]!;
  const out = new Uint32Array(m);
  let k = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i]) out[k++] = i;
  return out;
}

/** A stratified sample of at most `max` rows (every class keeps its share). */
function sampleDataset(d: Dataset, max: number, seed: number): Dataset {
  if (d.rows <= max) return d;
  const parts = Math.ceil(d.rows / max);
  const fold = stratifiedFolds(d.target, allRows(d.rows), parts, seed);
  const keep = new Uint8Array(d.rows);
  for (let i = 0; i < d.rows; i++) if (fold[i] === 0) keep[i] = 1;
  const rows = indexesOf(keep);
  const snapLike = { columns: d.columns } as Snapshot;
  return datasetOf(snapLike, rows, d.target);
}

function weightsOf(model: Model): Figures['weights'] {
  if (model.kind === 'logistic') {
    return coefficients(model)
      .terms.filter((t) => !t.missing && t.standardised !== 0)
      .sort((a, b) => Math.abs(b.standardised) - Math.abs(a.standardised))
      .slice(0, 20)
      .map((t) => ({
        feature: t.column as LabFeature,
        level:
          t.level === undefined
            ? null
            : t.level === OTHER_LEVEL
              ? 'other'
              : t.level === MISSING_LEVEL
                ? 'missing'
                : t.level,
        weight: t.standardised,
      }));
  }
  const total = model.gain.reduce((a, b) => a + b, 0) || 1;
  return model.features
    .map((f, i) => ({ feature: f.name as LabFeature, level: null, weight: (model.gain[i] ?? 0) / total }))
    .filter((w) => w.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 20);
}

/** One learner's cross-validation: per fold, and the out-of-fold tables. */
export interface CvResult {
  learner: LearnerName;
  folds: { fold: string; testRows: number; testPositives: number; auc: number }[];
  meanFoldAuc: number;
  groups: GroupRow[];
  calibration: CalibrationRow[];
  /** Per fold, what was chosen on that fold's training rows: the penalty and strength, or the trees kept. */
  settings: FitSettings[];
}

function settingsOf(m: Model): FitSettings {
  return m.kind === 'logistic'
    ? { learner: 'logistic', penalty: m.penalty, lambda: m.lambda }
    : { learner: 'boosted', trees: m.trees, learningRate: m.learningRate };
}

/**
 * The penalty choice inside an outer fold (nested cross-validation): on a sample of at most this many
 * of the fold's training rows, 3 inner folds, the same lambda path warm-started. About 5 s CPU per
 * fold on 60 features (the full-sample choice on 30,000 rows with its 3 folds: about 12 s).
 */
export const INNER_SELECT_ROWS = 10_000;
const INNER_FOLDS = 3;
/** 'best' inside an outer fold: the two learners compared on an inner hold-out of this many rows at most. */
const INNER_BEST_ROWS = 20_000;
/**
 * The fits' stop when they run OWL-QN (more than 128 coefficients; the lab's ~40 run Newton, which
 * stops at its decrement): relative decrease below this three times running. At OWL-QN's default 1e-9
 * an L1 fit on 150,000 rows ran to its 500-iteration cap (37 s CPU against 5 s for L2).
 */
const FIT_TOLERANCE = 1e-8;

/**
 * The learning part of a run, on a data set: k-fold cross-validation on a stratified sample of at most
 * CV_MAX_ROWS rows (every row's score from a model that did not see it), then the final fit on all
 * rows. The reported figures are nested: inside each outer fold the logistic regression's penalty
 * (L1/L2) and strength are chosen by inner cross-validation on that fold's training rows only (a
 * sample of INNER_SELECT_ROWS), the boosted trees' count by early stopping on a tenth held back from
 * the same training rows, and with 'best' the learner by an inner hold-out of those rows — so the
 * fold being scored never takes part in any choice and the fold AUCs are not flattered by selection.
 * The final model chooses on all the data: the penalty on the CV sample (fitLogisticCV's selection),
 * the learner ('best') by the higher mean fold AUC. The hold-out's refit chooses its penalty on its
 * own training rows. `progress` gets the share done (0..1).
 */
export function learn(
  data: Dataset,
  learner: LabLearner,
  folds: number,
  seed: number,
  progress: (share: number) => void,
) {
  const cvData = sampleDataset(data, CV_MAX_ROWS, seed);
  const learners: LearnerName[] = learner === 'best' ? ['logistic', 'boosted'] : [learner];
  const steps = learners.length * folds + (learner === 'best' ? folds : 0) + 1;
  let step = 0;
  const tick = () => progress(++step / steps);
  /** Fits `l` on `rows`; the logistic penalty chosen on those rows (or given). */
  const fitOn = (
    l: LearnerName,
    d: Dataset,
    rows: Uint32Array,
    sd: number,
    choice?: { penalty: Penalty; lambda: number },
    inner = false,
  ): Model => {
    if (l === 'boosted') return fitBoosted(d, rows, { seed: sd });
    const c =
      choice ??
      selectLogistic(d, rows, inner ? { seed: sd, selectRows: INNER_SELECT_ROWS, folds: INNER_FOLDS } : { seed: sd });
    return fitLogistic(d, rows, { penalty: c.penalty, lambda: c.lambda, tolerance: FIT_TOLERANCE });
  };
  const all = allRows(cvData.rows);
  const fold = stratifiedFolds(cvData.target, all, folds, seed);
  const parts = Array.from({ length: folds }, (_, f) => ({
    train: all.filter((_, i) => fold[i] !== f),
    test: all.filter((_, i) => fold[i] === f),
  }));
  /** Out-of-fold scores of one learner, fold by fold, with what each fold's fit chose. */
  const scoresOf = (l: LearnerName) =>
    parts.map((p, f) => {
      const m = fitOn(l, cvData, p.train, seed + f, undefined, true);
      tick();
      return { scores: predictModel(m, cvData, p.test), settings: settingsOf(m) };
    });
  const tally = (l: LearnerName, perFold: { scores: Float64Array; settings: FitSettings }[]): CvResult => {
    const scores = perFold.map((x) => x.scores);
    const oof = new Float64Array(cvData.rows);
    const out: CvResult['folds'] = parts.map((p, f) => {
      const sc = scores[f]!;
      const y = new Uint8Array(p.test.length);
      let pos = 0;
      for (let k = 0; k < p.test.length; k++) {
        oof[p.test[k]!] = sc[k]!;
        y[k] = cvData.target[p.test[k]!]!;
        pos += y[k]!;
      }
      return { fold: String(f + 1), testRows: p.test.length, testPositives: pos, auc: auc(sc, y) };
    });
    const ok = out.map((x) => x.auc).filter((a) => !Number.isNaN(a));
    return {
      learner: l,
      folds: out,
      meanFoldAuc: ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN,
      groups: groupTable(oof, cvData.target, 10),
      calibration: calibrationTable(oof, cvData.target, 10),
      settings: perFold.map((x) => x.settings),
    };
  };
  const byLearner = learners.map((l) => ({ l, folds: scoresOf(l) }));
  const results = byLearner.map((b) => tally(b.l, b.folds));
  const best = results.reduce((a, b) => (b.meanFoldAuc > a.meanFoldAuc ? b : a));
  // 'best': each fold reports the learner chosen on an inner hold-out of its own training rows.
  let chosen = best;
  if (learner === 'best') {
    const picked = parts.map((p, f) => {
      const rows = sampleRows(p.train, INNER_BEST_ROWS, seed + 100 + f);
      const inner = stratifiedFolds(cvData.target, rows, 3, seed + 200 + f);
      const tr = rows.filter((_, i) => inner[i] !== 0);
      const va = rows.filter((_, i) => inner[i] === 0);
      const y = new Uint8Array(va.length);
      for (let k = 0; k < va.length; k++) y[k] = cvData.target[va[k]!]!;
      const a = learners.map((l) => auc(predictModel(fitOn(l, cvData, tr, seed + f, undefined, true), cvData, va), y));
      tick();
      return a[1]! > a[0]! ? 1 : 0;
    });
    chosen = {
      ...tally(
        best.learner,
        picked.map((w, f) => byLearner[w]!.folds[f]!),
      ),
      learner: best.learner,
    };
  }
  const finalChoice = best.learner === 'logistic' ? selectLogistic(cvData, all, { seed }) : undefined;
  const model = fitOn(best.learner, data, allRows(data.rows), seed, finalChoice);
  tick();
  const single = singleFeatureAucs(cvData, all);
  return {
    chosen,
    /** Each learner's nested cross-validation (with 'best', the two before the per-fold choice). */
    results,
    model,
    cvData,
    leaks: single.filter((x) => x.auc >= LEAK_AUC),
    strongest: single.slice(0, 3),
    /** The chosen learner refitted on other rows (the hold-out), its penalty chosen on those rows. */
    refit: (d: Dataset, rows: Uint32Array, sd: number) => fitOn(best.learner, d, rows, sd),
  };
}

/**
 * The eligible customers at a cut-off as a learner's data set. The snapshot (every customer's features)
 * is garbage once this returns: a million customers' would otherwise stay beside the data set through
 * the fits (~160 MB).
 */
function datasetAt(db: Database, cutoff: string, target: LabTarget, windowEnd: string): Dataset {
  const snap = computeFeatures(db, cutoff);
  const { eligible, y } = computeTarget(db, snap, target, windowEnd);
  return datasetOf(snap, indexesOf(eligible), y);
}

export function trainLab(db: Database, p: TrainParams, progress: Progress): TrainResult {
  const t0 = performance.now();
  const w = resolveWindow(db, p.outcomeMonths, p.cutoff);
  const totalSteps = 5;
  progress('features', 0, totalSteps);
  const data = datasetAt(db, w.cutoff, p.target, w.windowEnd);
  let positives = 0;
  for (let i = 0; i < data.rows; i++) positives += data.target[i]!;
  if (positives < MIN_POSITIVES || data.rows - positives < MIN_POSITIVES) {
    throw new AppError('LAB_TOO_FEW', { rows: data.rows, positives });
  }
  progress('folds', 1, totalSteps);
  const { chosen, model, cvData, leaks, strongest, refit } = learn(data, p.learner, p.folds, p.seed, (done) =>
    progress('folds', 1 + done, totalSteps),
  );
  progress('final', 2, totalSteps);

  // Time-based hold-out: the same learner trained one window earlier, tested on this cut-off's customers.
  progress('holdout', 3, totalSteps);
  let holdout: Figures['holdout'] = null;
  const earlier = monthEnd(w.cutoff, -p.outcomeMonths);
  if (earlier >= w.earliest) {
    const d1 = datasetAt(db, earlier, p.target, w.cutoff);
    let pos1 = 0;
    for (let i = 0; i < d1.rows; i++) pos1 += d1.target[i]!;
    if (pos1 >= MIN_POSITIVES && d1.rows - pos1 >= MIN_POSITIVES) {
      // Trained on a stratified sample as the CV is (at most CV_MAX_ROWS): the hold-out model gives a
      // figure, not the scores, and a second fit on a million rows would cost a minute and a half of CPU.
      const train1 = sampleDataset(d1, CV_MAX_ROWS, p.seed + 1);
      const m1 = refit(train1, allRows(train1.rows), p.seed + 1);
      const s = predictModel(m1, data, allRows(data.rows));
      const a = auc(s, data.target);
      holdout = {
        trainCutoff: earlier,
        testCutoff: w.cutoff,
        trainRows: train1.rows,
        testRows: data.rows,
        auc: Number.isNaN(a) ? null : a,
      };
    }
  }
  progress('saving', 4, totalSteps);
  const figures: Figures = {
    cvRows: cvData.rows,
    folds: chosen.folds.map((f) => ({
      fold: f.fold,
      rows: f.testRows,
      positives: f.testPositives,
      auc: Number.isNaN(f.auc) ? null : f.auc,
    })),
    holdout,
    groups: chosen.groups.map((g) => ({
      group: g.group,
      customers: g.customers,
      positives: g.positives,
      rate: g.rate,
      lift: g.lift,
      meanScore: g.meanScore,
      cumulativeCapture: g.cumulativeCapture,
    })),
    calibration: chosen.calibration.map((c) => ({
      from: c.from,
      to: c.to,
      customers: c.customers,
      predicted: c.meanPredicted,
      actual: c.actualRate,
    })),
    leaks: leaks.map((l) => ({ feature: l.column as LabFeature, auc: l.auc })),
    strongest: strongest.map((l) => ({ feature: l.column as LabFeature, auc: l.auc })),
    weights: weightsOf(model),
    parameters: {
      folds: p.folds,
      seed: p.seed,
      penalty: model.kind === 'logistic' ? model.penalty : null,
      lambda: model.kind === 'logistic' ? model.lambda : null,
      trees: model.kind === 'boosted' ? model.trees : null,
      learningRate: model.kind === 'boosted' ? model.learningRate : null,
    },
  };
  return {
    learner: chosen.learner,
    cutoff: w.cutoff,
    windowEnd: w.windowEnd,
    rows: data.rows,
    positives,
    auc: chosen.meanFoldAuc,
    holdoutAuc: holdout?.auc ?? null,
    leak: leaks.length > 0,
    figures,
    model: serializeModel(model),
    seconds: (performance.now() - t0) / 1000,
  };
}
