import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InboxFile, PreviewResult, ProfileRow } from '../../../shared/api';
import {
  ENCODINGS,
  IMPORT_FIELDS,
  IMPORT_KINDS,
  profileSchema,
  type ColumnMapping,
  type ImportKind,
  type ImportProfile,
} from '../../../shared/imports';
import { api, toApiError, type ApiError } from '../api/client';
import { PreviewTable } from './ImportPreviewTable';
import { Modal, useErrorText } from './ui';

/** One editable line per store field of the kind; a field with no source and no constant is not imported. */
interface FieldDraft {
  field: string;
  source: string;
  start: string;
  width: string;
  format: string;
  values: string;
  constant: string;
  /** The file may leave the column out (then the field is not imported). */
  optional: boolean;
}

const FORMATS: Record<string, string[]> = {
  date: ['auto', 'YYYYMMDD', 'YYYY-MM-DD', 'YYYY/MM/DD'],
  datetime: ['auto', 'YYYYMMDDHHmmss', 'YYYY-MM-DD HH:mm:ss'],
  amount: ['yuan', 'fen'],
  rate: ['percent', 'decimal'],
};
/** Formats of single fields beyond their type's: a 15-digit legacy ID kept as issued instead of upgraded. */
const FIELD_FORMATS: Record<string, string[]> = { id_no: ['keep15'] };
const formatsOf = (field: string, type: string) => FIELD_FORMATS[field] ?? FORMATS[type];

/** "借=D; 贷=C" <-> {借: 'D', 贷: 'C'} */
function valuesText(v: Record<string, string> | undefined): string {
  return v
    ? Object.entries(v)
        .map(([a, b]) => `${a}=${b}`)
        .join('; ')
    : '';
}
function parseValues(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of s.split(/[;；\n]/)) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

function draftsFor(kind: ImportKind, columns: ColumnMapping[]): FieldDraft[] {
  return Object.keys(IMPORT_FIELDS[kind]).map((field) => {
    const c = columns.find((x) => x.field === field);
    return {
      field,
      source: c?.source === undefined ? '' : String(c.source),
      start: c?.start === undefined ? '' : String(c.start),
      width: c?.width === undefined ? '' : String(c.width),
      format: c?.format ?? '',
      values: valuesText(c?.values),
      constant: c?.constant ?? '',
      optional: c?.optional === true,
    };
  });
}

function toProfile(base: Omit<ImportProfile, 'columns'>, drafts: FieldDraft[]): ImportProfile {
  const columns: ColumnMapping[] = [];
  for (const d of drafts) {
    const mapped = base.format === 'fixed' ? d.start !== '' && d.width !== '' : d.source.trim() !== '';
    if (!mapped && d.constant === '') continue;
    const c: ColumnMapping = { field: d.field };
    if (mapped) {
      if (base.format === 'fixed') {
        c.start = Number(d.start);
        c.width = Number(d.width);
      } else c.source = /^\d+$/.test(d.source.trim()) ? Number(d.source.trim()) : d.source.trim();
    } else c.constant = d.constant;
    if (d.format) c.format = d.format;
    if (d.optional && mapped && base.format !== 'fixed') c.optional = true;
    const v = parseValues(d.values);
    if (v) c.values = v;
    columns.push(c);
  }
  return { ...base, columns };
}

