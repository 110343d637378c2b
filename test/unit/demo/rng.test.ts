import { describe, expect, it } from 'vitest';
import { Rng, WeightedList, WeightedTable } from '../../../db/demo/rng';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.u32());

describe('Rng (sfc32)', () => {
  it('gives the same sequence for the same seed', () => {
    expect(draw(new Rng(20261123), 1000)).toEqual(draw(new Rng(20261123), 1000));
  });

  it('gives unrelated sequences for neighbouring seeds', () => {
    const a = draw(new Rng(1), 200);
    const b = draw(new Rng(2), 200);
    expect(a.filter((v, i) => v === b[i]).length).toBe(0);
  });

  it('is pinned: changing the algorithm would silently change every demo store', () => {
    // Recorded from this implementation; update deliberately (and say so) if the generator ever changes.
    const rng = new Rng(20261123);
    expect(draw(rng, 3)).toEqual([2275931591, 3891499084, 2006601138]);
    expect(draw(new Rng(20261123).fork(11), 2)).toEqual([3084874107, 1734012629]);
  });

  it('forks deterministic, independent streams', () => {
    const a = new Rng(7).fork(3);
    const b = new Rng(7).fork(3);
    const c = new Rng(7).fork(4);
    const sa = draw(a, 50);
    expect(sa).toEqual(draw(b, 50));
    expect(sa).not.toEqual(draw(c, 50));
  });

  it('keeps next() in [0,1) and int/range within bounds', () => {
    const rng = new Rng(99);
    for (let i = 0; i < 20000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const k = rng.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      const r = rng.range(-3, 3);
      expect(r >= -3 && r <= 3).toBe(true);
    }
  });

  it('has a roughly uniform int() and a standard normal()', () => {
    const rng = new Rng(5);
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sq = 0;
    const n = 50000;
    for (let i = 0; i < n; i++) {
      buckets[rng.int(10)]!++;
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan((n / 10) * 0.06);
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it('rounds stochastically without bias', () => {
    const rng = new Rng(11);
    let total = 0;
    for (let i = 0; i < 20000; i++) total += rng.roundStochastic(2.3);
    expect(total / 20000).toBeCloseTo(2.3, 1);
  });

  it('makes digit strings of the asked length', () => {
    const rng = new Rng(3);
    for (const n of [1, 8, 9, 10, 17, 25]) {
      const s = rng.digits(n);
      expect(s).toMatch(new RegExp(`^\\d{${n}}$`));
    }
  });

  it('log-normal has the requested median', () => {
    const rng = new Rng(8);
    const xs = Array.from({ length: 20001 }, () => rng.logNormal(1000, 1.2)).sort((a, b) => a - b);
    expect(xs[10000]! / 1000).toBeGreaterThan(0.93);
    expect(xs[10000]! / 1000).toBeLessThan(1.07);
  });
});

describe('WeightedTable', () => {
  it('samples in proportion to the weights', () => {
    const table = new WeightedTable([1, 2, 7, 0]);
    const rng = new Rng(17);
    const counts = [0, 0, 0, 0];
    const n = 100000;
    for (let i = 0; i < n; i++) counts[table.sample(rng)]!++;
    expect(counts[3]).toBe(0);
    expect(counts[0]! / n).toBeCloseTo(0.1, 1);
    expect(counts[1]! / n).toBeCloseTo(0.2, 1);
    expect(counts[2]! / n).toBeCloseTo(0.7, 1);
  });

  it('rejects empty or zero weights', () => {
    expect(() => new WeightedTable([])).toThrow();
    expect(() => new WeightedTable([0, 0])).toThrow();
    expect(() => new WeightedList(['a'], [1, 2])).toThrow();
  });
});
