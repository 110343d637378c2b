import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhatIfCellResult, WhatIfResult } from '../../../shared/api';
import {
  FACTORS,
  PENALTIES,
  THRESHOLD_TIERS,
  TIER_ORDER,
  tierModelSchema,
  type Factor,
  type Penalty,
  type TierModel,
} from '../../../shared/tiers';
import { api, toApiError, type ApiError } from '../api/client';
import { useApi } from '../api/use-api';
import { ErrorNotice, Loading, Modal, useErrorText } from '../components/ui';
import { count, dateTime, yuan } from '../format';
import { currentLanguage } from '../i18n';

const num = (s: string): number => (s.trim() === '' || Number.isNaN(Number(s)) ? NaN : Number(s));

/** 客户细分: the bank's tier model, with a what-if preview of who would move before saving. */
export function TiersPage() {
  const { t } = useTranslation();
  const state = useApi('tiers.model', {});
  return (
    <section className="page" data-testid="tiers-page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.tiers')}</h1>
        {state.data?.active && (
          <span className="muted" data-testid="tiers-active">
            {t('tiers.activeVersion', {
              version: state.data.active.version,
              at: dateTime(state.data.active.createdAt),
              changed: state.data.active.changed,
            })}
          </span>
        )}
      </header>
      <ErrorNotice error={state.error} onRetry={state.reload} />
      {state.loading && !state.data && <Loading />}
      {state.data && (
        <Editor
          initial={state.data.active?.model ?? state.data.defaultModel}
          asOf={state.data.factorsAsOf}
          onSaved={state.reload}
        />
      )}
    </section>
  );
}

