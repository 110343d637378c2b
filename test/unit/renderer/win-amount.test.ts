import { describe, expect, it } from 'vitest';
import { parseWinAmount } from '../../../renderer/src/pages/opportunities/win-amount';

describe('确认成交: the amount as typed', () => {
  it('reads yuan with grouping and two decimals, and 万 exactly', () => {
    expect(parseWinAmount('200000')).toEqual({ ok: true, yuan: '200000.00' });
    expect(parseWinAmount(' 200,000.5 ')).toEqual({ ok: true, yuan: '200000.50' });
    expect(parseWinAmount('50万')).toEqual({ ok: true, yuan: '500000.00' });
    expect(parseWinAmount('1.2345万元')).toEqual({ ok: true, yuan: '12345.00' });
    expect(parseWinAmount('0.000001万')).toEqual({ ok: true, yuan: '0.01' });
    expect(parseWinAmount('9999999999999.99')).toEqual({ ok: true, yuan: '9999999999999.99' });
  });
  it('refuses empty, zero, letters, three decimals and amounts past the store', () => {
    expect(parseWinAmount('  ')).toEqual({ ok: false, problem: 'required' });
    for (const bad of ['0', '0.00', 'abc', '12.345', '-5', '1e5', '0.0000001万', '10000000000000', '5万万'])
      expect(parseWinAmount(bad), bad).toEqual({ ok: false, problem: 'invalid' });
  });
});
