import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LAB_LEARNERS, type LabJobState, type LabLearner, type LabTargets } from '../../../../shared/api';
import { LAB_PRODUCT_CATEGORIES, type LabTarget } from '../../../../shared/lab';
import { api, ApiError } from '../../api/client';
import { useAction } from '../../api/use-api';
import { ErrorNotice, useErrorText } from '../../components/ui';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';
import { monthEnds, targetLabel } from './lab-text';
import { useLabJob } from './use-lab-job';

/** The target keys offered, in the order of the issue: churn, loan, wealth, then take-up per category. */
const TARGET_KEYS = ['churn', 'loan', 'wealth', ...LAB_PRODUCT_CATEGORIES.map((c) => `product:${c}`)];
const DROP_SHARES = [0.3, 0.5, 0.7] as const;

function targetOf(key: string, dropShare: number): LabTarget {
  if (key === 'loan' || key === 'wealth') return { kind: key };
  if (key.startsWith('product:'))
    return { kind: 'product', category: key.slice(8) as (typeof LAB_PRODUCT_CATEGORIES)[number] };
  return { kind: 'churn', dropShare, minBalance: 1000 };
}

/** 训练新模型: target, outcome window, cut-off and learner; a progress bar and cancel while it trains. */
export function TrainPanel({ info, onTrained }: { info: LabTargets; onTrained: (version: number | null) => void }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const errorText = useErrorText();
  const action = useAction();
  const [key, setKey] = useState('churn');
  const [months, setMonths] = useState(info.defaults.outcomeMonths);
  const [dropShare, setDropShare] = useState(0.5);
  const [learner, setLearner] = useState<LabLearner>(info.defaults.learner);
  const [cutoff, setCutoff] = useState('');
  const [ended, setEnded] = useState<LabJobState | null>(null);
  const training = useLabJob('train', (j) => {
    setEnded(j);
    if (j.state === 'done') onTrained(j.version);
  });
  const running = training.job?.state === 'running';

  const allowed = useMemo(() => {
    const c = info.cutoffs.find((x) => x.outcomeMonths === months);
    return monthEnds(c?.earliest ?? null, c?.latest ?? null);
  }, [info.cutoffs, months]);
  // a cut-off the new window does not allow falls back to the latest it does
  useEffect(() => {
    if (!allowed.includes(cutoff)) setCutoff(allowed[0] ?? '');
  }, [allowed, cutoff]);
  const target = info.targets.find((x) => x.key === key);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setEnded(null);
    const j = await action.run(() =>
      api('lab.train', {
        target: targetOf(key, dropShare),
        learner,
        outcomeMonths: months,
        ...(cutoff ? { cutoff } : {}),
      }),
    );
    if (j) training.follow(j);
  };

  const job = training.job;
  const fraction = job && job.total > 0 ? Math.min(1, job.done / job.total) : 0;
  return (
    <section className="panel" aria-labelledby="lab-train-title" data-testid="lab-train">
      <h2 id="lab-train-title">{t('lab.form.title')}</h2>
      <form className="lab-form" onSubmit={start}>
        <div className="lab-field lab-wide">
          <label htmlFor="lab-target">{t('lab.form.target')}</label>
          <select
            id="lab-target"
            data-testid="lab-target"
            value={key}
            disabled={running}
            onChange={(e) => setKey(e.target.value)}
          >
            {TARGET_KEYS.map((k) => (
              <option key={k} value={k}>
                {targetLabel(t, k)}
              </option>
            ))}
          </select>
          <p className="field-hint" data-testid="lab-target-hint">
            {t(`lab.targetHints.${key.startsWith('product:') ? 'takeUp' : key}`)}
            {target?.eligible != null && target.eligible > 0
              ? t('lab.form.eligible', {
                  n: count(target.eligible, lng),
                  positives: count(target.positives ?? 0, lng),
                })
              : ''}
          </p>
        </div>
        {key === 'churn' && (
          <div className="lab-field lab-wide">
            <label htmlFor="lab-drop">{t('lab.form.churnShare')}</label>
            <select
              id="lab-drop"
              data-testid="lab-drop"
              value={dropShare}
              disabled={running}
              onChange={(e) => setDropShare(Number(e.target.value))}
            >
              {DROP_SHARES.map((s) => (
                <option key={s} value={s}>
                  {t('lab.form.dropShare', { pct: Math.round(s * 100) })}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="lab-field">
          <label htmlFor="lab-months">{t('lab.form.window')}</label>
          <select
            id="lab-months"
            data-testid="lab-months"
            value={months}
            disabled={running}
            onChange={(e) => setMonths(Number(e.target.value))}
          >
            {info.cutoffs.map((c) => (
              <option key={c.outcomeMonths} value={c.outcomeMonths} disabled={!c.latest}>
                {t('lab.form.months', { n: c.outcomeMonths, count: c.outcomeMonths })}
              </option>
            ))}
          </select>
        </div>
        <div className="lab-field">
          <label htmlFor="lab-cutoff">{t('lab.form.cutoff')}</label>
          <select
            id="lab-cutoff"
            data-testid="lab-cutoff"
            value={cutoff}
            disabled={running || allowed.length === 0}
            onChange={(e) => setCutoff(e.target.value)}
          >
            {allowed.length === 0 && <option value="">{t('lab.form.noCutoff')}</option>}
            {allowed.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        {allowed.length === 0 && <p className="field-hint field-hint-error lab-wide">{t('lab.form.noHistory')}</p>}
        <fieldset className="lab-field lab-wide lab-learners">
          <legend>{t('lab.form.learner')}</legend>
          {LAB_LEARNERS.map((l) => (
            <label key={l}>
              <input
                type="radio"
                name="lab-learner"
                value={l}
                data-testid={`lab-learner-${l}`}
                checked={learner === l}
                disabled={running}
                onChange={() => setLearner(l)}
              />
              {t(`lab.learners.${l}`)}
            </label>
          ))}
        </fieldset>
        <div className="lab-wide">
          {running ? (
            <button type="button" className="btn" data-testid="lab-cancel" onClick={() => void training.cancel()}>
              {t('lab.form.cancel')}
            </button>
          ) : (
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="lab-start"
              disabled={action.busy || allowed.length === 0}
            >
              {t('lab.form.start')}
            </button>
          )}
        </div>
      </form>
      {job && running && (
        <div className="lab-progress" data-testid="lab-progress" aria-live="polite">
          <span>
            {t('lab.form.running')} · {t(`lab.steps.${job.step}`, { defaultValue: t('lab.form.running') })}
            {job.total > 1 ? ` ${job.done}/${job.total}` : ''}
          </span>
          <progress max={1} value={fraction} aria-label={t('lab.form.running')} />
        </div>
      )}
      <ErrorNotice error={action.error ?? training.error} />
      {ended?.state === 'done' && (
        <p className="notice notice-ok" role="status" data-testid="lab-trained">
          {t('lab.form.done', { version: ended.version })}
        </p>
      )}
      {ended?.state === 'cancelled' && (
        <p className="notice notice-warn" role="status" data-testid="lab-cancelled">
          {t('lab.form.cancelled')}
        </p>
      )}
      {ended?.state === 'failed' && (
        <div className="notice notice-error" role="alert" data-testid="lab-failed">
          {t('lab.form.failed')}
          {ended.error
            ? `${t('common.colon')}${errorText(new ApiError(ended.error.code as never, ended.error.details as never))}`
            : ''}
        </div>
      )}
    </section>
  );
}
