/**
 * Seeded randomness for the demo generator. Everything the generator writes must follow from the seed
 * alone, so Math.random is never used: sfc32 is small, fast in plain 32-bit JS arithmetic and passes
 * PractRand, which is more than enough for plausible-looking bank data.
 */

/** splitmix32: spreads a small integer seed over 128 bits of sfc32 state so seeds 1 and 2 diverge at once. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = 0;
  private hasSpare = false;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    const mix = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 0x100000000));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // The first outputs of sfc32 still correlate with the seed words; burn them.
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** Derives an independent stream, e.g. one per phase, so adding draws in one phase leaves the others unchanged. */
  fork(label: number): Rng {
    return new Rng((this.u32() ^ Math.imul(label + 1, 0x85ebca6b)) >>> 0);
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Standard normal (Marsaglia polar method; the spare value halves the cost). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Log-normal with the given median; sigma is the spread of its logarithm. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto with scale xm and shape alpha (smaller alpha, heavier tail). */
  pareto(xm: number, alpha: number): number {
    return xm / (1 - this.next()) ** (1 / alpha);
  }

  /** Rounds x up or down at random so that the expected value is x (keeps averages exact). */
  roundStochastic(x: number): number {
    const f = Math.floor(x);
    return this.next() < x - f ? f + 1 : f;
  }

  /** n random decimal digits as text (drawn nine at a time: account numbers are on the hot path). */
  digits(n: number): string {
    let s = '';
    while (n > 0) {
      const k = Math.min(9, n);
      const p = 10 ** k;
      s += String(p + this.int(p)).slice(1);
      n -= k;
    }
    return s;
  }
}

/**
 * Walker/Vose alias table: O(1) sampling of an index with given weights. Used in the hot loops
 * (surnames, channels, hours), where a linear or binary search per draw would show in the profile.
 */
export class WeightedTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  readonly size: number;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new RangeError('weighted table needs at least one weight');
    const total = weights.reduce((s, w) => s + w, 0);
    if (!(total > 0)) throw new RangeError('weights must sum to a positive number');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => {
      (p < 1 ? small : large).push(i);
    });
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  sample(rng: Rng): number {
    const x = rng.next() * this.size;
    const i = Math.floor(x);
    return x - i < this.prob[i]! ? i : this.alias[i]!;
  }
}

/** A list of items with weights, sampled through an alias table. */
export class WeightedList<T> {
  private readonly table: WeightedTable;
  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length !== weights.length) throw new RangeError('items and weights differ in length');
    this.table = new WeightedTable(weights);
  }

  static of<T>(pairs: readonly (readonly [T, number])[]): WeightedList<T> {
    return new WeightedList(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
  }

  sample(rng: Rng): T {
    return this.items[this.table.sample(rng)]!;
  }

  sampleIndex(rng: Rng): number {
    return this.table.sample(rng);
  }
}