/** 导入方案编辑: map a file's columns to store fields, see the first rows as they will be stored, save. */
export function ProfileEditor({
  row,
  copy,
  files,
  onClose,
  onSaved,
}: {
  row: ProfileRow | null;
  copy: boolean;
  files: InboxFile[];
  onClose: () => void;
  onSaved: (row: ProfileRow) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const errorText = useErrorText();
  const start = row?.profile;
  const [base, setBase] = useState<Omit<ImportProfile, 'columns'>>(() => {
    if (!start)
      return { name: '', kind: 'customers', format: 'delimited', encoding: 'auto', delimiter: ',', header: true };
    const { columns: _c, ...rest } = start;
    return { ...rest, name: copy ? `${rest.name} ${t('imports.copySuffix')}` : rest.name };
  });
  const [drafts, setDrafts] = useState<FieldDraft[]>(() => draftsFor(start?.kind ?? 'customers', start?.columns ?? []));
  const [file, setFile] = useState('');
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const profile = useMemo(() => toProfile(base, drafts), [base, drafts]);
  const valid = profileSchema.safeParse(profile);
  const fields = IMPORT_FIELDS[base.kind];

  const set = <K extends keyof typeof base>(k: K, v: (typeof base)[K]) => {
    setBase((b) => ({ ...b, [k]: v }));
    setPreview(null);
  };
  const setDraft = (i: number, patch: Partial<FieldDraft>) => {
    setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)));
    setPreview(null);
  };

  async function doPreview() {
    if (!file || !valid.success) return;
    setBusy(true);
    setError(undefined);
    try {
      setPreview(await api('imports.preview', { file, source: { profile }, rows: 20 }));
    } catch (e) {
      setPreview(null);
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    if (!valid.success) return;
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api('imports.profiles.save', { ...(row && !copy ? { id: row.id } : {}), profile });
      onSaved(saved);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={row && !copy ? t('imports.editProfile') : t('imports.newProfile')}
      onClose={onClose}
      testId="profile-editor"
      wide
    >
      <div className="form-rows">
        <label htmlFor={`${id}-name`}>{t('imports.profileName')}</label>
        <input
          id={`${id}-name`}
          data-testid="profile-name"
          value={base.name}
          maxLength={64}
          onChange={(e) => set('name', e.target.value)}
        />
        <label htmlFor={`${id}-kind`}>{t('imports.kind')}</label>
        <select
          id={`${id}-kind`}
          data-testid="profile-kind"
          value={base.kind}
          onChange={(e) => {
            const kind = e.target.value as ImportKind;
            set('kind', kind);
            setDrafts(draftsFor(kind, []));
          }}
        >
          {IMPORT_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`imports.kinds.${k}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-format`}>{t('imports.format')}</label>
        <select
          id={`${id}-format`}
          data-testid="profile-format"
          value={base.format}
          onChange={(e) => set('format', e.target.value as ImportProfile['format'])}
        >
          {(['delimited', 'fixed', 'xlsx'] as const).map((f) => (
            <option key={f} value={f}>
              {t(`imports.formats.${f}`)}
            </option>
          ))}
        </select>
        {base.format !== 'xlsx' && (
          <>
            <label htmlFor={`${id}-enc`}>{t('imports.encoding')}</label>
            <select
              id={`${id}-enc`}
              value={base.encoding}
              onChange={(e) => set('encoding', e.target.value as ImportProfile['encoding'])}
            >
              <option value="auto">{t('imports.encodingAuto')}</option>
              {ENCODINGS.map((en) => (
                <option key={en} value={en}>
                  {en.toUpperCase()}
                </option>
              ))}
            </select>
          </>
        )}
        {base.format === 'delimited' && (
          <>
            <label htmlFor={`${id}-delim`}>{t('imports.delimiter')}</label>
            <select
              id={`${id}-delim`}
              data-testid="profile-delimiter"
              value={base.delimiter ?? ','}
              onChange={(e) => set('delimiter', e.target.value)}
            >
              {[',', '\t', '|', ';', '^', '~'].map((d) => (
                <option key={d} value={d}>
                  {t(
                    `imports.delimiters.${d === '\t' ? 'tab' : d === ',' ? 'comma' : d === '|' ? 'pipe' : d === ';' ? 'semicolon' : d === '^' ? 'caret' : 'tilde'}`,
                  )}
                </option>
              ))}
            </select>
          </>
        )}
        {base.format === 'xlsx' && (
          <>
            <label htmlFor={`${id}-sheet`}>{t('imports.sheet')}</label>
            <input
              id={`${id}-sheet`}
              value={base.sheet === undefined ? '' : String(base.sheet)}
              onChange={(e) =>
                set('sheet', /^\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value || undefined)
              }
            />
          </>
        )}
        <label htmlFor={`${id}-header`}>{t('imports.header')}</label>
        <input
          id={`${id}-header`}
          type="checkbox"
          checked={base.header}
          onChange={(e) => set('header', e.target.checked)}
        />
        <label htmlFor={`${id}-skip`}>{t('imports.skipLines')}</label>
        <input
          id={`${id}-skip`}
          inputMode="numeric"
          value={base.skipLines ?? 0}
          onChange={(e) => set('skipLines', /^\d+$/.test(e.target.value) ? Math.min(100, Number(e.target.value)) : 0)}
        />
      </div>
      <div className="table-wrap">
        <table className="data-table mapping" data-testid="profile-columns">
          <thead>
            <tr>
              <th scope="col">{t('imports.field')}</th>
              {base.format === 'fixed' ? (
                <>
                  <th scope="col">{t('imports.startPos')}</th>
                  <th scope="col">{t('imports.width')}</th>
                </>
              ) : (
                <th scope="col">{t('imports.sourceColumn')}</th>
              )}
              <th scope="col">{t('imports.valueFormat')}</th>
              <th scope="col">{t('imports.valueMap')}</th>
              <th scope="col">{t('imports.constant')}</th>
              {base.format !== 'fixed' && <th scope="col">{t('imports.optional')}</th>}
            </tr>
          </thead>
          <tbody>
            {drafts.map((d, i) => {
              const spec = fields[d.field]!;
              const label = t(`importFields.${d.field}`, { defaultValue: d.field });
              return (
                <tr key={d.field} data-testid="mapping-row" data-field={d.field}>
                  <th scope="row">
                    {label}
                    {(spec.required || spec.key) && (
                      <>
                        <span className="required" aria-hidden="true">
                          {' '}
                          *
                        </span>
                        <span className="visually-hidden">{t('imports.required')}</span>
                      </>
                    )}
                    {spec.key && <span className="badge">{t('imports.key')}</span>}
                  </th>
                  {base.format === 'fixed' ? (
                    <>
                      <td>
                        <input
                          aria-label={`${label} ${t('imports.startPos')}`}
                          inputMode="numeric"
                          size={5}
                          value={d.start}
                          onChange={(e) => setDraft(i, { start: e.target.value.replace(/\D/g, '') })}
                        />
                      </td>
                      <td>
                        <input
                          aria-label={`${label} ${t('imports.width')}`}
                          inputMode="numeric"
                          size={5}
                          value={d.width}
                          onChange={(e) => setDraft(i, { width: e.target.value.replace(/\D/g, '') })}
                        />
                      </td>
                    </>
                  ) : (
                    <td>
                      <input
                        aria-label={`${label} ${t('imports.sourceColumn')}`}
                        data-testid={`mapping-source-${d.field}`}
                        value={d.source}
                        maxLength={128}
                        onChange={(e) => setDraft(i, { source: e.target.value })}
                      />
                    </td>
                  )}
                  <td>
                    {formatsOf(d.field, spec.type) ? (
                      <select
                        aria-label={`${label} ${t('imports.valueFormat')}`}
                        value={d.format}
                        onChange={(e) => setDraft(i, { format: e.target.value })}
                      >
                        <option value="">{t('imports.formatDefault')}</option>
                        {formatsOf(d.field, spec.type)!.map((f) => (
                          <option key={f} value={f}>
                            {t(`imports.valueFormats.${f}`, { defaultValue: f })}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    {spec.type === 'enum' || spec.type === 'flag' || spec.type === 'text' ? (
                      <input
                        aria-label={`${label} ${t('imports.valueMap')}`}
                        placeholder={spec.values ? spec.values.join(' / ') : ''}
                        value={d.values}
                        onChange={(e) => setDraft(i, { values: e.target.value })}
                      />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <input
                      aria-label={`${label} ${t('imports.constant')}`}
                      value={d.constant}
                      maxLength={256}
                      onChange={(e) => setDraft(i, { constant: e.target.value })}
                    />
                  </td>
                  {base.format !== 'fixed' && (
                    <td>
                      {spec.required || spec.key ? (
                        <span className="muted">—</span>
                      ) : (
                        <input
                          type="checkbox"
                          aria-label={`${label} ${t('imports.optional')}`}
                          checked={d.optional}
                          onChange={(e) => setDraft(i, { optional: e.target.checked })}
                          data-testid="mapping-optional"
                        />
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted">{t('imports.mappingHelp')}</p>
      {base.format !== 'fixed' && <p className="muted">{t('imports.optionalHelp')}</p>}
      {base.kind === 'customers' && (
        <p className="muted" data-testid="profile-two-step">
          {t('imports.twoStepHelp')}
        </p>
      )}
      <div className="actions">
        <label htmlFor={`${id}-pfile`}>{t('imports.previewWith')}</label>
        <select
          id={`${id}-pfile`}
          data-testid="profile-preview-file"
          value={file}
          onChange={(e) => setFile(e.target.value)}
        >
          <option value="">{t('imports.chooseFile')}</option>
          {files.map((f) => (
            <option key={f.name} value={f.name}>
              {f.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn"
          data-testid="profile-preview"
          disabled={!file || !valid.success || busy}
          onClick={() => void doPreview()}
        >
          {t('imports.preview')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="profile-save"
          disabled={!valid.success || busy}
          onClick={() => void save()}
        >
          {t('common.save')}
        </button>
      </div>
      {!valid.success && <p className="status status-error">{t('imports.profileIncomplete')}</p>}
      {error && (
        <p className="status status-error" role="alert" data-testid="profile-error">
          {errorText(error)}
        </p>
      )}
      {preview && <PreviewTable preview={preview} profile={{ profile }} />}
    </Modal>
  );
}
