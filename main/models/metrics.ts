/**
 * Evaluation figures over scores and 0/1 outcomes given side by side (scores[k] belongs to labels[k]):
 * AUC, the ten-group (decile) table the seed's churn model shows, a calibration table, log loss and
 * the Brier score. All O(n log n) at most, on typed arrays.
 */

/**
 * Area under the ROC curve = P(score of a random positive > score of a random negative), ties
 * counting one half (the Mann-Whitney statistic, as scikit-learn's roc_auc_score). NaN when one
 * class is absent. Positives and negatives are sorted apart with the typed arrays' native numeric
 * sort and merged, so a million scores take a fraction of a second.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let nPos = 0;
  for (let k = 0; k < labels.length; k++) if (labels[k] === 1) nPos++;
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  let p = 0;
  let q = 0;
  for (let k = 0; k < labels.length; k++) {
    if (labels[k] === 1) pos[p++] = scores[k]!;
    else neg[q++] = scores[k]!;
  }
  pos.sort();
  neg.sort();
  let below = 0; // negatives strictly below the current positive score
  let upTo = 0; // negatives at or below it
  let sum = 0;
  for (let i = 0; i < nPos; i++) {
    const v = pos[i]!;
    while (below < nNeg && neg[below]! < v) below++;
    if (upTo < below) upTo = below;
    while (upTo < nNeg && neg[upTo]! <= v) upTo++;
    sum += below + (upTo - below) / 2;
  }
  return sum / nPos / nNeg;
}

/** Indexes 0..n-1 ordered by score, highest first; ties keep their input order. */
export function orderByScore(scores: ArrayLike<number>): Uint32Array {
  const n = scores.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const s = Float64Array.from(scores as ArrayLike<number>);
  idx.sort((a, b) => s[b]! - s[a]! || a - b);
  return idx;
}

export interface GroupRow {
  /** 1 = the highest scores. */
  group: number;
  customers: number;
  positives: number;
  /** positives / customers. */
  rate: number;
  /** rate / the overall rate. */
  lift: number;
  /** Mean predicted probability in the group. */
  meanScore: number;
  /** Share of all positives found in groups 1..this one. */
  cumulativeCapture: number;
  /** Cumulative rate / overall rate. */
  cumulativeLift: number;
  /** Lowest and highest score in the group. */
  minScore: number;
  maxScore: number;
}

/**
 * The ten-group table: customers ranked by score from highest to lowest and cut into `groups` groups
 * of equal size (the first groups take one more when the count does not divide), each with its
 * customers, actual rate and lift against the overall rate. Counts sum to the customers scored.
 */
export function groupTable(scores: ArrayLike<number>, labels: ArrayLike<number>, groups = 10): GroupRow[] {
  const n = scores.length;
  const order = orderByScore(scores);
  let totalPos = 0;
  for (let k = 0; k < n; k++) totalPos += labels[k] === 1 ? 1 : 0;
  const overall = n ? totalPos / n : 0;
  const out: GroupRow[] = [];
  let start = 0;
  let cumPos = 0;
  const base = Math.floor(n / groups);
  const extra = n % groups;
  for (let g = 0; g < groups; g++) {
    const size = base + (g < extra ? 1 : 0);
    let pos = 0;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = start; k < start + size; k++) {
      const i = order[k]!;
      pos += labels[i] === 1 ? 1 : 0;
      const s = scores[i]!;
      sum += s;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    start += size;
    cumPos += pos;
    const rate = size ? pos / size : 0;
    out.push({
      group: g + 1,
      customers: size,
      positives: pos,
      rate,
      lift: overall > 0 ? rate / overall : 0,
      meanScore: size ? sum / size : 0,
      cumulativeCapture: totalPos ? cumPos / totalPos : 0,
      cumulativeLift: overall > 0 && start ? cumPos / start / overall : 0,
      minScore: size ? min : Number.NaN,
      maxScore: size ? max : Number.NaN,
    });
  }
  return out;
}

export interface CalibrationRow {
  /** Predicted probabilities in [from, to) (the last bin includes 1). */
  from: number;
  to: number;
  customers: number;
  meanPredicted: number;
  actualRate: number;
}

/** Calibration (reliability) table: equal-width bins of predicted probability, predicted vs actual. */
export function calibrationTable(probs: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationRow[] {
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let k = 0; k < probs.length; k++) {
    const p = probs[k]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]!++;
    sumP[b]! += p;
    sumY[b]! += labels[k] === 1 ? 1 : 0;
  }
  const out: CalibrationRow[] = [];
  for (let b = 0; b < bins; b++) {
    out.push({
      from: b / bins,
      to: (b + 1) / bins,
      customers: count[b]!,
      meanPredicted: count[b] ? sumP[b]! / count[b]! : Number.NaN,
      actualRate: count[b] ? sumY[b]! / count[b]! : Number.NaN,
    });
  }
  return out;
}

const EPS = 1e-15;

/** Mean negative log-likelihood of 0/1 outcomes under predicted probabilities. */
export function logLoss(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < probs.length; k++) {
    const p = Math.min(1 - EPS, Math.max(EPS, probs[k]!));
    s -= labels[k] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return probs.length ? s / probs.length : Number.NaN;
}

/** Mean squared difference between predicted probability and outcome. */
export function brier(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < probs.length; k++) {
    const d = probs[k]! - (labels[k] === 1 ? 1 : 0);
    s += d * d;
  }
  return probs.length ? s / probs.length : Number.NaN;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
