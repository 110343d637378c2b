import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerSummary } from '../../../shared/api';
import { api, toApiError, type ApiError } from '../api/client';
import { TierBadge } from '../components/Figures';
import { Empty, ErrorNotice, SuccessNotice } from '../components/ui';
import { count } from '../format';
import { anyModalOpen, isTyping } from '../router';
import { MyReferrals, ReferralDialog } from './referrals/FlagReferral';
import { NextProductHint } from './analytics/NextProduct';

export const SEARCH_DEBOUNCE_MS = 200;
const LIMIT = 20;

type SearchState =
  | { kind: 'idle' }
  | { kind: 'loading'; query: string; rows: CustomerSummary[] }
  | { kind: 'done'; query: string; rows: CustomerSummary[]; total?: number | null }
  | { kind: 'error'; query: string; error: ApiError };

/**
 * Tiers a teller's screen shows. The counter screen faces the customer: a VIP tier tells the teller to
 * serve them as such, but 普通, 限制 and 淘汰 are the bank's internal verdicts and are never shown there.
 */
const COUNTER_TIERS: ReadonlySet<string> = new Set(['gold', 'quality', 'key']);
export const counterTier = (tier: CustomerSummary['tier']) => (tier && COUNTER_TIERS.has(tier) ? tier : null);

/**
 * 柜员工作台: look a customer up by number, name, pinyin initials, mobile or ID (masked data).
 * Typing searches after a short pause; ↑/↓ move through the results, Enter opens one.
 */