function Editor({ initial, asOf, onSaved }: { initial: TierModel; asOf: string | null; onSaved: () => void }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const errorText = useErrorText();
  const [name, setName] = useState(initial.name);
  const [weights, setWeights] = useState<Record<Factor, { on: boolean; weight: string; zero: string; full: string }>>(
    () => {
      const out = {} as Record<Factor, { on: boolean; weight: string; zero: string; full: string }>;
      for (const f of Object.keys(FACTORS) as Factor[]) {
        const x = initial.factors.find((y) => y.factor === f);
        out[f] = { on: !!x, weight: String(x?.weight ?? 0), zero: String(x?.zero ?? 0), full: String(x?.full ?? 100) };
      }
      return out;
    },
  );
  const [pens, setPens] = useState<Record<Penalty, { on: boolean; points: string; capAt: string }>>(() => {
    const out = {} as Record<Penalty, { on: boolean; points: string; capAt: string }>;
    for (const p of Object.keys(PENALTIES) as Penalty[]) {
      const x = initial.penalties.find((y) => y.penalty === p);
      out[p] = { on: !!x, points: String(x?.points ?? 0), capAt: x?.capAt ?? '' };
    }
    return out;
  });
  const [thr, setThr] = useState(
    () =>
      Object.fromEntries(Object.entries(initial.thresholds).map(([k, v]) => [k, String(v)])) as Record<
        keyof TierModel['thresholds'],
        string
      >,
  );
  const [preview, setPreview] = useState<WhatIfResult | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [done, setDone] = useState<{ version: number; changed: number } | null>(null);

  const model = useMemo(
    () => ({
      name,
      factors: (Object.keys(weights) as Factor[])
        .filter((f) => weights[f].on)
        .map((f) => ({
          factor: f,
          weight: num(weights[f].weight),
          zero: num(weights[f].zero),
          full: num(weights[f].full),
        })),
      penalties: (Object.keys(pens) as Penalty[])
        .filter((p) => pens[p].on)
        .map((p) => ({
          penalty: p,
          points: num(pens[p].points),
          ...(pens[p].capAt ? { capAt: pens[p].capAt as (typeof TIER_ORDER)[number] } : {}),
        })),
      thresholds: {
        gold: num(thr.gold),
        quality: num(thr.quality),
        key: num(thr.key),
        ordinary: num(thr.ordinary),
        restricted: num(thr.restricted),
      },
    }),
    [name, weights, pens, thr],
  );
  const valid = tierModelSchema.safeParse(model);
  // An edited model makes the shown what-if stale.
  // biome-ignore lint/correctness/useExhaustiveDependencies: model is the trigger
  useEffect(() => setPreview(null), [model]);

  const run = (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    work()
      .catch((e: unknown) => setError(toApiError(e)))
      .finally(() => setBusy(false));
  };
  const doPreview = () =>
    run(async () =>
      setPreview(await api('tiers.whatIf', { model: valid.success ? valid.data : (model as TierModel) })),
    );
  const doApply = () =>
    run(async () => {
      setConfirm(false);
      setDone(await api('tiers.apply', { model: valid.data! }));
      onSaved();
    });

  const moving = preview ? moves(preview.cells) : 0;
  const changed = preview ? moves(preview.changed) : 0;
  const drift = preview ? moves(preview.drift) : 0;

  return (
    <>
      <section className="panel" aria-labelledby="tiers-factors">
        <h2 id="tiers-factors">{t('tiers.factors')}</h2>
        <div className="form-rows">
          <label htmlFor="tier-model-name">{t('tiers.name')}</label>
          <input
            id="tier-model-name"
            data-testid="tier-name"
            value={name}
            maxLength={60}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <table className="data-table mapping" data-testid="tier-factors">
          <thead>
            <tr>
              <th scope="col">{t('tiers.factor')}</th>
              <th scope="col">{t('tiers.use')}</th>
              <th scope="col">{t('tiers.weight')}</th>
              <th scope="col">{t('tiers.zero')}</th>
              <th scope="col">{t('tiers.full')}</th>
            </tr>
          </thead>
          <tbody>
            {(Object.keys(FACTORS) as Factor[]).map((f) => (
              <tr key={f} data-testid={`tier-factor-${f}`}>
                <th scope="row">{t(`tiers.factorNames.${f}`)}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t(`tiers.factorNames.${f}`)} ${t('tiers.use')}`}
                    checked={weights[f].on}
                    onChange={(e) => setWeights((w) => ({ ...w, [f]: { ...w[f], on: e.target.checked } }))}
                  />
                </td>
                {(['weight', 'zero', 'full'] as const).map((k) => (
                  <td key={k}>
                    <input
                      aria-label={`${t(`tiers.factorNames.${f}`)} ${t(`tiers.${k}`)}`}
                      data-testid={`tier-${f}-${k}`}
                      inputMode="decimal"
                      value={weights[f][k]}
                      disabled={!weights[f].on}
                      onChange={(e) => setWeights((w) => ({ ...w, [f]: { ...w[f], [k]: e.target.value } }))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('tiers.penalties')}</h3>
        <table className="data-table mapping">
          <tbody>
            {(Object.keys(PENALTIES) as Penalty[]).map((p) => (
              <tr key={p}>
                <th scope="row">{t(`tiers.penaltyNames.${p}`)}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${t(`tiers.penaltyNames.${p}`)} ${t('tiers.use')}`}
                    checked={pens[p].on}
                    onChange={(e) => setPens((x) => ({ ...x, [p]: { ...x[p], on: e.target.checked } }))}
                  />
                </td>
                <td>
                  <label>
                    {t('tiers.points')}{' '}
                    <input
                      size={5}
                      inputMode="decimal"
                      value={pens[p].points}
                      disabled={!pens[p].on}
                      onChange={(e) => setPens((x) => ({ ...x, [p]: { ...x[p], points: e.target.value } }))}
                    />
                  </label>
                </td>
                <td>
                  <label>
                    {t('tiers.capAt')}{' '}
                    <select
                      value={pens[p].capAt}
                      disabled={!pens[p].on}
                      onChange={(e) => setPens((x) => ({ ...x, [p]: { ...x[p], capAt: e.target.value } }))}
                    >
                      <option value="">{t('tiers.noCap')}</option>
                      {TIER_ORDER.map((tier) => (
                        <option key={tier} value={tier}>
                          {t(`tiers.${tier}`)}
                        </option>
                      ))}
                    </select>
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>{t('tiers.thresholds')}</h3>
        <div className="actions">
          {THRESHOLD_TIERS.map((k) => (
            <label key={k}>
              {t(`tiers.${k}`)} ≥{' '}
              <input
                size={5}
                inputMode="decimal"
                data-testid={`tier-threshold-${k}`}
                value={thr[k]}
                onChange={(e) => setThr((x) => ({ ...x, [k]: e.target.value }))}
              />
            </label>
          ))}
        </div>
        {!valid.success && (
          <p className="status status-error" data-testid="tier-invalid">
            {t('tiers.invalid')}
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="btn"
            data-testid="tier-preview"
            disabled={!valid.success || busy}
            onClick={doPreview}
          >
            {t('tiers.preview')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="tier-apply"
            disabled={!valid.success || busy || !preview}
            onClick={() => setConfirm(true)}
          >
            {t('tiers.apply')}
          </button>
          <span className="muted">{t('tiers.asOf', { at: preview?.factorsAsOf ?? asOf ?? '—' })}</span>
          {done && (
            <span className="status-pill pill-ok" data-testid="tier-done">
              {t('tiers.done', { version: done.version, changed: count(done.changed, lng) })}
            </span>
          )}
        </div>
        {error && (
          <p className="status status-error" role="alert">
            {errorText(error)}
          </p>
        )}
      </section>
      {preview && (
        <section className="panel" aria-labelledby="tiers-whatif">
          <h2 id="tiers-whatif">{t('tiers.whatIfTitle')}</h2>
          <p data-testid="tier-moving">{t('tiers.moving', { n: count(moving, lng) })}</p>
          <p className="muted" data-testid="tier-split">
            {t('tiers.split', {
              changed: count(changed, lng),
              drift: count(drift, lng),
              baseline: preview.baseline
                ? t('tiers.baselineVersion', { version: preview.baseline.version })
                : t('tiers.baselineDefault'),
            })}
          </p>
          <h3 id="tiers-changed">{t('tiers.changedTitle', { n: count(changed, lng) })}</h3>
          <MoveMatrix
            cells={preview.changed}
            corner={t('tiers.cornerChanged')}
            testId="tier-matrix"
            labelledBy="tiers-changed"
          />
          {drift > 0 && (
            <details className="tier-drift" data-testid="tier-drift">
              <summary>{t('tiers.driftTitle', { n: count(drift, lng) })}</summary>
              <p className="muted small">{t('tiers.driftNote')}</p>
              <MoveMatrix cells={preview.drift} corner={t('tiers.cornerDrift')} testId="tier-drift-matrix" />
            </details>
          )}
        </section>
      )}
      <Modal open={confirm} title={t('tiers.apply')} onClose={() => setConfirm(false)} testId="tier-confirm">
        <p>{t('tiers.applyAsk', { n: count(moving, lng) })}</p>
        {drift > 0 && (
          <p className="muted">{t('tiers.applySplit', { changed: count(changed, lng), drift: count(drift, lng) })}</p>
        )}
        <div className="actions">
          <button type="button" className="btn" onClick={() => setConfirm(false)}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-primary" data-testid="tier-confirm-button" onClick={doApply}>
            {t('tiers.apply')}
          </button>
        </div>
      </Modal>
    </>
  );
}

const moves = (cells: readonly WhatIfCellResult[]) =>
  cells.filter((c) => c.from !== c.to).reduce((n, c) => n + c.customers, 0);

/** From-tier by to-tier counts (and AUM) of a what-if; the diagonal is who stays. */
function MoveMatrix({
  cells,
  corner,
  testId,
  labelledBy,
}: {
  cells: readonly WhatIfCellResult[];
  /** What rows and columns are ("当前模型 → 新模型"). */
  corner: string;
  testId: string;
  labelledBy?: string;
}) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const tiers = [...TIER_ORDER] as string[];
  const rank = (x: string) => (x === 'none' ? tiers.length : tiers.indexOf(x));
  const fromTiers = [...new Set(cells.map((c) => c.from))].sort((a, b) => rank(a) - rank(b));
  const cell = (from: string, to: string) => cells.find((c) => c.from === from && c.to === to);
  return (
    <div className="table-wrap">
      <table className="data-table matrix" data-testid={testId} aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col">{corner}</th>
            {tiers.map((to) => (
              <th key={to} scope="col">
                {t(`tiers.${to}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {fromTiers.map((from) => (
            <tr key={from}>
              <th scope="row">{from === 'none' ? t('customers.noTier') : t(`tiers.${from}`)}</th>
              {tiers.map((to) => {
                const c = cell(from, to);
                return (
                  <td
                    key={to}
                    className={`num${from === to ? ' stay' : c ? ' move' : ''}`}
                    title={c ? `${yuan(c.aum)}` : ''}
                  >
                    {c ? count(c.customers, lng) : ''}
                    {c && <div className="muted small">{yuan(c.aum)}</div>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
