import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScoreSettingsView } from '../../../../shared/api';
import { POINT_TXN_TYPES, PRODUCT_CLASSES, type ScoreParams } from '../../../../shared/scores';
import { TIERS } from '../../../../shared/tiers';
import { formatMoneyInput, parseMoneyInput } from '../../../../shared/money-input';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { MoneyInput } from '../../components/MoneyInput';
import { ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { count, dateTime } from '../../format';
import { currentLanguage } from '../../i18n';
import { fromPercent, ppmPercent, toPercent } from './score-text';
import './scores.css';

/**
 * 客户价值参数 (president, administrator): the bank's rates, loyalty weights, CLV discounting and
 * points rules (shared/scores.ts), with the last computation and the retention estimate behind CLV.
 * The form's own checks (ranges, steps) speak the app's language (renderer/src/validation.ts); the
 * weights' sum is a custom check with its own message; the main process checks everything again.
 */
export function ScoresSettingsPage() {
  const { t } = useTranslation();
  const view = useApi('scores.settings', {});
  const [data, setData] = useState<ScoreSettingsView | null>(null);
  useEffect(() => {
    if (view.data) setData(view.data);
  }, [view.data]);
  return (
    <section className="page" data-testid="scores-settings" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('scores.title')}</h1>
      </header>
      <p className="muted scores-intro">{t('scores.intro')}</p>
      <ErrorNotice error={view.error} onRetry={view.reload} />
      {!data && view.loading && <Loading />}
      {data && <SettingsForm view={data} onSaved={setData} />}
    </section>
  );
}

type Form = Record<string, string>;

/** The form's text values from a parameter set: rates and shares in percent, the rest as numbers. */
function toForm(p: ScoreParams): Form {
  const f: Form = {};
  for (const c of PRODUCT_CLASSES) f[`rate.${c}`] = toPercent(p.rates[c]);
  f.feeShare = toPercent(p.feeShare);
  for (const [k, v] of Object.entries(p.loyalty)) f[`loyalty.${k}`] = String(v);
  f['clv.discountRate'] = toPercent(p.clv.discountRate);
  f['clv.horizonYears'] = String(p.clv.horizonYears);
  f['clv.minPopulation'] = String(p.clv.minPopulation);
  f['clv.lostShare'] = toPercent(p.clv.lostShare);
  for (const [k, v] of Object.entries(p.points))
    if (k !== 'txnTypes')
      f[`points.${k}`] = MONEY[`points.${k}`] ? formatMoneyInput(BigInt(v as number) * 100n) : String(v);
  return f;
}

/** The points units are whole yuan: typed grouped (10,000), read exactly, refused with a message otherwise. */
const MONEY: Record<string, { min: number; max: number }> = {
  'points.balanceUnitYuan': { min: 1, max: 100_000_000 },
  'points.txnUnitYuan': { min: 1, max: 1_000_000 },
};
/** Whole yuan from a money box, or NaN when it is not one (the form says so before sending). */
function wholeYuan(text: string): number {
  const fen = parseMoneyInput(text);
  return fen === null || fen % 100n !== 0n || fen > 10n ** 15n ? Number.NaN : Number(fen / 100n);
}

function fromForm(f: Form, txnTypes: string[]): unknown {
  const n = (k: string) => (MONEY[k] ? wholeYuan(f[k] ?? '') : Number(f[k]));
  return {
    rates: Object.fromEntries(PRODUCT_CLASSES.map((c) => [c, fromPercent(f[`rate.${c}`] ?? '')])),
    feeShare: fromPercent(f.feeShare ?? ''),
    loyalty: Object.fromEntries(
      ['tenureWeight', 'breadthWeight', 'activityWeight', 'keptWeight', 'tenureFullYears', 'breadthFull'].map((k) => [
        k,
        n(`loyalty.${k}`),
      ]),
    ),
    clv: {
      discountRate: fromPercent(f['clv.discountRate'] ?? ''),
      horizonYears: n('clv.horizonYears'),
      minPopulation: n('clv.minPopulation'),
      lostShare: fromPercent(f['clv.lostShare'] ?? ''),
    },
    points: {
      balanceUnitYuan: n('points.balanceUnitYuan'),
      balancePoints: n('points.balancePoints'),
      balanceCap: n('points.balanceCap'),
      txnTypes,
      txnUnitYuan: n('points.txnUnitYuan'),
      txnPoints: n('points.txnPoints'),
      txnCap: n('points.txnCap'),
      expiryMonths: n('points.expiryMonths'),
    },
  };
}

const WEIGHTS = ['tenureWeight', 'breadthWeight', 'activityWeight', 'keptWeight'] as const;

