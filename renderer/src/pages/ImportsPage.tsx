import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActiveJob, JobRow, PreviewResult, ProfileRow } from '../../../shared/api';
import { ENCODINGS, type Encoding } from '../../../shared/imports';
import type { ErrorCode } from '../../../shared/errors';
import { api, ApiError, saveBlob, toApiError } from '../api/client';
import { useApi } from '../api/use-api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading, Modal, Pager, useErrorText } from '../components/ui';
import { PreviewTable, RejectsWhere } from '../components/ImportPreviewTable';
import { ProfileEditor } from '../components/ProfileEditor';
import { count, dateTime } from '../format';
import { currentLanguage } from '../i18n';

const HISTORY_PAGE = 20;

/** Saves a file the API returned as base64. */
function saveFile(name: string, base64: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  saveBlob(new Blob([bytes]), name);
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** 数据导入: run the nightly extracts, watch them, fix their rejects, revert a bad load; edit profiles. */
export function ImportsPage() {
  const { t } = useTranslation();
  const [historyOffset, setHistoryOffset] = useState(0);
  const [tick, setTick] = useState(0);
  const profiles = useApi('imports.profiles.list', {}, {});
  const files = useApi('imports.files', {});
  const inbox = useApi('imports.inbox', {});
  const history = useApi('imports.history', { offset: historyOffset, limit: HISTORY_PAGE });
  const [active, setActive] = useState<ActiveJob[]>([]);
  const [editing, setEditing] = useState<{ row: ProfileRow | null; copy: boolean } | null>(null);
  const [rejectsOf, setRejectsOf] = useState<JobRow | null>(null);

  const reloadHistory = history.reload;
  // Poll the queue while anything is queued or running; refresh the history when a job finishes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick (bumped by a start) restarts the polling at once
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wasBusy = false;
    const poll = async () => {
      try {
        const jobs = await api('imports.active', {});
        if (!live) return;
        setActive(jobs);
        const busy = jobs.some((j) => j.state !== 'finished');
        if (wasBusy && !busy) reloadHistory();
        wasBusy = busy;
        timer = setTimeout(poll, busy ? 400 : 2000);
      } catch {
        if (live) timer = setTimeout(poll, 3000);
      }
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [tick, reloadHistory]);

  return (
    <section className="page" data-testid="imports-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.imports')}</h1>
      </header>
      {inbox.data && (
        <p className="muted" data-testid="import-inbox">
          {t('imports.inboxAt', { path: inbox.data.path })}{' '}
          {inbox.data.canOpen && (
            <button type="button" className="btn btn-ghost" onClick={() => void api('imports.openInbox', {})}>
              {t('imports.openInbox')}
            </button>
          )}
        </p>
      )}
      <NewImport
        profiles={profiles.data ?? []}
        files={files.data ?? []}
        onRefreshFiles={files.reload}
        onStarted={() => {
          setTick((x) => x + 1);
        }}
        onEditProfile={(row) => setEditing({ row, copy: row?.builtin ?? false })}
      />
      <section className="panel" aria-labelledby="jobs-title">
        <h2 id="jobs-title">{t('imports.activeTitle')}</h2>
        {active.length === 0 ? (
          <Empty text={t('imports.noActive')} />
        ) : (
          <ActiveJobs jobs={active} onChange={() => setTick((x) => x + 1)} />
        )}
      </section>
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">{t('imports.historyTitle')}</h2>
        <ErrorNotice error={history.error} onRetry={history.reload} />
        {history.loading && !history.data && <Loading />}
        {history.data &&
          (history.data.rows.length === 0 ? (
            <Empty text={t('imports.noHistory')} />
          ) : (
            <HistoryTable rows={history.data.rows} onChanged={history.reload} onRejects={setRejectsOf} />
          ))}
        {/* no "0–0 of 0" under "Nothing imported yet" */}
        {history.data && history.data.total > 0 && (
          <Pager
            offset={historyOffset}
            limit={HISTORY_PAGE}
            rows={history.data.rows.length}
            total={history.data.total}
            busy={history.loading}
            onOffset={setHistoryOffset}
          />
        )}
      </section>
      <section className="panel" aria-labelledby="profiles-title">
        <div className="panel-header">
          <h2 id="profiles-title">{t('imports.profilesTitle')}</h2>
          <button
            type="button"
            className="btn"
            data-testid="profile-new"
            onClick={() => setEditing({ row: null, copy: false })}
          >
            {t('imports.newProfile')}
          </button>
        </div>
        <ErrorNotice error={profiles.error} onRetry={profiles.reload} />
        {profiles.data && (
          <ProfilesTable
            rows={profiles.data}
            onEdit={(row, copy) => setEditing({ row, copy })}
            onChanged={profiles.reload}
          />
        )}
      </section>
      {editing && (
        <ProfileEditor
          row={editing.row}
          copy={editing.copy}
          files={files.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            profiles.reload();
          }}
        />
      )}
      {rejectsOf && <RejectsDialog job={rejectsOf} onClose={() => setRejectsOf(null)} />}
    </section>
  );
}

