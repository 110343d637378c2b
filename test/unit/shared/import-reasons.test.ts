import { describe, expect, it } from 'vitest';
import { en, type Tree, zhCN } from '../../../renderer/src/i18n/resources';
import { REJECT_REASONS } from '../../../shared/imports';

const reasons = (t: Tree) => (t.imports as Tree).reasons as Record<string, string>;

describe('import reject reasons', () => {
  it('every reason a row can be rejected for has a text in both languages', () => {
    for (const r of REJECT_REASONS) {
      expect(reasons(zhCN)[r], `zh-CN ${r}`).toBeTruthy();
      expect(reasons(en)[r], `en ${r}`).toBeTruthy();
    }
  });
});
