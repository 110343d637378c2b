import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { yuanToFen } from '../../../shared/money';
import {
  fenToApiYuan,
  formatMoneyInput,
  groupWhileTyping,
  type MoneyUnit,
  parseMoneyInput,
} from '../../../shared/money-input';

const units: MoneyUnit[] = ['yuan', 'wan'];
// amounts up to 10^15 fen (10 trillion yuan): far past 2^53, where a float would drift
const fen = fc.bigInt({ min: 0n, max: 10n ** 15n });

describe('money boxes: grouped text and exact fen', () => {
  it('reads back every amount it writes, to the fen, in 元 and in 万元', () => {
    fc.assert(
      fc.property(fen, fc.constantFrom(...units), (f, unit) => {
        const text = formatMoneyInput(f, unit);
        expect(parseMoneyInput(text, unit)).toBe(f);
        // and what it writes is its own canonical form
        expect(formatMoneyInput(parseMoneyInput(text, unit)!, unit)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the same amount from the raw digits, the grouped text and the text being typed', () => {
    fc.assert(
      fc.property(fen, (f) => {
        const raw =
          fenToApiYuan(f)
            .replace(/\.?0+$/, '')
            .replace(/\.$/, '') || '0';
        const plain = f % 100n === 0n ? (f / 100n).toString() : fenToApiYuan(f);
        expect(parseMoneyInput(plain)).toBe(f);
        const typed = groupWhileTyping(plain, plain.length);
        expect(parseMoneyInput(typed.text)).toBe(f);
        expect(typed.caret).toBe(typed.text.length);
        expect(yuanToFen(fenToApiYuan(f))).toBe(f);
        expect(parseMoneyInput(raw)).toBe(f);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the caret after the digit just typed while the groups move', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{0,14}$/), fc.nat(), (digits, at) => {
        const caret = at % (digits.length + 1);
        const g = groupWhileTyping(digits, caret);
        expect(g.text.replace(/,/g, '')).toBe(digits);
        expect(g.text.slice(0, g.caret).replace(/,/g, '')).toBe(digits.slice(0, caret));
      }),
    );
  });

  it('groups by thousands and drops decimals that carry nothing', () => {
    expect(formatMoneyInput(20_000_000n)).toBe('200,000');
    expect(formatMoneyInput(12_345n)).toBe('123.45');
    expect(formatMoneyInput(10n)).toBe('0.1');
    expect(formatMoneyInput(20_000_000n, 'wan')).toBe('20');
    expect(formatMoneyInput(20_050_000n, 'wan')).toBe('20.05');
    expect(formatMoneyInput(1n, 'wan')).toBe('0.000001');
    expect(groupWhileTyping('2000000', 7)).toEqual({ text: '2,000,000', caret: 9 });
    expect(groupWhileTyping('1,0000', 6)).toEqual({ text: '10,000', caret: 6 });
  });

  it('reads what a branch user types and refuses what is not an amount', () => {
    expect(parseMoneyInput('200,000')).toBe(20_000_000n);
    expect(parseMoneyInput(' ２０万 ')).toBe(20_000_000n);
    expect(parseMoneyInput('1.5万元')).toBe(1_500_000n);
    expect(parseMoneyInput('0.1')).toBe(10n);
    expect(parseMoneyInput('0.29')).toBe(29n); // 0.29 * 100 is 28.999999999999996 in floats
    expect(parseMoneyInput('20', 'wan')).toBe(20_000_000n);
    expect(parseMoneyInput('20万', 'wan')).toBe(20_000_000n);
    for (const bad of ['', 'abc', '-5', '1.2.3', '1.234', '5万5', '20元万']) expect(parseMoneyInput(bad)).toBeNull();
    expect(parseMoneyInput('20元', 'wan')).toBeNull();
    expect(parseMoneyInput('0.0000001', 'wan')).toBeNull();
  });
});