function NewImport({
  profiles,
  files,
  onRefreshFiles,
  onStarted,
  onEditProfile,
}: {
  profiles: ProfileRow[];
  files: { name: string; bytes: number; modifiedAt: string }[];
  onRefreshFiles: () => void;
  onStarted: () => void;
  onEditProfile: (row: ProfileRow | null) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const errorText = useErrorText();
  const [file, setFile] = useState('');
  const [profileId, setProfileId] = useState<number | ''>('');
  const [encoding, setEncoding] = useState<Encoding | ''>('');
  const [tolerance, setTolerance] = useState('0');
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [duplicate, setDuplicate] = useState<ActiveJob | null>(null);
  const profile = profiles.find((p) => p.id === profileId) ?? null;

  // Guess the profile from the file name (customers.csv -> the CIF profile) when none is chosen.
  useEffect(() => {
    if (!file || profileId !== '') return;
    const base = file.replace(/\.[^.]+$/, '').toLowerCase();
    const guess = profiles.find((p) => p.kind === base || p.kind.replace('_', '') === base.replace(/[_-]/g, ''));
    if (guess) setProfileId(guess.id);
  }, [file, profileId, profiles]);

  const tol = /^\d+$/.test(tolerance) ? Number(tolerance) : NaN;
  const ready = file !== '' && profileId !== '' && Number.isInteger(tol);

  async function doPreview() {
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    try {
      setPreview(
        await api('imports.preview', {
          file,
          source: { id: Number(profileId) },
          rows: 20,
          ...(encoding ? { encoding } : {}),
        }),
      );
    } catch (e) {
      setPreview(null);
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  async function start(allowDuplicate: boolean) {
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    try {
      const job = await api('imports.start', {
        file,
        source: { id: Number(profileId) },
        tolerance: tol,
        allowDuplicate,
        ...(encoding ? { encoding } : {}),
      });
      onStarted();
      // A file imported before comes back as a failed job at once: ask the user.
      for (let i = 0; i < 50; i++) {
        const jobs = await api('imports.active', {});
        const mine = jobs.find((j) => j.ticket === job.ticket);
        if (mine?.state !== 'queued') {
          if (mine?.state === 'finished' && mine.error?.code === 'IMPORT_DUPLICATE_FILE') setDuplicate(mine);
          if (mine?.state === 'running' || mine?.state === 'finished') break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="new-import">
      <h2 id={`${id}-title`}>{t('imports.newTitle')}</h2>
      <div className="form-rows">
        <label htmlFor={`${id}-file`}>{t('imports.file')}</label>
        <div className="row">
          <select
            id={`${id}-file`}
            data-testid="import-file"
            value={file}
            onChange={(e) => {
              setFile(e.target.value);
              setPreview(null);
            }}
          >
            <option value="">{t('imports.chooseFile')}</option>
            {files.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name} ({bytesText(f.bytes)}, {dateTime(f.modifiedAt)})
              </option>
            ))}
          </select>
          <button type="button" className="btn btn-ghost" onClick={onRefreshFiles}>
            {t('imports.refresh')}
          </button>
        </div>
        <label htmlFor={`${id}-profile`}>{t('imports.profile')}</label>
        <div className="row">
          <select
            id={`${id}-profile`}
            data-testid="import-profile"
            value={profileId}
            onChange={(e) => {
              setProfileId(e.target.value ? Number(e.target.value) : '');
              setPreview(null);
            }}
          >
            <option value="">{t('imports.chooseProfile')}</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} · {t(`imports.kinds.${p.kind}`)}
              </option>
            ))}
          </select>
          {profile && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="import-edit-profile"
              onClick={() => onEditProfile(profile)}
            >
              {profile.builtin ? t('imports.copyProfile') : t('imports.editProfile')}
            </button>
          )}
        </div>
        <label htmlFor={`${id}-enc`}>{t('imports.encoding')}</label>
        <div className="row">
          <select
            id={`${id}-enc`}
            data-testid="import-encoding"
            value={encoding}
            onChange={(e) => {
              setEncoding(e.target.value as Encoding | '');
              setPreview(null);
            }}
          >
            <option value="">{t('imports.encodingAuto')}</option>
            {ENCODINGS.map((en) => (
              <option key={en} value={en}>
                {en.toUpperCase()}
              </option>
            ))}
          </select>
          {preview?.detected && (
            <span className="muted" data-testid="import-detected">
              {t('imports.detected', {
                encoding: preview.detected.encoding.toUpperCase(),
                confidence: t(`imports.confidence.${preview.detected.confidence}`),
              })}
            </span>
          )}
        </div>
        <label htmlFor={`${id}-tol`}>{t('imports.tolerance')}</label>
        <div className="row">
          <input
            id={`${id}-tol`}
            data-testid="import-tolerance"
            inputMode="numeric"
            value={tolerance}
            onChange={(e) => setTolerance(e.target.value.trim())}
            aria-invalid={!Number.isInteger(tol)}
          />
          <span className="muted">{t('imports.toleranceHelp')}</span>
        </div>
      </div>
      <div className="actions">
        <button
          type="button"
          className="btn"
          data-testid="import-preview"
          disabled={!ready || busy}
          onClick={() => void doPreview()}
        >
          {t('imports.preview')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="import-start"
          disabled={!ready || busy}
          onClick={() => void start(false)}
        >
          {t('imports.start')}
        </button>
      </div>
      {error && (
        <p className="status status-error" role="alert" data-testid="import-error">
          {errorText(error)}
        </p>
      )}
      {preview && profile && <PreviewTable preview={preview} profile={profile} />}
      <Modal
        open={duplicate !== null}
        title={t('imports.duplicateTitle')}
        onClose={() => setDuplicate(null)}
        testId="import-duplicate"
      >
        {duplicate?.error && (
          <p>{errorText(new ApiError(duplicate.error.code as ErrorCode, duplicate.error.details))}</p>
        )}
        <p>{t('imports.duplicateAsk')}</p>
        <div className="actions">
          <button type="button" className="btn" onClick={() => setDuplicate(null)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="import-duplicate-confirm"
            onClick={() => {
              setDuplicate(null);
              void start(true);
            }}
          >
            {t('imports.importAnyway')}
          </button>
        </div>
      </Modal>
    </section>
  );
}

