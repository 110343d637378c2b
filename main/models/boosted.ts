/**
 * Gradient-boosted decision trees for a 0/1 target (log loss), histogram-based as LightGBM:
 *
 *  - each feature is cut into at most 255 bins (numbers at quantiles of the training rows, or one bin
 *    per value when there are fewer; categories one bin per kept level after pooling), bin 0 holding
 *    the missing values, so a row is 1 byte per feature (row-major Uint8Array);
 *  - trees grow leaf-wise (the leaf whose best split gains most is split next) up to `maxLeaves`,
 *    the gradient and hessian histograms of a node's smaller child built from its rows and the
 *    larger child's taken as the parent's minus the smaller's;
 *  - a split sends a set of bins left (a 256-bit mask): numbers at a threshold with missing values
 *    sent the way that gains more, categories in the order of their gradient ratio (LightGBM's
 *    many-vs-many categorical split), so one mask lookup decides every node when scoring;
 *  - leaf values are Newton steps -G / (H + l2), shrunk by the learning rate; the number of trees
 *    is chosen by early stopping on a held-back tenth of the training rows (validation log loss);
 *  - on large sets each tree is grown on a random share of the rows (Friedman's stochastic gradient
 *    boosting), so the time per tree stops growing with the row count past 100,000 rows.
 */
import type { CategoricalColumn, Column, Dataset } from './dataset';
import { type PooledLevels, levelMap, poolLevels } from './levels';
import { sigmoid } from './metrics';
import { rng } from './random';

export type BinnedFeature =
  | {
      kind: 'numeric';
      name: string /** Ascending: a value <= cuts[j] (and above cuts[j-1]) is in bin j + 1. */;
      cuts: number[];
    }
  | { kind: 'categorical'; name: string; levels: PooledLevels };

export interface BoostedModel {
  kind: 'boosted';
  features: BinnedFeature[];
  base: number;
  learningRate: number;
  trees: number;
  /**
   * Nodes of all trees: tree t starts at roots[t]. feature -1 = leaf (value), else split by mask; an
   * inner node's value is what it would score as a leaf (for explanations; scoring reads leaves only).
   */
  roots: Int32Array;
  feature: Int32Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  /** 8 words (256 bits) per node: bin b goes left when bit b is set. */
  mask: Uint32Array;
  /** Total split gain per feature. */
  gain: number[];
}

export interface BoostedOptions {
  maxTrees?: number;
  learningRate?: number;
  maxLeaves?: number;
  minChildRows?: number;
  l2?: number;
  /** Rounds without validation improvement before stopping (0: no early stopping, maxTrees trees). */
  earlyStopping?: number;
  validationShare?: number;
  maxBins?: number;
  /**
   * Share of the training rows each tree is grown on (stochastic gradient boosting); by default all
   * up to 100,000 rows, then 100,000 / rows, which bounds the cost of a tree whatever the row count.
   */
  subsample?: number;
  seed?: number;
  minCount?: number;
  maxLevels?: number;
  /** Called after each tree with (trees so far, maxTrees); return false to stop. */
  onTree?: (trees: number, max: number) => boolean | undefined;
}

const MAX_BINS = 255;

function numericCuts(values: Float32Array, rows: Uint32Array, maxBins: number, seed: number): number[] {
  const cap = 200_000;
  const step = rows.length > cap ? rows.length / cap : 1;
  const sample: number[] = [];
  const next = rng(seed);
  for (let k = 0; k < rows.length; k += step) {
    const at = step > 1 ? Math.min(rows.length - 1, Math.floor(k + next() * step)) : k;
    const v = values[rows[at]!]!;
    if (!Number.isNaN(v)) sample.push(v);
  }
  if (!sample.length) return [];
  const s = Float64Array.from(sample).sort();
  const distinct: number[] = [];
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) distinct.push(s[i]!);
  if (distinct.length <= maxBins) {
    const cuts: number[] = [];
    for (let i = 0; i + 1 < distinct.length; i++) cuts.push(Math.fround((distinct[i]! + distinct[i + 1]!) / 2));
    return dedupe(cuts);
  }
  const cuts: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    const v = s[Math.min(s.length - 1, Math.floor((q * s.length) / maxBins))]!;
    if (v < distinct[distinct.length - 1]!) cuts.push(v);
  }
  return dedupe(cuts);
}