export function TellerHome() {
  const { t } = useTranslation();
  const inputId = useId();
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [state, setState] = useState<SearchState>({ kind: 'idle' });
  const [active, setActive] = useState(-1);
  const [selected, setSelected] = useState<CustomerSummary | null>(null);
  const seq = useRef(0);
  // 转介商机: Alt+R opens the referral form on the chosen customer
  const [flagging, setFlagging] = useState(false);
  const [flagged, setFlagged] = useState<string | null>(null);
  const [flagCount, setFlagCount] = useState(0);
  useEffect(() => {
    function onKey(e: globalThis.KeyboardEvent) {
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyR' && selected && !anyModalOpen()) {
        e.preventDefault();
        setFlagging(true);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected]);

  // Debounced search; only the latest request may update the list.
  useEffect(() => {
    const q = query.trim();
    const mine = ++seq.current;
    if (q.length < 1) {
      setState({ kind: 'idle' });
      setActive(-1);
      return;
    }
    setState((s) => ({ kind: 'loading', query: q, rows: s.kind === 'done' || s.kind === 'loading' ? s.rows : [] }));
    const timer = window.setTimeout(() => {
      api('customers.search', { query: q, limit: LIMIT }).then(
        (rows) => {
          if (mine !== seq.current) return;
          setState({ kind: 'done', query: q, rows });
          setActive(rows.length > 0 ? 0 : -1);
          // a full page: say how many match in all ("找到 1,784 位，显示前 20 位"), not "找到 20 位"
          if (rows.length === LIMIT)
            api('customers.searchTotal', { query: q }).then(
              ({ total }) => mine === seq.current && setState((s) => (s.kind === 'done' ? { ...s, total } : s)),
              () => undefined,
            );
        },
        (e: unknown) => {
          if (mine === seq.current) setState({ kind: 'error', query: q, error: toApiError(e) });
        },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [query]);

  // "/" puts the cursor in the search box from anywhere on this page.
  useEffect(() => {
    function onKey(e: globalThis.KeyboardEvent) {
      if (e.key === '/' && !e.altKey && !e.ctrlKey && !e.metaKey && !isTyping(e.target) && !anyModalOpen()) {
        e.preventDefault();
        inputRef.current?.focus();
        inputRef.current?.select();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const rows = state.kind === 'done' || state.kind === 'loading' ? state.rows : [];
  const optionId = (i: number) => `${listId}-opt-${i}`;

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'ArrowDown' && rows.length) {
      e.preventDefault();
      setActive((a) => Math.min(rows.length - 1, a + 1));
    } else if (e.key === 'ArrowUp' && rows.length) {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Home' && rows.length && e.currentTarget !== inputRef.current) {
      e.preventDefault();
      setActive(0);
    } else if (e.key === 'End' && rows.length && e.currentTarget !== inputRef.current) {
      e.preventDefault();
      setActive(rows.length - 1);
    } else if (e.key === 'Enter') {
      const row = rows[active];
      if (row) {
        e.preventDefault();
        setSelected(row);
      }
    } else if (e.key === 'Escape' && query) {
      e.preventDefault();
      setQuery('');
      setSelected(null);
    }
  }

  // Scrolls when the active option moves; optionId is a pure function of `active` remade each render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: active is the trigger
  useEffect(() => {
    if (active >= 0) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  return (
    <section className="page" data-testid="home-teller" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.home.teller')}</h1>
      </header>
      <div className="teller-grid">
        <section className="panel" aria-labelledby="lookup-title">
          <h2 id="lookup-title">{t('teller.lookup')}</h2>
          <div className="field">
            <label htmlFor={inputId}>{t('teller.queryLabel')}</label>
            <input
              id={inputId}
              ref={inputRef}
              data-testid="teller-search"
              type="search"
              role="combobox"
              aria-expanded={rows.length > 0}
              aria-controls={listId}
              aria-autocomplete="list"
              aria-activedescendant={active >= 0 && rows[active] ? optionId(active) : undefined}
              autoComplete="off"
              spellCheck={false}
              // biome-ignore lint/a11y/noAutofocus: keyboard-first: the one field this screen is for takes the caret when it opens
              autoFocus
              maxLength={64}
              placeholder={t('teller.placeholder')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={onKeyDown}
            />
          </div>
          <p className="muted search-status" role="status" aria-live="polite" data-testid="teller-status">
            {state.kind === 'idle' && t('teller.hint')}
            {state.kind === 'loading' && t('teller.searching')}
            {state.kind === 'done' && foundText(t, state.rows.length, state.total)}
          </p>
          {state.kind === 'error' && <ErrorNotice error={state.error} />}
          {state.kind === 'done' && state.rows.length === 0 && (
            <Empty text={t('teller.none', { query: state.query })} />
          )}
          {/* The ARIA listbox pattern: focus stays on the list, aria-activedescendant names the option, and the
              list's onKeyDown moves it (options are not focusable by design; the click is the mouse path). */}
          <ul
            id={listId}
            // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: listbox with aria-activedescendant (see above)
            role="listbox"
            tabIndex={rows.length ? 0 : -1}
            aria-label={t('teller.results')}
            aria-activedescendant={active >= 0 && rows[active] ? optionId(active) : undefined}
            className="result-list"
            data-testid="teller-results"
            onKeyDown={onKeyDown}
          >
            {rows.map((c, i) => (
              // biome-ignore lint/a11y/useFocusableInteractive lint/a11y/useKeyWithClickEvents: listbox option (see above)
              <li
                key={c.id}
                id={optionId(i)}
                // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: listbox option (see above)
                role="option"
                aria-selected={i === active}
                data-testid="customer-row"
                data-customer-no={c.customerNo}
                className={i === active ? 'result active' : 'result'}
                onMouseEnter={() => setActive(i)}
                onClick={() => {
                  setActive(i);
                  setSelected(c);
                }}
              >
                <span className="result-main">
                  <span className="mono">{c.customerNo}</span>
                  <strong>{c.name}</strong>
                  {counterTier(c.tier) && <TierBadge tier={counterTier(c.tier)} />}
                </span>
                <span className="result-sub">
                  <span className="mono" title={t('customer.idNo')}>
                    {c.idNo ?? '—'}
                  </span>
                  <span className="mono" title={t('customer.mobile')}>
                    {c.mobile ?? '—'}
                  </span>
                  <span>{t('teller.managerOf', { name: c.managerName ?? t('customer.noManager') })}</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
        <CustomerCard customer={selected} onFlag={() => setFlagging(true)} />
      </div>
      <SuccessNotice text={flagged} />
      <ReferralDialog
        customer={selected}
        open={flagging}
        onClose={() => {
          setFlagging(false);
          inputRef.current?.focus();
        }}
        onDone={(r) => {
          setFlagging(false);
          setFlagged(
            r.ownerName
              ? t('referral.flag.toManager', { owner: r.ownerName, due: r.dueOn })
              : t('referral.flag.toBranch', { due: r.dueOn }),
          );
          setFlagCount((n) => n + 1);
          setQuery('');
          setSelected(null);
          inputRef.current?.focus();
        }}
      />
      <MyReferrals refresh={flagCount} />
    </section>
  );
}

/** The look-up's count: all of them, or the first page of how many (unknown while counting: "前 20 位"). */
function foundText(
  t: (k: string, o?: Record<string, unknown>) => string,
  shown: number,
  total: number | null | undefined,
) {
  if (shown === 0) return '';
  if (shown < LIMIT) return t('teller.found', { count: shown });
  if (typeof total === 'number' && total > shown) return t('teller.foundSome', { total: count(total), shown });
  if (total === shown) return t('teller.found', { count: shown });
  return t('teller.foundMany', { shown });
}

/** The chosen customer, masked as the counter sees it. */
function CustomerCard({ customer, onFlag }: { customer: CustomerSummary | null; onFlag: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="panel customer-card" aria-labelledby="card-title" aria-live="polite" data-testid="teller-card">
      <h2 id="card-title">{t('teller.card')}</h2>
      {!customer ? (
        <p className="muted">{t('teller.cardHint')}</p>
      ) : (
        <dl className="facts">
          <dt>{t('customer.name')}</dt>
          <dd>
            <strong>{customer.name}</strong>
          </dd>
          <dt>{t('customer.customerNo')}</dt>
          <dd className="mono">{customer.customerNo}</dd>
          <dt>{t('customer.kindLabel')}</dt>
          <dd>{t(`customer.kind.${customer.kind}`)}</dd>
          <dt>{t('customer.idNo')}</dt>
          <dd className="mono">{customer.idNo ?? '—'}</dd>
          <dt>{t('customer.mobile')}</dt>
          <dd className="mono">{customer.mobile ?? '—'}</dd>
          {counterTier(customer.tier) && (
            <>
              <dt>{t('customer.tier')}</dt>
              <dd>
                <TierBadge tier={counterTier(customer.tier)} />
              </dd>
            </>
          )}
          <dt>{t('customer.status')}</dt>
          <dd>{t(`customer.statusValue.${customer.status}`)}</dd>
          <dt>{t('customer.branch')}</dt>
          <dd>{customer.branchName}</dd>
          <dt>{t('customer.manager')}</dt>
          <dd>{customer.managerName ?? t('customer.noManager')}</dd>
        </dl>
      )}
      {/* 客户产品匹配: what to suggest at the counter, with why */}
      {customer && <NextProductHint key={customer.id} customerId={customer.id} />}
      {customer && (
        <div className="form-actions">
          <button
            type="button"
            className="btn btn-primary"
            onClick={onFlag}
            aria-keyshortcuts="Alt+R"
            data-testid="referral-open"
          >
            {t('referral.flag.button')} <kbd>Alt+R</kbd>
          </button>
        </div>
      )}
    </section>
  );
}
