import { useTranslation } from 'react-i18next';
import type { PreviewResult, ProfileRow } from '../../../shared/api';

// Shared by the import page and the profile editor: both preview a file through a profile before anything is written.
export function PreviewTable({
  preview,
  profile,
}: {
  preview: PreviewResult;
  profile: ProfileRow | { profile: ProfileRow['profile'] };
}) {
  const { t } = useTranslation();
  const p = profile.profile;
  const shown = preview.rows.filter((r) => r.reject).length;
  return (
    <div className="preview" data-testid="import-preview-table">
      <p className="muted">
        <span data-testid="preview-counts" data-good={preview.counts.good} data-bad={preview.counts.bad}>
          {t('imports.previewCounts', { ...preview.counts, shown })}
        </span>
        {preview.sheet && ` · ${t('imports.sheet')}: ${preview.sheet.name}`}
      </p>
      <div className="table-wrap">
        <table className="data-table nowrap-table">
          <thead>
            <tr>
              <th scope="col">{t('imports.line')}</th>
              <th scope="col">{t('imports.problem')}</th>
              {p.columns.map((c) => (
                <th key={c.field} scope="col" title={c.field}>
                  {t(`importFields.${c.field}`, { defaultValue: c.field })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => (
              <tr
                key={r.line}
                className={r.reject ? 'row-rejected' : undefined}
                data-testid="preview-row"
                data-rejected={r.reject ? 'true' : 'false'}
              >
                <td className="tabular">{r.line}</td>
                <td>
                  {r.reject ? (
                    <RejectText reject={r.reject} />
                  ) : (
                    <span className="status-pill pill-ok">{t('imports.rowOk')}</span>
                  )}
                </td>
                {p.columns.map((c) => (
                  <td key={c.field} className={r.reject?.field === c.field ? 'cell-bad' : undefined}>
                    {r.values[c.field] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RejectText({
  reject,
}: {
  reject: { field: string | null; column: number | null; value: string | null; reason: string };
}) {
  const { t } = useTranslation();
  const field = reject.field ? t(`importFields.${reject.field}`, { defaultValue: reject.field }) : '';
  return (
    <span className="status-pill pill-warn">
      {field && `${field}: `}
      {t(`imports.reasons.${reject.reason}`)}
      {reject.value !== null && reject.value !== '' && ` (${reject.value})`}
      {reject.column !== null && ` · ${t('imports.columnN', { n: reject.column })}`}
    </span>
  );
}

interface Where {
  line: number;
  column: number | null;
  field: string | null;
  value: string | null;
  reason: string;
}

function isWhere(v: unknown): v is Where {
  const w = v as Where;
  return typeof w === 'object' && w !== null && typeof w.line === 'number' && typeof w.reason === 'string';
}

/**
 * Where a refused file went wrong: the first rejected rows a failed job's error carries (details.first),
 * each with file, line, column, field, value and reason, under the job's message.
 */
export function RejectsWhere({ details }: { details: Record<string, unknown> }) {
  const { t } = useTranslation();
  const first = Array.isArray(details.first) ? details.first.filter(isWhere) : [];
  if (first.length === 0) return null;
  const file = typeof details.file === 'string' ? details.file : null;
  return (
    <div className="small" data-testid="rejects-where">
      {t('imports.firstRejects', { n: first.length })}
      <ul>
        {first.map((w) => (
          <li key={`${w.line}-${w.column ?? ''}-${w.field ?? ''}`} data-testid="rejects-where-row">
            {file && `${file} · `}
            {t('imports.lineN', { n: w.line })}
            {' · '}
            <RejectText reject={w} />
          </li>
        ))}
      </ul>
    </div>
  );
}
