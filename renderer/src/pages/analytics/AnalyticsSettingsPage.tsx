import { type FormEvent, Fragment, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NextProductSettings, RiskSettings } from '../../../../shared/analytics';
import type { Input, Output } from '../../../../shared/api';
import type { NextProductRule } from '../../../../shared/api/analytics';
import { formatMoneyInput, parseMoneyInput } from '../../../../shared/money-input';
import { api, validateInput } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import type { AnalyticsSettingsView } from '../../../../shared/api/analytics';
import { MoneyInput } from '../../components/MoneyInput';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { useReloadWhileUpdating } from '../../components/UpdatingBadge';
import { count, dateTime } from '../../format';
import { currentLanguage } from '../../i18n';
import { offerReason } from './np-text';
import '../../components/fields.css';
import './analytics.css';

/** How a stored value shows in the form: as a percent (0.01 → 1), in yuan (fen → yuan), or as it is. */
type Unit = 'percent' | 'ratio' | 'yuan' | 'days' | 'months' | 'points' | 'pct' | 'txns' | 'items' | 'plain';
const SCALE: Partial<Record<Unit, number>> = { percent: 100 };
const UNIT_KEY: Partial<Record<Unit, string>> = {
  percent: 'analytics.percentUnit',
  pct: 'analytics.percentUnit',
  days: 'analytics.daysUnit',
  months: 'analytics.monthsUnit',
  points: 'analytics.pointsUnit',
  txns: 'analytics.txnsUnit',
  items: 'analytics.itemsUnit',
};

const NP_FIELDS: [keyof NextProductSettings, Unit][] = [
  ['npMinSupport', 'percent'],
  ['npMinConfidence', 'percent'],
  ['npMinLift', 'ratio'],
  ['npMaxAntecedent', 'items'],
  ['npTopN', 'items'],
  ['npPayrollDays', 'days'],
];
const RISK_GROUPS: { title: string; fields: [keyof RiskSettings, Unit][] }[] = [
  {
    title: 'analytics.weights',
    fields: [
      ['riskWeightOverdue', 'points'],
      ['riskWeightUtilisation', 'points'],
      ['riskWeightOutflow', 'points'],
      ['riskWeightCollapse', 'points'],
      ['riskWeightDormancy', 'points'],
      ['riskWeightGuaranteeCall', 'points'],
      ['riskWeightWeakGuarantor', 'points'],
    ],
  },
  {
    title: 'analytics.thresholds',
    fields: [
      ['riskOverdueDays', 'days'],
      ['riskUtilisationPct', 'pct'],
      ['riskUtilisationRisePts', 'pct'],
      ['riskUtilisationDays', 'days'],
      ['riskOutflowDays', 'days'],
      ['riskOutflowMinFen', 'yuan'],
      ['riskOutflowPct', 'pct'],
      ['riskCollapsePct', 'pct'],
      ['riskCollapseMonths', 'months'],
      ['riskCollapseMinFen', 'yuan'],
      ['riskDormantDays', 'days'],
      ['riskActiveTxns', 'txns'],
    ],
  },
  {
    title: 'analytics.levels',
    fields: [
      ['riskLevelWatch', 'points'],
      ['riskLevelWarning', 'points'],
      ['riskLevelHigh', 'points'],
    ],
  },
];

const RISK_FIELDS = RISK_GROUPS.flatMap((g) => g.fields);

/** Money (fen in the store) shows grouped in yuan and reads back exactly (shared/money-input.ts). */
const shown = (v: number, u: Unit) =>
  u === 'yuan' ? formatMoneyInput(BigInt(Math.round(v))) : String(Math.round(v * (SCALE[u] ?? 1) * 1e6) / 1e6);
const stored = (s: string, u: Unit) => {
  if (u === 'yuan') {
    const fen = parseMoneyInput(s);
    return fen === null || fen > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(fen);
  }
  const n = Number(s.replace(/,/g, '').trim());
  return s.trim() === '' || !Number.isFinite(n) ? Number.NaN : Math.round((n / (SCALE[u] ?? 1)) * 1e6) / 1e6;
};

