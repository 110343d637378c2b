import { describe, expect, it } from 'vitest';
import { pct } from '../../bench/support';

describe('pct (nearest rank)', () => {
  it('takes the smallest sample with at least p% of the samples at or below it', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i); // 20 .. 1, unsorted
    expect(pct(twenty, 95)).toBe(19); // not the largest: one sample in twenty may exceed a p95
    expect(pct(twenty, 50)).toBe(10);
    expect(pct(twenty, 100)).toBe(20);
    expect(pct(twenty, 0)).toBe(1);
    expect(pct([5, 1, 3, 2, 4, 6], 95)).toBe(6); // six samples: the p95 is their largest
    expect(
      pct(
        Array.from({ length: 40 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(38);
    expect(pct([7], 99)).toBe(7);
  });
});
