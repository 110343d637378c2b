import { describe, expect, it } from 'vitest';
import type { PreviewRow } from '../../../shared/api/imports';
import { maskPreview, maskPreviewRow, maskRejectValue } from '../../../shared/import-preview-mask';

const row = (values: Record<string, string | null>, reject: PreviewRow['reject'] = null): PreviewRow => ({
  line: 2,
  values,
  reject,
});

describe('import preview masking', () => {
  it('masks a customer file’s identifiers and keeps the visible ends', () => {
    const r = maskPreviewRow(
      row({
        customer_no: 'C0001',
        name: '𠮷新客',
        id_no: '110108195008026868',
        mobile: '13812345678',
        address: '北京市海淀区中关村大街1号',
        employer: '某某科技有限公司',
        opened_on: '2024-01-02',
      }),
      'customers',
    );
    expect(r.values).toEqual({
      customer_no: 'C0001',
      name: '𠮷**',
      id_no: '110108********6868',
      mobile: '138****5678',
      address: '北京********',
      employer: '某某******',
      opened_on: '2024-01-02',
    });
  });

  it('keeps the names of branches and products, which are not personal', () => {
    expect(maskPreviewRow(row({ code: 'B01', name: '示范支行' }), 'branches').values.name).toBe('示范支行');
  });

  it('masks a rejected value by its field, and a reject with no field as free text', () => {
    const byField = maskPreviewRow(
      row({}, { field: 'id_no', column: 4, value: '110108195008026860', reason: 'too_long' }),
      'customers',
    );
    expect(byField.reject?.value).toBe('110108********6860');
    const noField = maskPreviewRow(
      row({}, { field: null, column: null, value: '王小明,110108195008026868', reason: 'field_count' }),
      'customers',
    );
    expect(noField.reject?.value).toBe('王小********');
  });
});

describe('masking outside the preview', () => {
  it('a reject value is masked by its field; counts (no field) stay', () => {
    expect(maskRejectValue('customers', 'id_no', '110108195008026868')).toBe(
      maskPreviewRow(row({ id_no: '110108195008026868' }), 'customers').values.id_no,
    );
    expect(maskRejectValue('customers', 'id_no', '110108195008026868')).not.toContain('19500802');
    expect(maskRejectValue('customers', 'mobile', '1735576581X')).not.toBe('1735576581X');
    expect(maskRejectValue('customers', 'opened_on', '20240230')).toBe('20240230');
    expect(maskRejectValue('customers', null, '9')).toBe('9');
  });

  it('the whole preview keeps its counts', () => {
    const result = {
      header: null,
      rows: [row({ id_no: '110108195008026868' })],
      counts: { read: 3, good: 2, bad: 1 },
      encoding: null,
      detected: null,
      sheet: null,
    };
    expect(maskPreview(result, 'customers').counts).toEqual({ read: 3, good: 2, bad: 1 });
  });
});
