/**
 * The customer grid's two toolbars: views (all, favourites, lists, saved queries), 高级查询 and the
 * grid's actions; and the quick search with tier chips, quick chips and the AUM range.
 */
import type { RefObject } from 'react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS } from '../../../../shared/api';
import { countConditions } from '../../components/QueryBuilder';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';
import { useCan } from '../../session';
import { PinToDesktop } from '../desktop/PinToDesktop';
import { CHIPS, parseView, type SearchState, toggle, viewValue, type ViewsState } from './use-customer-grid';

/** What the views toolbar's buttons open (a dialog each); the page owns the dialogs. */
export type GridDialog = 'builder' | 'adding' | 'pushing' | 'choosing';

export function ViewsToolbar({ views, onOpen }: { views: ViewsState; onOpen: (d: GridDialog) => void }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const id = useId();
  const canPush = useCan('campaign.manage');
  const canPin = useCan('portfolio.overview');
  const { view, setView, advanced, setAdvanced, lists, queries } = views;
  return (
    <div className="grid-toolbar">
      <label htmlFor={`${id}-view`}>{t('grid.view')}</label>
      <select
        id={`${id}-view`}
        data-testid="grid-view"
        value={viewValue(view)}
        onChange={(e) => setView(parseView(e.target.value))}
      >
        <option value="all">{t('grid.views.all')}</option>
        <option value="favorites">{t('grid.views.favorites')}</option>
        {lists.length > 0 && (
          <optgroup label={t('grid.views.lists')}>
            {lists.map((l) => (
              <option key={l.id} value={`list:${l.id}`}>
                {l.name} ({count(l.members, lng)}){l.mine ? '' : ` · ${l.ownerName}`}
              </option>
            ))}
          </optgroup>
        )}
        {queries.length > 0 && (
          <optgroup label={t('grid.views.queries')}>
            {queries.map((q2) => (
              <option key={q2.id} value={`query:${q2.id}`}>
                {q2.name}
                {q2.mine ? '' : ` · ${q2.ownerName}`}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      <button
        type="button"
        className={`btn${advanced ? ' btn-active' : ''}`}
        data-testid="grid-advanced"
        aria-keyshortcuts="Q"
        onClick={() => onOpen('builder')}
        aria-pressed={!!advanced}
      >
        {t('grid.advanced')}
        {advanced ? ` (${countConditions(advanced)})` : ''}
      </button>
      {advanced && (
        <button
          type="button"
          className="btn btn-ghost"
          data-testid="grid-advanced-clear"
          onClick={() => setAdvanced(null)}
        >
          {t('grid.clearAdvanced')}
        </button>
      )}
      <button
        type="button"
        className="btn"
        data-testid="grid-add-to-list"
        aria-keyshortcuts="L"
        onClick={() => onOpen('adding')}
      >
        {t('grid.addToList')}
      </button>
      {canPush && (
        <button type="button" className="btn" data-testid="grid-push-campaign" onClick={() => onOpen('pushing')}>
          {t('campaigns.push')}
        </button>
      )}
      <button
        type="button"
        className="btn"
        data-testid="grid-columns"
        aria-keyshortcuts="C"
        onClick={() => onOpen('choosing')}
      >
        {t('grid.columns')}
      </button>
      {canPin && (view.kind === 'list' || view.kind === 'query') && (
        <PinToDesktop what={{ kind: view.kind, id: view.id }} />
      )}
    </div>
  );
}

export function SearchToolbar({
  search,
  searchRef,
  onEnterResults,
}: {
  search: SearchState;
  searchRef: RefObject<HTMLInputElement | null>;
  /** ↓ in the search box: into the results (the first row), as in the teller's look-up. */
  onEnterResults?: () => void;
}) {
  const { t } = useTranslation();
  const searchId = useId();
  const { q, setQ, tiers, setTiers, chips, setChips, aumMin, setAumMin, aumMax, setAumMax, aumProblem } = search;
  const hintId = `${searchId}-aum-hint`;
  return (
    <>
      {/* biome-ignore lint/a11y/useSemanticElements: the toolbar holds more than the search box (chips, AUM range); <search> is for the search form alone */}
      <div className="grid-toolbar" role="search">
        <label htmlFor={searchId} className="visually-hidden">
          {t('grid.search')}
        </label>
        <input
          id={searchId}
          ref={searchRef}
          data-testid="grid-search"
          className="grid-search"
          type="search"
          value={q}
          maxLength={64}
          placeholder={t('grid.searchPlaceholder')}
          aria-keyshortcuts="/"
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && onEnterResults && !e.altKey) {
              e.preventDefault();
              onEnterResults();
            }
          }}
        />
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons, not form fields; a fieldset would bring its border and legend layout */}
        <div className="chips" role="group" aria-label={t('grid.tierChips')}>
          {TIERS.map((tier) => (
            <button
              key={tier}
              type="button"
              className="chip"
              aria-pressed={tiers.has(tier)}
              data-testid={`chip-tier-${tier}`}
              onClick={() => setTiers((s) => toggle(s, tier))}
            >
              {t(`tiers.${tier}`)}
            </button>
          ))}
        </div>
        {/* biome-ignore lint/a11y/useSemanticElements: toggle buttons, not form fields; a fieldset would bring its border and legend layout */}
        <div className="chips" role="group" aria-label={t('grid.quickChips')}>
          {CHIPS.map((c) => (
            <button
              key={c}
              type="button"
              className="chip"
              aria-pressed={chips.has(c)}
              data-testid={`chip-${c}`}
              onClick={() => setChips((s) => toggle(s, c))}
            >
              {t(`grid.chips.${c}`)}
            </button>
          ))}
        </div>
        <div className="range">
          <span className="range-label" aria-hidden="true">
            {t('grid.aumRange')}
          </span>
          <input
            className="range-input"
            aria-label={t('grid.aumMin')}
            aria-invalid={aumProblem === 'min' || aumProblem === 'order'}
            aria-describedby={aumProblem ? hintId : undefined}
            placeholder={t('grid.aumMinPlaceholder')}
            value={aumMin}
            onChange={(e) => setAumMin(e.target.value.trim())}
            data-testid="grid-aum-min"
          />
          <span aria-hidden="true">–</span>
          <input
            className="range-input"
            aria-label={t('grid.aumMax')}
            aria-invalid={aumProblem === 'max' || aumProblem === 'order'}
            aria-describedby={aumProblem ? hintId : undefined}
            placeholder={t('grid.aumMaxPlaceholder')}
            value={aumMax}
            onChange={(e) => setAumMax(e.target.value.trim())}
            data-testid="grid-aum-max"
          />
        </div>
        {aumProblem && (
          <p id={hintId} className="field-hint field-hint-error" role="alert" data-testid="grid-aum-hint">
            {t(`grid.aumProblem.${aumProblem}`)}
          </p>
        )}
      </div>
    </>
  );
}