function dedupe(a: number[]): number[] {
  return a.filter((v, i) => i === 0 || v > a[i - 1]!);
}

/** Bin of a number: 0 missing, else 1 + the first j with value <= cuts[j] (cuts.length + 1 above all). */
function numericBin(cuts: Float64Array, v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

function columnFor(data: Dataset, f: BinnedFeature): Column {
  const col = data.columns.find((c) => c.name === f.name);
  if (!col || col.kind !== f.kind) throw new Error(`column ${f.name} (${f.kind}) is not in the data`);
  return col;
}

/** Row-major bins (rows.length x features) of `rows`, written from `offset` rows into `out`. */
export function binRows(features: BinnedFeature[], data: Dataset, rows: Uint32Array, out?: Uint8Array): Uint8Array {
  const F = features.length;
  const n = rows.length;
  const bins = out ?? new Uint8Array(n * F);
  features.forEach((f, j) => {
    const col = columnFor(data, f);
    if (f.kind === 'numeric') {
      const v = (col as { values: Float32Array }).values;
      const cuts = Float64Array.from(f.cuts);
      for (let k = 0; k < n; k++) bins[k * F + j] = numericBin(cuts, v[rows[k]!]!);
    } else {
      const c = col as CategoricalColumn;
      const map = levelMap(f.levels, c);
      for (let k = 0; k < n; k++) {
        const code = c.codes[rows[k]!]!;
        // 0 missing, 1..K kept levels, K+1 other; a level with no place (nothing pooled) -> other's bin
        bins[k * F + j] = code < 0 ? 0 : map[code]! >= 0 ? map[code]! + 1 : f.levels.kept.length + 1;
      }
    }
  });
  return bins;
}

interface Leaf {
  start: number;
  end: number;
  G: number;
  H: number;
  /** Histograms: gh[2*(f*256+b)] = sum g, +1 = sum h; cnt[f*256+b] = rows. */
  gh: Float64Array;
  cnt: Int32Array;
  node: number;
  split: Split | null;
}

interface Split {
  gain: number;
  feature: number;
  mask: Uint32Array;
  GL: number;
  HL: number;
  nL: number;
}

function buildHist(
  bins: Uint8Array,
  F: number,
  idx: Uint32Array,
  start: number,
  end: number,
  g: Float64Array,
  h: Float64Array,
) {
  const gh = new Float64Array(F * 512);
  const cnt = new Int32Array(F * 256);
  for (let k = start; k < end; k++) {
    const r = idx[k]!;
    const base = r * F;
    const gi = g[r]!;
    const hi = h[r]!;
    for (let f = 0; f < F; f++) {
      const o = (f << 8) | bins[base + f]!;
      gh[2 * o] = gh[2 * o]! + gi;
      gh[2 * o + 1] = gh[2 * o + 1]! + hi;
      cnt[o]!++;
    }
  }
  return { gh, cnt };
}

function bestSplit(leaf: Leaf, features: BinnedFeature[], nBins: number[], l2: number, minRows: number): Split | null {
  const { gh, cnt, G, H } = leaf;
  const n = leaf.end - leaf.start;
  const parent = (G * G) / (H + l2);
  const minH = 1e-3;
  // The best so far, as plain numbers (no allocation per candidate): the mask is built once at the end.
  let bestGain = 1e-9;
  let bestF = -1;
  let bestThr = 0;
  let bestMissLeft = false;
  let bestCats: number[] | null = null;
  let bGL = 0;
  let bHL = 0;
  let bnL = 0;
  const gainOf = (GL: number, HL: number, nL: number): number => {
    const HR = H - HL;
    if (nL < minRows || n - nL < minRows || HL < minH || HR < minH) return Number.NEGATIVE_INFINITY;
    const GR = G - GL;
    return (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2) - parent;
  };
  for (let f = 0; f < features.length; f++) {
    const o = f << 8;
    const B = nBins[f]!; // bins 0..B-1 in use
    const Gm = gh[2 * o]!;
    const Hm = gh[2 * o + 1]!;
    const Cm = cnt[o]!;
    if (features[f]!.kind === 'numeric') {
      let GL = 0;
      let HL = 0;
      let nL = 0;
      for (let b = 0; b < B - 1; b++) {
        if (b > 0) {
          if (cnt[o + b] === 0) continue;
          GL += gh[2 * (o + b)]!;
          HL += gh[2 * (o + b) + 1]!;
          nL += cnt[o + b]!;
        }
        let g = gainOf(GL, HL, nL);
        if (g > bestGain) {
          bestGain = g;
          bestF = f;
          bestThr = b;
          bestMissLeft = false;
          bestCats = null;
          bGL = GL;
          bHL = HL;
          bnL = nL;
        }
        if (Cm > 0) {
          g = gainOf(GL + Gm, HL + Hm, nL + Cm);
          if (g > bestGain) {
            bestGain = g;
            bestF = f;
            bestThr = b;
            bestMissLeft = true;
            bestCats = null;
            bGL = GL + Gm;
            bHL = HL + Hm;
            bnL = nL + Cm;
          }
        }
      }
    } else {
      const present: number[] = [];
      for (let b = 0; b < B; b++) if (cnt[o + b]! > 0) present.push(b);
      if (present.length < 2) continue;
      present.sort(
        (a, b) => gh[2 * (o + a)]! / (gh[2 * (o + a) + 1]! + 10) - gh[2 * (o + b)]! / (gh[2 * (o + b) + 1]! + 10),
      );
      let GL = 0;
      let HL = 0;
      let nL = 0;
      for (let i = 0; i + 1 < present.length; i++) {
        const b = present[i]!;
        GL += gh[2 * (o + b)]!;
        HL += gh[2 * (o + b) + 1]!;
        nL += cnt[o + b]!;
        const g = gainOf(GL, HL, nL);
        if (g > bestGain) {
          bestGain = g;
          bestF = f;
          bestCats = present.slice(0, i + 1);
          bGL = GL;
          bHL = HL;
          bnL = nL;
        }
      }
    }
  }
  if (bestF < 0) return null;
  const mask = new Uint32Array(8);
  if (bestCats) for (const b of bestCats) setBit(mask, b);
  else {
    for (let b = 1; b <= bestThr; b++) setBit(mask, b);
    if (bestMissLeft) setBit(mask, 0);
  }
  return { gain: bestGain, feature: bestF, mask, GL: bGL, HL: bHL, nL: bnL };
}

function setBit(m: Uint32Array, b: number): void {
  m[b >> 5] = m[b >> 5]! | (1 << (b & 31));
}

interface TreeBuilder {
  feature: number[];
  left: number[];
  right: number[];
  value: number[];
  mask: number[];
}

function newNode(t: TreeBuilder): number {
  t.feature.push(-1);
  t.left.push(-1);
  t.right.push(-1);
  t.value.push(0);
  for (let i = 0; i < 8; i++) t.mask.push(0);
  return t.feature.length - 1;
}

/** The leaf a binned row (at `base` in `bins`) reaches from `node`. */
function walk(t: TreeBuilder, node: number, bins: Uint8Array, base: number): number {
  while (t.feature[node]! >= 0) {
    const bin = bins[base + t.feature[node]!]!;
    node = (t.mask[node * 8 + (bin >> 5)]! >>> (bin & 31)) & 1 ? t.left[node]! : t.right[node]!;
  }
  return node;
}

export function fitBoosted(data: Dataset, rows: Uint32Array, opts: BoostedOptions = {}): BoostedModel {
  const maxTrees = opts.maxTrees ?? 300;
  const lr = opts.learningRate ?? 0.1;
  const maxLeaves = opts.maxLeaves ?? 31;
  const minRows = opts.minChildRows ?? 20;
  const l2 = opts.l2 ?? 1;
  const patience = opts.earlyStopping ?? 30;
  const seed = opts.seed ?? 1;
  const maxBins = Math.min(MAX_BINS, opts.maxBins ?? MAX_BINS);

  // Hold back a validation tenth for early stopping.
  let fitRows = rows;
  let validRows = new Uint32Array(0);
  if (patience > 0 && rows.length >= 200) {
    const next = rng(seed + 17);
    const share = opts.validationShare ?? 0.1;
    const a: number[] = [];
    const b: number[] = [];
    for (let k = 0; k < rows.length; k++) (next() < share ? b : a).push(rows[k]!);
    fitRows = Uint32Array.from(a);
    validRows = Uint32Array.from(b);
  }

  const features: BinnedFeature[] = data.columns.map((col, j) =>
    col.kind === 'numeric'
      ? { kind: 'numeric', name: col.name, cuts: numericCuts(col.values, fitRows, maxBins - 1, seed + j) }
      : {
          kind: 'categorical',
          name: col.name,
          levels: poolLevels(col, fitRows, { minCount: opts.minCount, maxLevels: Math.min(opts.maxLevels ?? 60, 253) }),
        },
  );
  const nBins = features.map((f) => (f.kind === 'numeric' ? f.cuts.length + 2 : f.levels.kept.length + 2));
  const F = features.length;
  const n = fitRows.length;
  const bins = binRows(features, data, fitRows);
  const vbins = binRows(features, data, validRows);
  const y = new Uint8Array(n);
  let pos = 0;
  for (let k = 0; k < n; k++) {
    y[k] = data.target[fitRows[k]!]!;
    pos += y[k]!;
  }
  const vy = new Uint8Array(validRows.length);
  for (let k = 0; k < validRows.length; k++) vy[k] = data.target[validRows[k]!]!;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / Math.max(1, n)));
  const base = Math.log(rate / (1 - rate));
  const margin = new Float64Array(n).fill(base);
  const vmargin = new Float64Array(validRows.length).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const idx = new Uint32Array(n);
  const subsample = opts.subsample ?? Math.min(1, 100_000 / Math.max(1, n));
  const sampler = rng(seed + 29);
  const t: TreeBuilder = { feature: [], left: [], right: [], value: [], mask: [] };
  const roots: number[] = [];
  const gainByFeature = new Float64Array(F);
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestTrees = 0;
  let bestNodes = 0;
  let sinceBest = 0;

  for (let tree = 0; tree < maxTrees; tree++) {
    let m = 0;
    let G = 0;
    let H = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]!);
      g[i] = p - y[i]!;
      h[i] = Math.max(p * (1 - p), 1e-12);
      if (subsample >= 1 || sampler() < subsample) {
        idx[m++] = i;
        G += g[i]!;
        H += h[i]!;
      }
    }
    const root = newNode(t);
    roots.push(root);
    const rh = buildHist(bins, F, idx, 0, m, g, h);
    const first: Leaf = { start: 0, end: m, G, H, gh: rh.gh, cnt: rh.cnt, node: root, split: null };
    first.split = bestSplit(first, features, nBins, l2, minRows);
    const leaves: Leaf[] = [first];
    while (leaves.length < maxLeaves) {
      let pick = -1;
      for (let i = 0; i < leaves.length; i++) {
        const s = leaves[i]!.split;
        if (s && (pick < 0 || s.gain > leaves[pick]!.split!.gain)) pick = i;
      }
      if (pick < 0) break;
      const leaf = leaves[pick]!;
      const s = leaf.split!;
      gainByFeature[s.feature] = gainByFeature[s.feature]! + s.gain;
      // Partition the leaf's rows: left-going first.
      let a = leaf.start;
      let b = leaf.end - 1;
      const f = s.feature;
      const mk = s.mask;
      while (a <= b) {
        const bin = bins[idx[a]! * F + f]!;
        if ((mk[bin >> 5]! >>> (bin & 31)) & 1) a++;
        else {
          const tmp = idx[a]!;
          idx[a] = idx[b]!;
          idx[b] = tmp;
          b--;
        }
      }
      const mid = a;
      const lNode = newNode(t);
      const rNode = newNode(t);
      t.feature[leaf.node] = f;
      // an inner node keeps the value it would have as a leaf: explanations follow the path's changes
      t.value[leaf.node] = (-leaf.G / (leaf.H + l2)) * lr;
      t.left[leaf.node] = lNode;
      t.right[leaf.node] = rNode;
      for (let w = 0; w < 8; w++) t.mask[leaf.node * 8 + w] = mk[w]!;
      const nL = mid - leaf.start;
      const nR = leaf.end - mid;
      const small = nL <= nR ? { start: leaf.start, end: mid } : { start: mid, end: leaf.end };
      const sh = buildHist(bins, F, idx, small.start, small.end, g, h);
      const lh = leaf.gh;
      const lc = leaf.cnt;
      for (let i = 0; i < lh.length; i++) lh[i] = lh[i]! - sh.gh[i]!;
      for (let i = 0; i < lc.length; i++) lc[i] = lc[i]! - sh.cnt[i]!;
      const smallLeaf: Leaf = {
        ...small,
        G: nL <= nR ? s.GL : leaf.G - s.GL,
        H: nL <= nR ? s.HL : leaf.H - s.HL,
        gh: sh.gh,
        cnt: sh.cnt,
        node: nL <= nR ? lNode : rNode,
        split: null,
      };
      const bigLeaf: Leaf = {
        start: nL <= nR ? mid : leaf.start,
        end: nL <= nR ? leaf.end : mid,
        G: leaf.G - smallLeaf.G,
        H: leaf.H - smallLeaf.H,
        gh: lh,
        cnt: lc,
        node: nL <= nR ? rNode : lNode,
        split: null,
      };
      leaves.splice(pick, 1, smallLeaf, bigLeaf);
      if (leaves.length < maxLeaves) {
        smallLeaf.split = bestSplit(smallLeaf, features, nBins, l2, minRows);
        bigLeaf.split = bestSplit(bigLeaf, features, nBins, l2, minRows);
      }
    }
    for (const leaf of leaves) {
      const v = (-leaf.G / (leaf.H + l2)) * lr;
      t.value[leaf.node] = v;
      if (m === n) for (let k = leaf.start; k < leaf.end; k++) margin[idx[k]!] = margin[idx[k]!]! + v;
    }
    // Rows the tree was not grown on (a subsample) find their leaf by walking it.
    if (m < n) for (let i = 0; i < n; i++) margin[i] = margin[i]! + t.value[walk(t, root, bins, i * F)]!;
    // Validation: walk the new tree for each held-back row.
    if (validRows.length) {
      let loss = 0;
      for (let k = 0; k < validRows.length; k++) {
        const z = vmargin[k]! + t.value[walk(t, root, vbins, k * F)]!;
        vmargin[k] = z;
        loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - (vy[k] ? z : 0);
      }
      loss /= validRows.length;
      if (loss < bestLoss - 1e-9) {
        bestLoss = loss;
        bestTrees = tree + 1;
        bestNodes = t.feature.length;
        sinceBest = 0;
      } else if (++sinceBest >= patience) break;
    } else {
      bestTrees = tree + 1;
      bestNodes = t.feature.length;
    }
    if (opts.onTree && opts.onTree(tree + 1, maxTrees) === false) break;
  }
  return {
    kind: 'boosted',
    features,
    base,
    learningRate: lr,
    trees: bestTrees,
    roots: Int32Array.from(roots.slice(0, bestTrees)),
    feature: Int32Array.from(t.feature.slice(0, bestNodes)),
    left: Int32Array.from(t.left.slice(0, bestNodes)),
    right: Int32Array.from(t.right.slice(0, bestNodes)),
    value: Float64Array.from(t.value.slice(0, bestNodes)),
    mask: Uint32Array.from(t.mask.slice(0, bestNodes * 8)),
    gain: [...gainByFeature],
  };
}