function NumberField({
  name,
  unit,
  value,
  onChange,
}: {
  name: string;
  unit: Unit;
  value: string;
  onChange: (v: string) => void;
}) {
  const { t } = useTranslation();
  const unitKey = UNIT_KEY[unit];
  return (
    <div className="field">
      <label htmlFor={`an-${name}`}>{t(`fields.${name}`)}</label>
      {unit === 'yuan' ? (
        <MoneyInput id={`an-${name}`} testId={`an-${name}`} value={value} onChange={onChange} className="input-unit" />
      ) : (
        <span className="input-unit">
          <input
            id={`an-${name}`}
            data-testid={`an-${name}`}
            inputMode="decimal"
            autoComplete="off"
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
          {unitKey && <span className="muted"> {t(unitKey)}</span>}
        </span>
      )}
    </div>
  );
}

/** The administrator's 产品匹配与风险评级 page: the bank's parameters and the rules they give. */
export function AnalyticsSettingsPage() {
  const { t } = useTranslation();
  const settings = useApi('analytics.settings', {});
  const view = settings.data;
  // While the follow-up steps recalculate (after a save, an import), poll until they are done.
  const recalc = view?.recalculating;
  useReloadWhileUpdating(recalc?.nextProduct || recalc?.risk ? NO_PERCENT : null, settings.reload, true, 2000);
  return (
    <section className="page" data-testid="analytics-settings-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('analytics.title')}</h1>
        <span className="muted">{t('analytics.intro')}</span>
      </header>
      <ErrorNotice error={settings.error} onRetry={settings.reload} />
      {settings.loading && !view && <Loading />}
      {view && (
        <div className="grid-2">
          <div className="analytics-column">
            <NextProductForm
              initial={view.nextProduct}
              recalculating={view.recalculating.nextProduct}
              onSaved={settings.reload}
            />
            <RulesTable refresh={view.nextProductRun?.ranAt ?? null} recalculating={view.recalculating.nextProduct} />
          </div>
          <RiskForm initial={view.risk} view={view} onSaved={settings.reload} />
        </div>
      )}
    </section>
  );
}

const NO_PERCENT = { percent: null, etaSeconds: null };

/** A save's notice, worded when it shows (so it follows a change of language). */
interface Notice {
  key: string;
  counts: Record<string, number>;
}
function noticeText(t: (k: string, o?: Record<string, string>) => string, n: Notice): string {
  const lang = currentLanguage();
  return t(n.key, Object.fromEntries(Object.entries(n.counts).map(([k, v]) => [k, count(v, lang)])));
}

type SaveMethod = 'analytics.saveNextProduct' | 'analytics.saveRisk';

/**
 * One settings form (产品匹配, 风险评级): the draft as the fields show it, checked against the contract
 * before it is sent, saved, and the save's notice (worded by `notice` from the answer); `field` is one
 * number box of the draft, `Footer` the error, the notice and the save button.
 */
function useSettingsForm<M extends SaveMethod>(
  method: M,
  fields: [keyof Input<M> & string, Unit][],
  initial: Input<M>,
  onSaved: () => void,
  notice: (r: Output<M>) => Notice,
) {
  const action = useAction();
  const value = (k: string) => (initial as Record<string, number>)[k] ?? Number.NaN;
  const [draft, setDraft] = useState(() => Object.fromEntries(fields.map(([k, u]) => [k, shown(value(k), u)])));
  const [done, setDone] = useState<Notice | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const input = Object.fromEntries(fields.map(([k, u]) => [k, stored(draft[k] ?? '', u)])) as Input<M>;
    const checked = validateInput(method, input);
    if (!checked.ok) {
      await action.run(() => Promise.reject(checked.error));
      return;
    }
    const r = await action.run(() => api(method, input));
    if (r) {
      setDone(notice(r));
      onSaved();
    }
  };
  const field = ([k, u]: [string, Unit]) => (
    <NumberField
      key={k}
      name={k}
      unit={u}
      value={draft[k] ?? ''}
      onChange={(v) => setDraft((d) => ({ ...d, [k]: v }))}
    />
  );
  return { submit, field, action, done };
}

