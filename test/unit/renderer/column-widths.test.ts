import { describe, expect, it } from 'vitest';
import { capWidths, type SizedColumn } from '../../../renderer/src/components/column-widths';

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('capWidths (list columns beside the flex column)', () => {
  const cols: SizedColumn[] = [
    { key: 'customer', width: 180, min: 56 },
    { key: 'product', width: 60, min: 56 },
    { key: 'stage', width: 80, min: 56 },
    { key: 'due', width: 100, min: 96 },
  ];

  it('leaves columns that fit alone', () => {
    expect(capWidths(cols, 420)).toBeNull();
    expect(capWidths(cols, 1000)).toBeNull();
    expect(capWidths([], 10)).toBeNull();
  });

  it('takes the width from the widest column first', () => {
    const m = capWidths(cols, 400)!;
    expect(sum(m)).toBe(400);
    expect(m.get('customer')).toBe(160);
    expect(m.get('product')).toBe(60);
    expect(m.get('stage')).toBe(80);
    expect(m.get('due')).toBe(100);
  });

  it('brings the widest down to one cap, never under a column’s minimum', () => {
    // cap 72: 72 + 60 + 72 + 96 = 300; cap 73 would need 302
    const m = capWidths(cols, 300)!;
    expect(Object.fromEntries(m)).toEqual({ customer: 72, product: 60, stage: 72, due: 96 });
  });

  it('gives every column its minimum when even that does not fit', () => {
    const m = capWidths(cols, 100)!;
    expect([...m.values()]).toEqual([56, 56, 56, 96]);
  });
});
