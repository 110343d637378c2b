/**
 * Masking of an import preview. Whoever runs imports (the administrator) has no customer access, so
 * the preview shows whether a file maps right (lengths, the visible ends, good or rejected) without
 * the identifiers themselves: the same masks as every other screen, chosen by the field a column fills.
 */
import type { PreviewResult, PreviewRow } from './api/imports';
import type { ImportKind } from './imports';
import { maskAccountNo, maskIdNo, maskName, maskPhone, maskText } from './mask';

type Mask = (v: string | null) => string | null;

const BY_FIELD: Record<string, Mask> = {
  id_no: maskIdNo,
  mobile: maskPhone,
  phone: maskPhone,
  email: maskText,
  address: maskText,
  postcode: maskText,
  employer: maskText,
  legal_rep: maskName,
  account_no: maskAccountNo,
  counterparty_account: maskAccountNo,
  counterparty_name: maskName,
};

/** Fields that are personal only in some extracts: a customer's name, not a branch's or a product's. */
const BY_KIND: Partial<Record<ImportKind, Record<string, Mask>>> = {
  customers: { name: maskName },
};

function maskerFor(kind: ImportKind, field: string): Mask | undefined {
  return BY_KIND[kind]?.[field] ?? BY_FIELD[field];
}

/**
 * A rejected row's value as shown outside the preview (the job's rejects view, a failed job's message):
 * masked by the field it was meant for, like the preview. Values not tied to a field are counts.
 */
export function maskRejectValue(kind: ImportKind, field: string | null, value: string | null): string | null {
  if (!field || value === null) return value;
  return maskerFor(kind, field.split('+')[0]!)?.(value) ?? value;
}

export function maskPreviewRow(row: PreviewRow, kind: ImportKind): PreviewRow {
  const values: Record<string, string | null> = {};
  for (const [field, v] of Object.entries(row.values)) values[field] = maskerFor(kind, field)?.(v) ?? v;
  // A reject not tied to one field (a short row, a bad line) may carry any of the line's text.
  const reject = row.reject && {
    ...row.reject,
    value: row.reject.field
      ? (maskerFor(kind, row.reject.field)?.(row.reject.value) ?? row.reject.value)
      : maskText(row.reject.value),
  };
  return { ...row, values, reject };
}

export function maskPreview(result: PreviewResult, kind: ImportKind): PreviewResult {
  return { ...result, rows: result.rows.map((r) => maskPreviewRow(r, kind)) };
}