function ActiveJobs({ jobs, onChange }: { jobs: ActiveJob[]; onChange: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const lng = currentLanguage();
  return (
    <ul className="job-list" data-testid="active-jobs">
      {[...jobs].reverse().map((j) => (
        <li key={j.ticket} className="job" data-testid="active-job" data-state={j.state} data-status={j.status ?? ''}>
          <div className="job-head">
            <strong>{j.fileName}</strong>
            <span className="muted">
              {j.profileName}
              {j.jobId ? ` · ${t('imports.jobNo', { id: j.jobId })}` : ''}
            </span>
            <span className={`status-pill ${j.status === 'committed' ? 'pill-ok' : j.status ? 'pill-warn' : ''}`}>
              {j.status ? t(`imports.status.${j.status}`) : t(`imports.state.${j.state}`)}
            </span>
            {j.state !== 'finished' && (
              <button
                type="button"
                className="btn btn-ghost"
                data-testid="job-cancel"
                onClick={() => {
                  void api('imports.cancel', { ticket: j.ticket }).then(onChange, onChange);
                }}
              >
                {t('imports.cancel')}
              </button>
            )}
          </div>
          <progress max={1} value={j.fraction} aria-label={t('imports.progress')} />
          <div className="muted tabular" data-testid="job-figures">
            {t('imports.figures', {
              read: count(j.rowsRead, lng),
              written: count(j.rowsWritten, lng),
              rejected: count(j.rowsRejected, lng),
            })}
            {j.state === 'running' && j.rate !== null && ` · ${t('imports.rate', { rate: count(j.rate, lng) })}`}
            {j.state === 'running' && j.etaSeconds !== null && ` · ${t('imports.eta', { s: j.etaSeconds })}`}
          </div>
          {j.warnings.map((w) => (
            <p key={w.code} className="status-pill pill-warn" data-testid="job-warning">
              {t(`imports.warnings.${w.code}`, { roots: w.roots, branches: w.branches })}
            </p>
          ))}
          {j.error && j.state === 'finished' && (
            <div className="status status-error" data-testid="job-error">
              {errorText(new ApiError(j.error.code as ErrorCode, j.error.details))}
              <RejectsWhere details={j.error.details} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function HistoryTable({
  rows,
  onChanged,
  onRejects,
}: {
  rows: JobRow[];
  onChanged: () => void;
  onRejects: (j: JobRow) => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const lng = currentLanguage();
  const [confirm, setConfirm] = useState<JobRow | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  return (
    <>
      {error && (
        <p className="status status-error" role="alert">
          {errorText(error)}
        </p>
      )}
      <div className="table-wrap">
        <table className="data-table" data-testid="import-history">
          <thead>
            <tr>
              <th scope="col" className="nowrap">
                {t('imports.jobCol')}
              </th>
              <th scope="col">{t('imports.file')}</th>
              <th scope="col">{t('imports.profile')}</th>
              <th scope="col">{t('imports.statusCol')}</th>
              <th scope="col">{t('imports.rowsCol')}</th>
              <th scope="col">{t('imports.finishedAt')}</th>
              <th scope="col">{t('imports.by')}</th>
              <th scope="col">{t('imports.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((j) => (
              <tr key={j.id} data-testid="history-row" data-status={j.status} data-job={j.id}>
                <td className="tabular">{j.id}</td>
                {/* the file and its encoding on one line, at any width (they broke at " · " at 1920 in English) */}
                <td className="nowrap">
                  {j.fileName}
                  {j.encoding && <span className="muted"> · {j.encoding.toUpperCase()}</span>}
                </td>
                <td className="nowrap">{j.profileName}</td>
                <td>
                  <span
                    className={`status-pill ${j.status === 'committed' ? 'pill-ok' : j.status === 'reverted' ? 'pill-off' : 'pill-warn'}`}
                  >
                    {t(`imports.status.${j.status}`)}
                  </span>
                  {j.error && (
                    <div className="muted small">
                      {errorText(new ApiError(j.error.code as ErrorCode, j.error.details))}
                      <RejectsWhere details={j.error.details} />
                    </div>
                  )}
                </td>
                <td className="tabular">
                  <RowsSummary
                    text={t('imports.rowsSummary', {
                      read: count(j.rowsRead, lng),
                      inserted: count(j.rowsInserted, lng),
                      updated: count(j.rowsUpdated, lng),
                      unchanged: count(j.rowsUnchanged, lng),
                      rejected: count(j.rowsRejected, lng),
                    })}
                  />
                </td>
                <td className="nowrap tabular">{j.finishedAt ? dateTime(j.finishedAt) : '—'}</td>
                <td className="nowrap">{j.createdBy ?? t(`imports.source.${j.source}`)}</td>
                <td className="nowrap">
                  {j.rowsRejected > 0 && (
                    <button
                      type="button"
                      className="btn btn-ghost"
                      data-testid="history-rejects"
                      onClick={() => onRejects(j)}
                    >
                      {t('imports.rejects')}
                    </button>
                  )}
                  {j.revertible && (
                    <button
                      type="button"
                      className="btn btn-ghost"
                      data-testid="history-revert"
                      onClick={() => setConfirm(j)}
                    >
                      {t('imports.revert')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Modal
        open={confirm !== null}
        title={t('imports.revertTitle')}
        onClose={() => setConfirm(null)}
        testId="revert-confirm"
      >
        <p>{confirm && t('imports.revertAsk', { id: confirm.id, file: confirm.fileName })}</p>
        <div className="actions">
          <button type="button" className="btn" onClick={() => setConfirm(null)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-danger"
            data-testid="revert-confirm-button"
            onClick={() => {
              const j = confirm!;
              setConfirm(null);
              api('imports.revert', { jobId: j.id }).then(
                () => {
                  setError(undefined);
                  onChanged();
                },
                (e: unknown) => setError(toApiError(e)),
              );
            }}
          >
            {t('imports.revert')}
          </button>
        </div>
      </Modal>
    </>
  );
}

function RejectsDialog({ job, onClose }: { job: JobRow; onClose: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [offset, setOffset] = useState(0);
  const rejects = useApi('imports.rejects', { jobId: job.id, offset, limit: 50 });
  const [error, setError] = useState<ApiError | undefined>();
  return (
    <Modal
      open
      title={t('imports.rejectsTitle', { id: job.id, file: job.fileName })}
      onClose={onClose}
      testId="rejects-dialog"
      wide
    >
      <div className="actions">
        {job.hasRejectsFile && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="rejects-download"
            onClick={() => {
              api('imports.rejectsFile', { jobId: job.id }).then(
                (f) => saveFile(f.name, f.base64),
                (e: unknown) => setError(toApiError(e)),
              );
            }}
          >
            {t('imports.downloadRejects')}
          </button>
        )}
        <span className="muted">{t('imports.rejectsHelp')}</span>
      </div>
      {error && <p className="status status-error">{errorText(error)}</p>}
      <ErrorNotice error={rejects.error} onRetry={rejects.reload} />
      {rejects.data && (
        <>
          <table className="data-table" data-testid="rejects-table">
            <thead>
              <tr>
                <th scope="col">{t('imports.line')}</th>
                <th scope="col">{t('imports.column')}</th>
                <th scope="col">{t('imports.field')}</th>
                <th scope="col">{t('imports.value')}</th>
                <th scope="col">{t('imports.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {rejects.data.rows.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a page of the job's rejects in their order; a line can have several
                <tr key={`${offset + i}`} data-testid="reject-row">
                  <td className="tabular">{r.line}</td>
                  <td className="tabular">{r.column ?? '—'}</td>
                  <td>{r.field ? t(`importFields.${r.field}`, { defaultValue: r.field }) : '—'}</td>
                  <td className="mono">{r.value ?? ''}</td>
                  <td>{t(`imports.reasons.${r.reason}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            offset={offset}
            limit={50}
            rows={rejects.data.rows.length}
            total={rejects.data.total}
            busy={rejects.loading}
            onOffset={setOffset}
          />
        </>
      )}
    </Modal>
  );
}

function ProfilesTable({
  rows,
  onEdit,
  onChanged,
}: {
  rows: ProfileRow[];
  onEdit: (row: ProfileRow, copy: boolean) => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const sorted = useMemo(() => rows, [rows]);
  const [deleting, setDeleting] = useState<ProfileRow | null>(null);
  return (
    <div className="table-wrap">
      <ConfirmDialog
        open={deleting !== null}
        title={t('imports.deleteProfile')}
        text={deleting ? t('imports.deleteAsk', { name: deleting.name }) : ''}
        confirmLabel={t('imports.deleteProfile')}
        danger
        testId="profile-delete-confirm"
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const id = deleting?.id;
          setDeleting(null);
          if (id !== undefined) void api('imports.profiles.delete', { id }).then(onChanged, onChanged);
        }}
      />
      <table className="data-table" data-testid="profiles-table">
        <thead>
          <tr>
            <th scope="col">{t('imports.profileName')}</th>
            <th scope="col">{t('imports.kind')}</th>
            <th scope="col">{t('imports.format')}</th>
            <th scope="col">{t('imports.encoding')}</th>
            <th scope="col">{t('imports.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <tr key={p.id} data-testid="profile-row">
              <td>
                {p.name}
                {p.builtin && <span className="badge">{t('imports.builtin')}</span>}
              </td>
              <td>{t(`imports.kinds.${p.kind}`)}</td>
              <td>{t(`imports.formats.${p.profile.format}`)}</td>
              <td>{p.profile.encoding === 'auto' ? t('imports.encodingAuto') : p.profile.encoding.toUpperCase()}</td>
              <td className="nowrap">
                {!p.builtin && (
                  <button type="button" className="btn btn-ghost" onClick={() => onEdit(p, false)}>
                    {t('imports.editProfile')}
                  </button>
                )}
                <button
                  type="button"
                  className="btn btn-ghost"
                  data-testid="profile-copy"
                  onClick={() => onEdit(p, true)}
                >
                  {t('imports.copyProfile')}
                </button>
                {!p.builtin && (
                  <button
                    type="button"
                    className="btn btn-ghost"
                    data-testid="profile-delete"
                    onClick={() => setDeleting(p)}
                  >
                    {t('imports.deleteProfile')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "read 3 / new 2 / …": where the line must break, it breaks between counts, never inside "unchanged 0". */
function RowsSummary({ text }: { text: string }) {
  // each count with the separator after it ("read 3 / ", "读 3／"): breaks fall only between them
  const parts = text.split(/(?<=\/ |／)/);
  return (
    <>
      {parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed parts of one sentence
        <span key={i} className="nowrap" style={{ display: 'inline-block' }}>
          {p.trimEnd()}
          {p !== p.trimEnd() && '\u00a0'}
        </span>
      ))}
    </>
  );
}
