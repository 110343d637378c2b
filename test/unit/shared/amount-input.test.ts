import { describe, expect, it } from 'vitest';
import { parseAmountInput } from '../../../shared/money';

/** The AUM range as branch users type it: plain yuan, separators, 万 and 亿, full-width digits. */
describe('parseAmountInput', () => {
  it.each([
    ['500000', '500000.00'],
    ['500,000', '500000.00'],
    ['500，000.5', '500000.50'],
    ['50万', '500000.00'],
    ['50 万元', '500000.00'],
    ['1.5万', '15000.00'],
    ['0.000001万', '0.01'],
    ['2亿', '200000000.00'],
    ['３０万', '300000.00'],
    ['12w', '120000.00'],
    ['100元', '100.00'],
    ['0', '0.00'],
    ['007', '7.00'],
  ])('%s is %s yuan', (typed, yuan) => {
    expect(parseAmountInput(typed)).toBe(yuan);
  });

  it('reads a blank box as no bound', () => {
    expect(parseAmountInput('  ')).toBe('');
  });

  it.each(['abc', '5万5', '-3', '1.234', '0.0000001万', '万', '1e6', '50万万', '1.2.3'])('refuses %s', (typed) => {
    expect(parseAmountInput(typed)).toBeNull();
  });
});