function SettingsForm({ view, onSaved }: { view: ScoreSettingsView; onSaved: (v: ScoreSettingsView) => void }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const [form, setForm] = useState<Form>(() => toForm(view.params));
  const [txnTypes, setTxnTypes] = useState<string[]>(view.params.points.txnTypes);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();
  const defaults = toForm(view.defaults);
  const weightSum = WEIGHTS.reduce((s, k) => s + (Number(form[`loyalty.${k}`]) || 0), 0);
  const firstWeight = useRef<HTMLInputElement>(null);
  useEffect(() => {
    firstWeight.current?.setCustomValidity(weightSum === 100 ? '' : t('scores.loyalty.sumBad', { n: weightSum }));
  }, [weightSum, t]);

  const set = (k: string, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setNotice(null);
  };
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!e.currentTarget.reportValidity()) return;
    const saved = await action.run(() => api('scores.saveSettings', { params: fromForm(form, txnTypes) }));
    if (saved) {
      onSaved(saved);
      setNotice(t('scores.saved'));
    }
  };

  /** One numeric field: label, box with its unit, the default under it. */
  const field = (
    k: string,
    label: string,
    o: { unit?: string; min: number; max: number; step?: number; percent?: boolean; ref?: typeof firstWeight },
  ) => {
    const money = MONEY[k];
    if (money) {
      const v = wholeYuan(form[k] ?? '');
      const bad = !(v >= money.min && v <= money.max);
      return (
        <div className="field score-field" key={k}>
          <label htmlFor={`sc-${k}`}>{label}</label>
          <MoneyInput
            id={`sc-${k}`}
            testId={`sc-${k}`}
            className="score-input"
            value={form[k] ?? ''}
            onChange={(v) => set(k, v)}
            invalidMessage={
              bad
                ? t('money.range', {
                    field: label,
                    min: formatMoneyInput(BigInt(money.min) * 100n),
                    max: formatMoneyInput(BigInt(money.max) * 100n),
                  })
                : null
            }
          />
          <span className="field-hint">{t('scores.default', { v: defaults[k] })}</span>
        </div>
      );
    }
    return (
      <div className="field score-field" key={k}>
        <label htmlFor={`sc-${k}`}>{label}</label>
        <span className="score-input">
          <input
            id={`sc-${k}`}
            ref={o.ref}
            data-testid={`sc-${k}`}
            type="number"
            required
            min={o.min}
            max={o.max}
            step={o.step ?? 1}
            value={form[k] ?? ''}
            onChange={(e) => set(k, e.target.value)}
          />
          {o.unit && <span className="score-unit">{o.unit}</span>}
        </span>
        <span className="field-hint">{t('scores.default', { v: defaults[k] })}</span>
      </div>
    );
  };
  const pct = { min: 0, step: 0.0001, percent: true };

  return (
    <form className="scores-form" onSubmit={(e) => void submit(e)} data-testid="scores-form">
      <p className="muted" data-testid="scores-last-run">
        {view.run
          ? t('scores.lastRun', {
              asOf: view.run.asOf,
              at: dateTime(view.run.computedAt),
              mode: t(`scores.mode.${view.run.mode}`, { defaultValue: view.run.mode }),
              n: count(view.run.customers, lng),
            })
          : t('scores.never')}
      </p>
      <div className="grid-2 scores-grid">
        <fieldset className="panel">
          <legend>{t('scores.contribution.title')}</legend>
          <p className="field-hint">{t('scores.contribution.hint')}</p>
          <div className="score-fields">
            {PRODUCT_CLASSES.map((c) =>
              field(`rate.${c}`, t(`scores.class.${c}`), { ...pct, max: 20, unit: t('scores.perYear') }),
            )}
            {field('feeShare', t('scores.contribution.feeShare'), { ...pct, max: 100, unit: t('scores.percent') })}
          </div>
        </fieldset>
        <fieldset className="panel">
          <legend>{t('scores.loyalty.title')}</legend>
          <p className="field-hint">{t('scores.loyalty.hint')}</p>
          <div className="score-fields">
            {WEIGHTS.map((k, i) =>
              field(`loyalty.${k}`, t(`scores.loyalty.${k}`), {
                min: 0,
                max: 100,
                unit: t('scores.percent'),
                ...(i === 0 ? { ref: firstWeight } : {}),
              }),
            )}
            {field('loyalty.tenureFullYears', t('scores.loyalty.tenureFullYears'), {
              min: 1,
              max: 50,
              unit: t('scores.years'),
            })}
            {field('loyalty.breadthFull', t('scores.loyalty.breadthFull'), { min: 1, max: 8 })}
          </div>
          <p className={weightSum === 100 ? 'field-hint' : 'field-error'} data-testid="scores-weight-sum" role="status">
            {weightSum === 100
              ? t('scores.loyalty.sum', { n: weightSum })
              : t('scores.loyalty.sumBad', { n: weightSum })}
          </p>
        </fieldset>
        <fieldset className="panel">
          <legend>{t('scores.clv.title')}</legend>
          <p className="field-hint">{t('scores.clv.formula')}</p>
          <div className="score-fields">
            {field('clv.discountRate', t('scores.clv.discountRate'), { ...pct, max: 50, unit: t('scores.perYear') })}
            {field('clv.horizonYears', t('scores.clv.horizonYears'), { min: 1, max: 30, unit: t('scores.years') })}
            {field('clv.minPopulation', t('scores.clv.minPopulation'), { min: 1, max: 100000 })}
            {field('clv.lostShare', t('scores.clv.lostShare'), { ...pct, max: 100, unit: t('scores.percent') })}
          </div>
          <RetentionTable view={view} />
        </fieldset>
        <fieldset className="panel">
          <legend>{t('scores.points.title')}</legend>
          <p className="field-hint">{t('scores.points.hint')}</p>
          <div className="score-fields">
            {field('points.balanceUnitYuan', t('scores.points.balanceUnitYuan'), {
              min: 1,
              max: 100_000_000,
              unit: t('scores.yuan'),
            })}
            {field('points.balancePoints', t('scores.points.balancePoints'), { min: 0, max: 100_000 })}
            {field('points.balanceCap', t('scores.points.balanceCap'), { min: 0, max: 10_000_000 })}
            {field('points.txnUnitYuan', t('scores.points.txnUnitYuan'), {
              min: 1,
              max: 1_000_000,
              unit: t('scores.yuan'),
            })}
            {field('points.txnPoints', t('scores.points.txnPoints'), { min: 0, max: 100_000 })}
            {field('points.txnCap', t('scores.points.txnCap'), { min: 0, max: 10_000_000 })}
            {field('points.expiryMonths', t('scores.points.expiryMonths'), {
              min: 1,
              max: 60,
              unit: t('scores.months'),
            })}
          </div>
          <fieldset className="score-types" data-testid="sc-txnTypes">
            <legend>{t('scores.points.txnTypes')}</legend>
            {POINT_TXN_TYPES.map((x) => (
              <label key={x} className="inline-check">
                <input
                  type="checkbox"
                  checked={txnTypes.includes(x)}
                  onChange={(e) => {
                    setTxnTypes((l) => (e.target.checked ? [...l, x] : l.filter((y) => y !== x)));
                    setNotice(null);
                  }}
                />{' '}
                {t(`scores.txnType.${x}`)}
              </label>
            ))}
          </fieldset>
        </fieldset>
      </div>
      <ErrorNotice error={action.error} />
      <SuccessNotice text={notice} />
      <div className="form-actions">
        <button
          type="button"
          className="btn"
          data-testid="scores-defaults"
          onClick={() => {
            setForm(toForm(view.defaults));
            setTxnTypes(view.defaults.points.txnTypes);
            setNotice(t('scores.defaultsHint'));
          }}
        >
          {t('scores.defaults')}
        </button>
        <button type="submit" className="btn btn-primary" data-testid="scores-save" disabled={action.busy}>
          {t('scores.save')}
        </button>
      </div>
    </form>
  );
}

