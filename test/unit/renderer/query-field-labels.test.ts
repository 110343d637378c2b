import type { i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldLabel } from '../../../renderer/src/components/query-fields';
import { QUERY_FIELDS, type QueryField } from '../../../shared/api/grid';
import { loadTranslations, type Translate } from '../../support/i18n';

let inst: i18n;
let tr: (lng: string) => Translate;
beforeAll(async () => {
  // no fallback language: a name missing in one language shows up as its key
  ({ inst, tr } = await loadTranslations(false));
});

describe('高级查询 field names', () => {
  it('name every query field in both languages, never by its key', () => {
    expect(inst).toBeTruthy();
    for (const lng of ['zh-CN', 'en']) {
      const t = tr(lng);
      const unnamed = (Object.keys(QUERY_FIELDS) as QueryField[]).filter((f) => {
        const label = fieldLabel(t, f);
        return label.length === 0 || label.includes('.') || label === f;
      });
      expect(unnamed, lng).toEqual([]);
    }
  });
});
