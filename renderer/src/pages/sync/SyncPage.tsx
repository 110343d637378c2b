import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncConflictView, SyncMembershipView } from '../../../../shared/api/sync';
import { api, type ApiError } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { dateTime } from '../../format';
import { useCan } from '../../session';
import { conflictAction, conflictWhy, syncReasonText } from './sync-text';

/**
 * 网点协同: the sync state and the signed-in user's 同步冲突 list (who did what, when, and why it did
 * not hold, in plain words) for everyone; for the administrator also this PC's membership (join with
 * the one-time code, or leave: local work is kept either way) and the branch's enrolled PCs with their
 * last sync and queue.
 */
export function SyncPage() {
  const { t } = useTranslation();
  const admin = useCan('job.manage');
  const status = useApi('sync.status', {});
  const s = status.data;
  return (
    <section className="page sync-page" data-testid="sync-page">
      <h1>{t('sync.page.title')}</h1>
      {status.loading && !s && <Loading />}
      <ErrorNotice error={status.error} onRetry={status.reload} />
      {s && (
        <section className="panel" aria-labelledby="sync-state-title">
          <h2 id="sync-state-title">{t('sync.page.statusTitle')}</h2>
          {s.state === 'standalone' ? (
            <p data-testid="sync-standalone">{t('sync.page.standalone')}</p>
          ) : (
            <p className={`sync-line sync-${s.state}`} data-testid="sync-line">
              <strong>
                {s.state === 'synced'
                  ? t('sync.header.synced')
                  : s.state === 'offline'
                    ? t('sync.header.offline', { count: s.queued })
                    : t('sync.header.errorWith', { reason: syncReasonText(t, s.reason) })}
              </strong>
              <span className="muted">
                {s.lastSyncAt ? t('sync.page.lastSync', { at: dateTime(s.lastSyncAt) }) : t('sync.page.never')}
              </span>
            </p>
          )}
        </section>
      )}
      {s && s.state !== 'standalone' && <Conflicts conflicts={s.conflicts} />}
      {admin &&
        (s && s.state !== 'standalone' ? (
          <div className="sync-admin">
            <Membership onChange={status.reload} />
            <Pcs />
          </div>
        ) : (
          <Membership onChange={status.reload} />
        ))}
    </section>
  );
}

