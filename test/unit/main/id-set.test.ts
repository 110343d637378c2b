import { describe, expect, it } from 'vitest';
import { IdSet } from '../../../main/jobs/engine/id-set';

describe('IdSet (row ids seen or marked by an import job)', () => {
  it('adds once, answers membership, and grows past its first size', () => {
    const s = new IdSet();
    expect(s.add(1)).toBe(true);
    expect(s.add(1)).toBe(false);
    expect(s.has(1)).toBe(true);
    expect(s.has(2)).toBe(false);
    expect(s.has(0)).toBe(false);
    for (const id of [31, 32, 33, 65_535, 65_536, 5_000_000, 0xffffffff]) {
      expect(s.has(id)).toBe(false);
      expect(s.add(id)).toBe(true);
      expect(s.has(id)).toBe(true);
    }
    // growing kept what was there
    expect([1, 31, 32, 33, 65_535, 65_536, 5_000_000].every((id) => s.has(id))).toBe(true);
    expect(s.has(34)).toBe(false);
    expect(s.has(4_999_999)).toBe(false);
  });

  it('ids past 2^32 (or not integers) still count, exactly', () => {
    const s = new IdSet();
    const big = 2 ** 40 + 7;
    expect(s.add(big)).toBe(true);
    expect(s.add(big)).toBe(false);
    expect(s.has(big)).toBe(true);
    expect(s.has(7)).toBe(false); // no aliasing into the bitmap
    expect(s.has(2 ** 40 + 39)).toBe(false);
  });
});