/**
 * Per node, for scoring: a number split as its threshold bin (bins 1..thr go left) and the side of
 * missing values (bin 0), read from its mask; -1 for a category split (the mask decides) or a leaf.
 */
function thresholds(model: BoostedModel): { thr: Int16Array; missLeft: Uint8Array } {
  const nodes = model.feature.length;
  const thr = new Int16Array(nodes).fill(-1);
  const missLeft = new Uint8Array(nodes);
  for (let node = 0; node < nodes; node++) {
    const f = model.feature[node]!;
    if (f < 0 || model.features[f]!.kind !== 'numeric') continue;
    let t = 0;
    for (let b = 1; b < 256; b++) if ((model.mask[node * 8 + (b >> 5)]! >>> (b & 31)) & 1) t = b;
    thr[node] = t;
    missLeft[node] = model.mask[node * 8]! & 1;
  }
  return { thr, missLeft };
}

/**
 * Log-odds for `rows`. Rows are binned a block of 4,096 at a time (memory stays flat whatever the row
 * count) and each tree is walked for the whole block before the next, so a tree's nodes and the
 * block's bins stay in cache; number splits compare a bin with a threshold, category splits read
 * the mask.
 */
export function boostedMargins(model: BoostedModel, data: Dataset, rows: Uint32Array): Float64Array {
  const F = model.features.length;
  const out = new Float64Array(rows.length).fill(model.base);
  const block = 4096;
  const buf = new Uint8Array(block * F);
  const { roots, feature, left, right, value, mask } = model;
  const { thr, missLeft } = thresholds(model);
  for (let s = 0; s < rows.length; s += block) {
    const part = rows.subarray(s, Math.min(rows.length, s + block));
    const bins = binRows(model.features, data, part, buf);
    const m = part.length;
    for (let tr = 0; tr < roots.length; tr++) {
      const root = roots[tr]!;
      for (let k = 0; k < m; k++) {
        let node = root;
        const base = k * F;
        let f = feature[node]!;
        while (f >= 0) {
          const bin = bins[base + f]!;
          const t = thr[node]!;
          const goLeft =
            t >= 0
              ? bin === 0
                ? missLeft[node] === 1
                : bin <= t
              : ((mask[node * 8 + (bin >> 5)]! >>> (bin & 31)) & 1) === 1;
          node = goLeft ? left[node]! : right[node]!;
          f = feature[node]!;
        }
        out[s + k] = out[s + k]! + value[node]!;
      }
    }
  }
  return out;
}