function Conflicts({ conflicts }: { conflicts: SyncConflictView[] }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="sync-conflicts-title" data-testid="sync-conflicts">
      <h2 id="sync-conflicts-title">{t('sync.page.conflictsTitle')}</h2>
      <p className="muted">{t('sync.page.conflictsHint')}</p>
      {conflicts.length === 0 ? (
        <Empty text={t('sync.page.noConflicts')} />
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('sync.page.colWhen')}</th>
              <th scope="col">{t('sync.page.colWhat')}</th>
              <th scope="col">{t('sync.page.colWhy')}</th>
              <th scope="col">{t('sync.page.colDecided')}</th>
            </tr>
          </thead>
          <tbody>
            {conflicts.map((c) => {
              const customerNo = (c.details as { customerNo?: unknown }).customerNo;
              return (
                <tr key={c.id} data-testid="sync-conflict">
                  <td className="nowrap tabular">{dateTime(c.madeAt)}</td>
                  <td>
                    {conflictAction(t, c)}
                    {typeof customerNo === 'string' && (
                      <span className="muted"> · {t('sync.page.customer', { customerNo })}</span>
                    )}
                  </td>
                  <td>{conflictWhy(t, c, dateTime)}</td>
                  <td className="nowrap tabular">{dateTime(c.at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function joinErrorText(t: ReturnType<typeof useTranslation>['t'], e: ApiError): string | null {
  const reason = (e.details as { reason?: unknown } | undefined)?.reason;
  if (e.code !== 'CONFLICT' || typeof reason !== 'string') return null;
  return t(`sync.membership.fail.${reason}`, { defaultValue: t('sync.membership.fail.hub_error') });
}

function Membership({ onChange }: { onChange: () => void }) {
  const { t } = useTranslation();
  const m = useApi('sync.membership', {});
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  // Leaving asks first, in the app's dialog (not the browser's confirm box, whose words follow its locale).
  const [asking, setAsking] = useState(false);
  const id = useId();
  const [form, setForm] = useState({ hubUrl: '', branch: '', code: '', name: '', caPem: '' });
  const data: SyncMembershipView | undefined = m.data;
  const hubUrl = form.hubUrl || data?.lastHub?.hubUrl || '';
  const branch = form.branch || data?.lastHub?.branch || '';

  async function join(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const r = await action.run(() =>
      api('sync.join', {
        hubUrl,
        branch,
        code: form.code,
        name: form.name,
        caPem: form.caPem.trim() ? form.caPem.trim() : null,
      }),
    );
    if (r) {
      setDone(t('sync.membership.joined', { branch: r.branch }));
      setForm((f) => ({ ...f, code: '' }));
      m.reload();
      onChange();
    }
  }

  async function leave() {
    setAsking(false);
    const r = await action.run(() => api('sync.leave', {}));
    if (r) {
      setDone(t('sync.membership.left'));
      m.reload();
      onChange();
    }
  }

  const joinError = action.error ? joinErrorText(t, action.error) : null;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="sync-membership">
      <h2 id={`${id}-title`}>{t(data?.joined ? 'sync.membership.joinedTitle' : 'sync.membership.title')}</h2>
      {m.loading && !data && <Loading />}
      <ErrorNotice error={m.error} onRetry={m.reload} />
      <SuccessNotice text={done} />
      {joinError ? (
        <div className="notice notice-error" role="alert" data-testid="sync-join-error">
          {joinError}
        </div>
      ) : (
        <ErrorNotice error={action.error} />
      )}
      {data?.joined && (
        <>
          <ul className="plain-list" data-testid="sync-joined">
            <li>{t('sync.membership.joined', { branch: data.branch })}</li>
            <li className="mono">{t('sync.membership.server', { url: data.hubUrl })}</li>
            <li className="mono muted">{t('sync.membership.pcId', { id: data.pcId })}</li>
            {data.caConfigured && <li>{t('sync.membership.ca')}</li>}
            <li>{t('sync.page.queued', { count: data.queued })}</li>
          </ul>
          <div>
            <button
              type="button"
              className="btn"
              data-testid="sync-leave"
              disabled={action.busy}
              onClick={() => setAsking(true)}
            >
              {t('sync.membership.leave')}
            </button>
          </div>
          <ConfirmDialog
            open={asking}
            title={t('sync.membership.leave')}
            text={t('sync.membership.leaveConfirm', { count: data.queued })}
            confirmLabel={t('sync.membership.leave')}
            danger
            onConfirm={() => void leave()}
            onCancel={() => setAsking(false)}
            testId="sync-leave-confirm"
          />
        </>
      )}
      {data && !data.joined && (
        <form className="form-grid sync-join-form" onSubmit={(e) => void join(e)} data-testid="sync-join-form">
          <p className="muted form-span">{t('sync.membership.hint')}</p>
          {data.lastHub && (
            <p className="muted form-span">
              {t('sync.membership.lastHub', { branch: data.lastHub.branch, url: data.lastHub.hubUrl })}
            </p>
          )}
          <Field id={`${id}-url`} label={t('sync.membership.hubUrl')}>
            <input
              id={`${id}-url`}
              data-testid="sync-hub-url"
              required
              className="mono"
              spellCheck={false}
              placeholder="https://crm-hub.example:41880"
              value={hubUrl}
              onChange={(e) => setForm({ ...form, hubUrl: e.target.value })}
            />
          </Field>
          <Field id={`${id}-branch`} label={t('sync.membership.branch')}>
            <input
              id={`${id}-branch`}
              data-testid="sync-branch"
              required
              className="mono"
              spellCheck={false}
              value={branch}
              onChange={(e) => setForm({ ...form, branch: e.target.value })}
            />
          </Field>
          <Field id={`${id}-code`} label={t('sync.membership.code')}>
            <input
              id={`${id}-code`}
              data-testid="sync-code"
              required
              className="mono"
              autoComplete="off"
              spellCheck={false}
              placeholder="XXXX-XXXX-XXXX-XXXX"
              value={form.code}
              onChange={(e) => setForm({ ...form, code: e.target.value })}
            />
          </Field>
          <Field id={`${id}-name`} label={t('sync.membership.name')}>
            <input
              id={`${id}-name`}
              data-testid="sync-pc-name"
              required
              maxLength={100}
              placeholder={t('sync.membership.namePlaceholder')}
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
          </Field>
          <div className="field form-span">
            <label htmlFor={`${id}-ca`}>{t('sync.membership.caPem')}</label>
            <textarea
              id={`${id}-ca`}
              data-testid="sync-ca"
              rows={3}
              className="mono"
              spellCheck={false}
              placeholder="-----BEGIN CERTIFICATE-----"
              value={form.caPem}
              onChange={(e) => setForm({ ...form, caPem: e.target.value })}
            />
          </div>
          <div className="form-span">
            <button type="submit" className="btn btn-primary" data-testid="sync-join" disabled={action.busy}>
              {action.busy ? t('sync.membership.joining') : t('sync.membership.join')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

function Pcs() {
  const { t } = useTranslation();
  const pcs = useApi('sync.pcs', {});
  const unreachable = pcs.error?.code === 'CONFLICT';
  return (
    <section className="panel" aria-labelledby="sync-pcs-title" data-testid="sync-pcs">
      <h2 id="sync-pcs-title">{t('sync.pcs.title')}</h2>
      {pcs.loading && !pcs.data && <Loading />}
      {unreachable ? (
        <p className="muted">{t('sync.pcs.unreachable')}</p>
      ) : (
        <ErrorNotice error={pcs.error} onRetry={pcs.reload} />
      )}
      {pcs.data &&
        (pcs.data.length === 0 ? (
          <Empty text={t('sync.pcs.empty')} />
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('sync.pcs.colName')}</th>
                <th scope="col">{t('sync.pcs.colEnrolled')}</th>
                <th scope="col">{t('sync.pcs.colLastSync')}</th>
                <th scope="col" className="num">
                  {t('sync.pcs.colQueued')}
                </th>
                <th scope="col">{t('sync.pcs.colState')}</th>
              </tr>
            </thead>
            <tbody>
              {pcs.data.map((p) => (
                <tr key={p.pcId} data-testid="sync-pc" data-self={p.self ? '1' : '0'}>
                  <th scope="row">
                    {p.name}
                    {p.self && <span className="muted"> {t('sync.pcs.self')}</span>}
                  </th>
                  <td className="nowrap tabular">{dateTime(p.enrolledAt)}</td>
                  <td className="nowrap tabular">{dateTime(p.lastSyncAt)}</td>
                  <td className="num tabular">{p.queued ?? t('sync.pcs.unknown')}</td>
                  <td>{p.revoked ? t('sync.pcs.revoked') : t('sync.pcs.active')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