function RetentionTable({ view }: { view: ScoreSettingsView }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  if (view.retention.length === 0) return <p className="muted">{t('scores.retention.empty')}</p>;
  // Tiers best first, then customers without one, then the branch.
  const order = (tier: string) => (tier === '*' ? 99 : tier === '' ? 98 : TIERS.indexOf(tier as never));
  const rows = [...view.retention].sort((a, b) => order(a.tier) - order(b.tier));
  const label = (tier: string) =>
    tier === '*' ? t('scores.retention.all') : tier === '' ? t('scores.retention.none') : t(`tiers.${tier}`);
  return (
    <div className="score-retention">
      <h3>{t('scores.retention.title')}</h3>
      <p className="field-hint">{t('scores.retention.hint')}</p>
      <table className="data-table compact" data-testid="scores-retention">
        <thead>
          <tr>
            <th scope="col">{t('scores.retention.tier')}</th>
            <th scope="col" className="num">
              {t('scores.retention.atRisk')}
            </th>
            <th scope="col" className="num">
              {t('scores.retention.lost')}
            </th>
            <th scope="col" className="num">
              {t('scores.retention.rate')}
            </th>
            <th scope="col">{t('scores.retention.source')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.tier}>
              <th scope="row">{label(g.tier)}</th>
              <td className="num">{count(g.atRisk, lng)}</td>
              <td className="num">{count(g.lost, lng)}</td>
              <td className="num">{ppmPercent(g.retentionPpm)}</td>
              <td>{g.tier !== '*' && g.own ? t('scores.retention.own') : t('scores.retention.branch')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
