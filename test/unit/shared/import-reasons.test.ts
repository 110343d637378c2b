import { describe, expect, it } from 'vitest';
import { en, type Tree, zhCN } from '../../../shared/i18n/resources';
import { REASON_TEXT } from '../../../main/jobs/engine/reasons';
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

describe('the rejects file’s reasons (main process)', () => {
  it('say the same as the screens, in both languages', () => {
    for (const r of REJECT_REASONS) {
      expect(REASON_TEXT['zh-CN'][r], `zh-CN ${r}`).toBe(reasons(zhCN)[r]);
      expect(REASON_TEXT.en[r], `en ${r}`).toBe(reasons(en)[r]);
    }
  });
});