/** The same margins by the plain walk (mask at every node, row by row), for the tests. */
export function boostedMarginsPlain(model: BoostedModel, data: Dataset, rows: Uint32Array): Float64Array {
  const F = model.features.length;
  const bins = binRows(model.features, data, rows);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    let z = model.base;
    for (let tr = 0; tr < model.roots.length; tr++) {
      let node = model.roots[tr]!;
      while (model.feature[node]! >= 0) {
        const bin = bins[k * F + model.feature[node]!]!;
        node = (model.mask[node * 8 + (bin >> 5)]! >>> (bin & 31)) & 1 ? model.left[node]! : model.right[node]!;
      }
      z += model.value[node]!;
    }
    out[k] = z;
  }
  return out;
}

/**
 * Each feature's part in a row's log-odds (Saabas' path attribution): walking each tree from its root,
 * the change of value at a split is put to the split's feature. base + the roots' values + the parts
 * = the row's log-odds exactly.
 */
export function boostedContributions(
  model: BoostedModel,
  data: Dataset,
  row: number,
): { offset: number; parts: Float64Array } {
  const F = model.features.length;
  const bins = binRows(model.features, data, Uint32Array.of(row));
  const parts = new Float64Array(F);
  let offset = model.base;
  for (let tr = 0; tr < model.roots.length; tr++) {
    let node = model.roots[tr]!;
    offset += model.value[node]!;
    while (model.feature[node]! >= 0) {
      const f = model.feature[node]!;
      const bin = bins[f]!;
      const next = (model.mask[node * 8 + (bin >> 5)]! >>> (bin & 31)) & 1 ? model.left[node]! : model.right[node]!;
      parts[f] = parts[f]! + model.value[next]! - model.value[node]!;
      node = next;
    }
  }
  return { offset, parts };
}

export function predictBoosted(model: BoostedModel, data: Dataset, rows: Uint32Array): Float64Array {
  const z = boostedMargins(model, data, rows);
  for (let k = 0; k < z.length; k++) z[k] = sigmoid(z[k]!);
  return z;
}
