import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LabVersionDetail } from '../../../../shared/api';
import { LAB_FEATURE_LABELS } from '../../../../shared/lab';
import { useApi } from '../../api/use-api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice, Loading } from '../../components/ui';
import { count, dateTime } from '../../format';
import { currentLanguage } from '../../i18n';
import { useSession } from '../../session';
import { CalibrationChart } from './CalibrationChart';
import { GroupTable } from './GroupTable';
import { auc, outcomeHead, outcomeWord, pct1, targetLabel } from './lab-text';
import { MonitorPanel } from './MonitorPanel';
import { PushBar } from './PushBar';
import { useLabJob } from './use-lab-job';
import { api } from '../../api/client';
import { useAction } from '../../api/use-api';

/** One version's figures: data window, parameters, fold and hold-out AUCs, ten-group table, calibration. */
export function VersionDetailPanel({
  version,
  activeOfKey,
  onChanged,
}: {
  version: number;
  /** The version now scoring for this version's target, if any. */
  activeOfKey: (key: string) => number | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const state = useApi('lab.version', { version });
  const d = state.data?.version === version ? state.data : undefined;
  return (
    <section className="panel" aria-labelledby="lab-detail-title" data-testid="lab-detail" data-version={version}>
      <ErrorNotice error={state.error} onRetry={state.reload} />
      {!d && state.loading && <Loading />}
      {d && (
        <Detail
          d={d}
          current={activeOfKey(d.key)}
          onChanged={() => {
            state.reload();
            onChanged();
          }}
        />
      )}
      {!d && !state.loading && !state.error && (
        <h2 id="lab-detail-title">{t('lab.versions.versionN', { n: version })}</h2>
      )}
    </section>
  );
}

function Detail({ d, current, onChanged }: { d: LabVersionDetail; current: number | null; onChanged: () => void }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const { user } = useSession();
  const [asking, setAsking] = useState(false);
  const [scored, setScored] = useState<number | null>(null);
  const action = useAction();
  const scoring = useLabJob('score', (j) => {
    if (j.state === 'done') setScored(j.total || null);
    onChanged();
  });
  const target = targetLabel(t, d.target);
  const outcome = outcomeWord(t, d.target);
  const feature = (f: keyof typeof LAB_FEATURE_LABELS) => LAB_FEATURE_LABELS[f]?.[lng] ?? '—';
  const folds = d.folds.map((f) => f.auc).filter((x): x is number => x !== null);
  const mean = folds.length ? folds.reduce((a, b) => a + b, 0) / folds.length : null;
  const params =
    d.learner === 'logistic'
      ? d.parameters.penalty === 'l1' || d.parameters.penalty === 'l2'
        ? t(`lab.detail.${d.parameters.penalty}`, { lambda: fmtLambda(d.parameters.lambda) })
        : t('lab.detail.none')
      : t('lab.detail.trees', { trees: d.parameters.trees ?? '—', rate: d.parameters.learningRate ?? '—' });
  const activate = async () => {
    setAsking(false);
    const j = await action.run(() => api('lab.activate', { version: d.version }));
    if (j) scoring.follow(j);
  };
  const running = scoring.job?.state === 'running';
  const frac = scoring.job && scoring.job.total > 0 ? scoring.job.done / scoring.job.total : 0;

  return (
    <>
      <header className="panel-header">
        <h2 id="lab-detail-title" data-testid="lab-detail-title">
          {t('lab.detail.title', { version: d.version, target })}{' '}
          {d.active && <span className="status-pill pill-ok">{t('lab.versions.active')}</span>}
        </h2>
        {!d.active && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="lab-activate"
            disabled={running || action.busy}
            onClick={() => setAsking(true)}
          >
            {t('lab.activate.button')}
          </button>
        )}
      </header>
      {running && (
        <div className="lab-progress" data-testid="lab-scoring" aria-live="polite">
          <span>{t('lab.steps.scoring')}</span>
          <progress max={1} value={frac} aria-label={t('lab.steps.scoring')} />
        </div>
      )}
      <ErrorNotice error={action.error ?? scoring.error} />
      {scoring.job?.state === 'failed' && (
        <p className="notice notice-error" role="alert">
          {t('lab.activate.failed')}
        </p>
      )}
      {scored !== null && d.active && (
        <p className="notice notice-ok" role="status" data-testid="lab-scored" data-scored={d.scoredCustomers}>
          {t('lab.activate.done', { n: count(d.scoredCustomers || scored, lng) })}
        </p>
      )}
      {d.leaks.map((l) => (
        <div className="notice notice-warn" role="alert" key={l.feature} data-testid="lab-leak">
          <span>
            <strong>{t('lab.leak.title')}</strong>
            {t('common.colon')}
            {t('lab.leak.text', { feature: feature(l.feature), auc: auc(l.auc) })}
          </span>
        </div>
      ))}
      <dl className="lab-facts" data-testid="lab-facts">
        <dt>{t('lab.detail.window')}</dt>
        <dd>
          {t('lab.detail.windowText', {
            cutoff: d.cutoff,
            months: d.outcomeMonths,
            count: d.outcomeMonths,
            to: d.windowEnd,
          })}
        </dd>
        <dt>{t('lab.detail.sample')}</dt>
        <dd data-testid="lab-sample" data-rows={d.cvRows} data-positives={d.positives}>
          {t('lab.detail.sampleText', {
            rows: count(d.rows, lng),
            positives: count(d.positives, lng),
            outcome,
            rate: pct1(d.rows ? d.positives / d.rows : null),
          })}
          {d.cvRows < d.rows && (
            <span className="muted">
              {t('common.listSeparator')}
              {t('lab.detail.cvSample', { n: count(d.cvRows, lng) })}
            </span>
          )}
        </dd>
        <dt>{t('lab.detail.params')}</dt>
        <dd>
          {t(`lab.learners.${d.learner}`)}
          {d.requested === 'best' ? t('lab.detail.chosen') : ''}
          {t('common.listSeparator')}
          {params}
          {t('common.listSeparator')}
          {t('lab.detail.foldsSeed', { folds: d.parameters.folds, seed: d.parameters.seed })}
        </dd>
        <dt>{t('lab.detail.folds')}</dt>
        <dd className="lab-folds" data-testid="lab-folds">
          {d.folds.map((f, i) => (
            <span key={f.fold} data-testid="lab-fold">
              {t('lab.detail.foldN', { n: i + 1 })} {auc(f.auc)}
            </span>
          ))}
          <strong>{t('lab.detail.mean', { mean: auc(mean ?? d.auc) })}</strong>
        </dd>
        <dt>{t('lab.detail.holdout')}</dt>
        <dd data-testid="lab-holdout">
          {d.holdout ? (
            <>
              <strong>{auc(d.holdout.auc)}</strong>{' '}
              <span className="muted">
                {t('lab.detail.holdoutText', {
                  cutoff: d.holdout.trainCutoff,
                  holdoutCutoff: d.holdout.testCutoff,
                  rows: count(d.holdout.testRows, lng),
                })}
              </span>
            </>
          ) : (
            <span className="muted">{t('lab.detail.noHoldout')}</span>
          )}
        </dd>
        {d.strongest.length > 0 && (
          <>
            <dt>{t('lab.detail.strongest')}</dt>
            <dd>{d.strongest.map((s) => `${feature(s.feature)} (${auc(s.auc)})`).join(t('common.listSeparator'))}</dd>
          </>
        )}
        <dt>{t('lab.detail.trained')}</dt>
        <dd>{t('lab.detail.by', { name: d.createdBy, at: dateTime(d.createdAt), seconds: d.seconds.toFixed(1) })}</dd>
      </dl>
      <div className="lab-figures">
        <div>
          <h3>{t('lab.groups.title')}</h3>
          <GroupTable rows={d.groups} outcome={outcomeHead(t, d.target)} testId="lab-groups" />
        </div>
        <div>
          <h3>{t('lab.calibration.title')}</h3>
          <CalibrationChart
            rows={d.calibration.map((c) => ({
              meanPredicted: c.predicted,
              actualRate: c.actual,
              customers: c.customers,
            }))}
            testId="lab-calibration"
          />
          <p className="muted small">{t('lab.calibration.caption')}</p>
        </div>
      </div>
      {user.permissions.includes('campaign.manage') && <PushBar d={d} target={target} />}
      <ConfirmDialog
        open={asking}
        title={t('lab.activate.title', { version: d.version })}
        text={
          current
            ? t('lab.activate.text', { version: d.version, target, current })
            : t('lab.activate.textFirst', { version: d.version, target })
        }
        confirmLabel={t('lab.activate.ok')}
        onConfirm={() => void activate()}
        onCancel={() => setAsking(false)}
        testId="lab-activate-confirm"
      />
      {d.scoredAt && <MonitorPanel version={d.version} outcome={outcomeHead(t, d.target)} />}
    </>
  );
}

const fmtLambda = (v: number | null) => (v === null ? '—' : v >= 0.01 ? v.toPrecision(2) : v.toExponential(1));
