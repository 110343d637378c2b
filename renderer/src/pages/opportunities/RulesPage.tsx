import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RulePreview, RuleView } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { formatMoneyInput, parseMoneyInput } from '../../../../shared/money-input';
import { MoneyInput } from '../../components/MoneyInput';
import { ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';

/**
 * 商机规则 (administrator): switch each opportunity-event rule on or off and set its parameters, with a
 * preview of how many customers it would hit today before saving.
 */
export function RulesPage() {
  const { t } = useTranslation();
  const rules = useApi('rules.list', {});
  const action = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const runNow = async () => {
    const r = await action.run(() => api('rules.run', {}));
    if (r) {
      setNotice(t('rules.ran', { n: r.reduce((s, x) => s + x.created, 0) }));
      rules.reload();
    }
  };
  return (
    <section className="page page-readable" data-testid="rules-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('rules.title')}</h1>
        <button
          type="button"
          className="btn"
          data-testid="rules-run"
          disabled={action.busy}
          onClick={() => void runNow()}
        >
          {t('rules.runNow')}
        </button>
      </header>
      <p className="muted">{t('rules.intro')}</p>
      <ErrorNotice error={rules.error ?? action.error} onRetry={rules.reload} />
      <SuccessNotice text={notice} />
      {rules.loading && !rules.data && <Loading />}
      {rules.data?.map((r) => (
        <RuleCard key={r.code} rule={r} onSaved={rules.reload} />
      ))}
    </section>
  );
}

/** Whole yuan from a money box; NaN (refused before sending) when it is not a whole amount. */
function wholeYuan(text: string): number {
  const fen = parseMoneyInput(text);
  return fen === null || fen % 100n !== 0n || fen > 10n ** 15n ? Number.NaN : Number(fen / 100n);
}

function RuleCard({ rule, onSaved }: { rule: RuleView; onSaved: () => void }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const [enabled, setEnabled] = useState(rule.enabled);
  // amounts (whole yuan) in money boxes: grouped, read back exactly
  const isYuan = (k: string) => rule.paramDefs.some((d) => d.key === k && d.kind === 'yuan');
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(rule.params).map(([k, v]) => [k, isYuan(k) ? formatMoneyInput(BigInt(v) * 100n) : String(v)]),
    ),
  );
  const [preview, setPreview] = useState<RulePreview | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const params = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, isYuan(k) ? wholeYuan(v) : Number(v)]));
  const valid = Object.values(params).every((v) => Number.isInteger(v));
  const doPreview = async () => {
    const p = await action.run(() => api('rules.preview', { code: rule.code, params }));
    if (p) setPreview(p);
  };
  const save = async () => {
    if (await action.run(() => api('rules.save', { code: rule.code, enabled, params }))) {
      setSaved(true);
      onSaved();
    }
  };
  const id = `rule-${rule.code}`;
  return (
    <section className="panel" data-testid={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        <label className="inline-check">
          <input
            type="checkbox"
            data-testid={`${id}-enabled`}
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />{' '}
          {t(`opportunities.rule.${rule.code}`)}
        </label>
      </h2>
      <p className="muted">
        {rule.lastRunOn ? t('rules.lastRun', { date: rule.lastRunOn, n: rule.lastCreated ?? 0 }) : t('rules.never')}
      </p>
      <div className="form-grid form-grid-fixed">
        {rule.paramDefs.map((d) => (
          <div className="field" key={d.key}>
            <label htmlFor={`${id}-${d.key}`}>{t(`rules.param.${d.key}`)}</label>
            {d.kind === 'yuan' ? (
              <MoneyInput
                id={`${id}-${d.key}`}
                testId={`${id}-${d.key}`}
                bare
                value={values[d.key] ?? ''}
                onChange={(text) => {
                  setValues((v) => ({ ...v, [d.key]: text }));
                  setPreview(null);
                  setSaved(false);
                }}
              />
            ) : (
              <input
                id={`${id}-${d.key}`}
                data-testid={`${id}-${d.key}`}
                type="number"
                min={d.min}
                max={d.max}
                step={1}
                value={values[d.key] ?? ''}
                onChange={(e) => {
                  setValues((v) => ({ ...v, [d.key]: e.target.value }));
                  setPreview(null);
                  setSaved(false);
                }}
              />
            )}
            <span className="field-hint">
              {count(d.min, lng)} – {count(d.max, lng)} ·{' '}
              {t('rules.default', { v: count(rule.defaults[d.key] ?? 0, lng) })}
            </span>
          </div>
        ))}
      </div>
      <ErrorNotice error={action.error} />
      {preview && (
        <p data-testid={`${id}-preview`} data-customers={preview.customers} role="status">
          {t('rules.previewResult', { customers: preview.customers, create: preview.wouldCreate })}
        </p>
      )}
      <SuccessNotice text={saved ? t('rules.saved') : null} />
      <div className="form-actions">
        <button
          type="button"
          className="btn"
          data-testid={`${id}-preview-btn`}
          disabled={!valid || action.busy}
          onClick={() => void doPreview()}
        >
          {t('rules.preview')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid={`${id}-save`}
          disabled={!valid || action.busy}
          onClick={() => void save()}
        >
          {t('rules.save')}
        </button>
      </div>
    </section>
  );
}