/** Below a settings form: what went wrong, the save's notice, and the save button. */
function SaveFooter({
  form,
  testId,
}: {
  form: { action: ReturnType<typeof useAction>; done: Notice | null };
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <ErrorNotice error={form.action.error} />
      <SuccessNotice text={form.done ? noticeText(t, form.done) : null} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid={testId} disabled={form.action.busy}>
          {form.action.busy ? t('analytics.saving') : t('analytics.save')}
        </button>
      </div>
    </>
  );
}

/** "正在重新计算…": the figures beside it are the last complete ones until the follow-up steps finish. */
function Recalculating({ on, testId }: { on: boolean; testId: string }) {
  const { t } = useTranslation();
  if (!on) return null;
  const hint = t('analytics.recalculatingHint');
  return (
    <span className="updating-badge" role="status" title={hint} aria-label={hint} data-testid={testId}>
      {t('analytics.recalculating')}
    </span>
  );
}

function NextProductForm({
  initial,
  recalculating,
  onSaved,
}: {
  initial: NextProductSettings;
  recalculating: boolean;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const form = useSettingsForm('analytics.saveNextProduct', NP_FIELDS, initial, onSaved, (r): Notice => {
    // a small book is recalculated before the save returns; a big one in the follow-up worker
    const run = r.nextProductRun;
    return r.recalculating.nextProduct || !run
      ? { key: 'analytics.savedRecalculating', counts: {} }
      : { key: 'analytics.savedNp', counts: { rules: run.rules, customers: run.customers } };
  });
  return (
    <section className="panel" aria-labelledby="an-np">
      <h2 id="an-np">
        {t('analytics.npTitle')} <Recalculating on={recalculating} testId="an-np-recalculating" />
      </h2>
      <form noValidate onSubmit={form.submit}>
        <div className="analytics-form">{NP_FIELDS.map(form.field)}</div>
        <SaveFooter form={form} testId="an-np-save" />
      </form>
    </section>
  );
}

function RulesTable({ refresh, recalculating }: { refresh: string | null; recalculating: boolean }) {
  const { t } = useTranslation();
  const rules = useApi('nextProduct.rules', { limit: 12 });
  const [shownRun, setShownRun] = useState(refresh);
  // a new mining (after a save, an import) is the trigger to read the rules again
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh is the trigger
  useEffect(() => {
    if (refresh !== shownRun) {
      setShownRun(refresh);
      rules.reload();
    }
  }, [refresh]);
  return (
    <section className="panel" aria-labelledby="an-rules">
      <h2 id="an-rules">
        {t('analytics.rulesTitle')} <Recalculating on={recalculating} testId="an-rules-recalculating" />
      </h2>
      <ErrorNotice error={rules.error} onRetry={rules.reload} />
      {rules.data && rules.data.total === 0 && <Empty text={t('analytics.rulesNone')} />}
      {rules.data && rules.data.total > 0 && (
        <>
          <p className="muted">
            {t('analytics.rulesMined', {
              total: rules.data.total,
              at: rules.data.minedAt ? dateTime(rules.data.minedAt) : '—',
            })}
            {rules.data.rules.length < rules.data.total &&
              t('analyticsPolish.rulesShown', { n: rules.data.rules.length })}
          </p>
          <RuleRows rules={rules.data.rules} />
        </>
      )}
    </section>
  );
}

const KINDS = ['individual', 'corporate'];

/**
 * The mined rules as a table that fits its half of the page at 1366 in either language: the customer
 * type heads a group of rows instead of taking a column, the three figures keep narrow fixed columns,
 * and a product list breaks between products (a long name at its spaces), never past the panel.
 */
function RuleRows({ rules }: { rules: NextProductRule[] }) {
  const { t } = useTranslation();
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  // the separator stays outside each product's box: a space at the end of an inline box is dropped
  const items = (list: string[]) =>
    list.map((i, n) => (
      <Fragment key={i}>
        <span className="rule-item">{t(`np.items.${i}`)}</span>
        {n < list.length - 1 ? t('common.listSeparator') : ''}
      </Fragment>
    ));
  return (
    <table className="data-table compact rules-table" data-testid="an-rules">
      <colgroup>
        <col />
        <col />
        <col className="rules-support" />
        <col className="rules-confidence" />
        <col className="rules-lift" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">{t('analytics.col.holds')}</th>
          <th scope="col">{t('analytics.col.offer')}</th>
          <th scope="col" className="num">
            {t('analytics.col.support')}
          </th>
          <th scope="col" className="num">
            {t('analytics.col.confidence')}
          </th>
          <th scope="col" className="num">
            {t('analytics.col.lift')}
          </th>
        </tr>
      </thead>
      {[...new Set([...KINDS, ...rules.map((r) => r.kind)])].map((kind) => {
        const rows = rules.filter((r) => r.kind === kind);
        if (rows.length === 0) return null;
        return (
          <tbody key={kind} data-testid={`an-rules-${kind}`}>
            <tr className="rules-group">
              <th scope="rowgroup" colSpan={5}>
                {t(`analytics.kind.${kind}`)}
              </th>
            </tr>
            {rows.map((r) => {
              const reason = offerReason(t, {
                rank: 1,
                item: r.consequent,
                score: r.confidence,
                source: 'rules',
                modelVersion: null,
                rule: r,
              });
              return (
                <tr key={`${r.antecedent.join()}|${r.consequent}`} title={reason}>
                  <td>{items(r.antecedent)}</td>
                  <td>{items([r.consequent])}</td>
                  <td className="num">{pct(r.support)}</td>
                  <td className="num">{pct(r.confidence)}</td>
                  <td className="num">{r.lift.toFixed(2)}</td>
                </tr>
              );
            })}
          </tbody>
        );
      })}
    </table>
  );
}

function RiskForm({
  initial,
  view,
  onSaved,
}: {
  initial: RiskSettings;
  view: AnalyticsSettingsView;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const form = useSettingsForm('analytics.saveRisk', RISK_FIELDS, initial, onSaved, (r): Notice => {
    const b = r.riskByLevel;
    const rated = b.normal + b.watch + b.warning + b.high;
    return r.recalculating.risk
      ? { key: 'analytics.savedRecalculating', counts: {} }
      : { key: 'analytics.savedRisk', counts: { rated, watch: b.watch, warning: b.warning, high: b.high } };
  });
  const lang = currentLanguage();
  return (
    <section className="panel" aria-labelledby="an-risk">
      <h2 id="an-risk">
        {t('analytics.riskTitle')} <Recalculating on={view.recalculating.risk} testId="an-risk-recalculating" />
      </h2>
      <p className="muted" data-testid="an-risk-figures">
        {t('analytics.riskFigures', {
          watch: count(view.riskByLevel.watch, lang),
          warning: count(view.riskByLevel.warning, lang),
          high: count(view.riskByLevel.high, lang),
        })}
      </p>
      <form noValidate onSubmit={form.submit}>
        <div className="analytics-form">
          {RISK_GROUPS.map((g) => (
            <FieldGroup key={g.title} title={t(g.title)}>
              {g.fields.map(form.field)}
            </FieldGroup>
          ))}
        </div>
        <SaveFooter form={form} testId="an-risk-save" />
      </form>
    </section>
  );
}

function FieldGroup({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <>
      <h3>{title}</h3>
      {children}
    </>
  );
}
