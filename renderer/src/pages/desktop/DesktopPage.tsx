import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import ReactGridLayout, { useContainerWidth, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import { useTranslation } from 'react-i18next';
import {
  DESKTOP_COLS,
  REPORTING_WIDGETS,
  WIDGET_ROLES,
  type DesktopRole,
  type FiguresUpdating,
  type DesktopView,
  type Widget,
  type WidgetKind,
  type WidgetResult,
} from '../../../../shared/api';
import { api, downloadFile, toApiError, type ApiError } from '../../api/client';
import { useApi } from '../../api/use-api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice, Loading } from '../../components/ui';
import { UpdatingBadge, useReloadWhileUpdating } from '../../components/UpdatingBadge';
import { useSession } from '../../session';
import { AddWidgetDialog } from './AddWidgetDialog';
import { WIDGET_REGISTRY } from './registry';
import './desktop.css';

const ROW_HEIGHT = 40;

/**
 * 个性化桌面 (president and managers): the user's widgets on a 12-column grid. The layout and every
 * widget's data arrive in one call; moving or resizing (mouse on the title bar and the corner, or the
 * keyboard buttons in 调整布局 mode) saves the layout at once; widgets can be added, removed, and the
 * whole desktop reset to the role's template.
 */
export function DesktopPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  const role = user.role as DesktopRole;
  const desk = useApi('desktop.data', {});
  const [widgets, setWidgets] = useState<Widget[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [saveError, setSaveError] = useState<ApiError | undefined>();
  const { width, containerRef, mounted } = useContainerWidth();

  useEffect(() => {
    if (desk.data) setWidgets(desk.data.layout.widgets);
  }, [desk.data]);
  // Figures refilled after an upgrade: fetched again until they are complete (not while arranging).
  useReloadWhileUpdating(desk.data?.updating, desk.reload, !editing);

  // Saves are serialised: the latest layout wins, never an older one arriving late.
  const pending = useRef<Widget[] | null>(null);
  const running = useRef(false);
  const flush = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      while (pending.current) {
        const next = pending.current;
        pending.current = null;
        setSaveState('saving');
        try {
          await api('desktop.save', { layout: { widgets: next } });
          setSaveError(undefined);
          setSaveState('saved');
        } catch (e) {
          setSaveError(toApiError(e));
          setSaveState('idle');
        }
      }
    } finally {
      running.current = false;
    }
  }, []);
  const save = useCallback(
    (next: Widget[], reload = false) => {
      setWidgets(next);
      pending.current = next;
      void flush().then(() => reload && desk.reload());
    },
    [flush, desk],
  );

  const fromGrid = useCallback(
    (layout: Layout, current: Widget[]): Widget[] =>
      current.map((w) => {
        const l = layout.find((x) => x.i === w.id);
        return l ? { ...w, x: l.x, y: l.y, w: l.w, h: l.h } : w;
      }),
    [],
  );

  const layout = useMemo<Layout>(
    () =>
      (widgets ?? []).map((w) => {
        const size = WIDGET_REGISTRY[w.kind].size;
        return { i: w.id, x: w.x, y: w.y, w: w.w, h: w.h, minW: size.minW, minH: size.minH };
      }),
    [widgets],
  );

  const nudge = (id: string, change: (w: Widget, all: Widget[]) => Partial<Widget>) => {
    if (!widgets) return;
    save(widgets.map((w) => (w.id === id ? { ...w, ...change(w, widgets) } : w)));
  };
  /** Down: past the nearest widget below in the same columns (the grid compacts upwards). */
  const below = (w: Widget, all: Widget[]): number => {
    const under = all
      .filter((o) => o.id !== w.id && o.y >= w.y + w.h && o.x < w.x + w.w && o.x + o.w > w.x)
      .sort((a, b) => a.y - b.y)[0];
    return under ? under.y + 1 : w.y + 1;
  };

  const view: DesktopView | undefined = desk.data;
  return (
    <section className="page desktop-page" data-testid={`home-${role}`} aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{t(`desktop.title.${role}`)}</h1>
          <p className="muted">
            {view && t('desktop.asOf', { date: view.today })}
            {view && ` · ${t(`desktop.source.${view.source}`)}`}
            {user.branchName ? ` · ${user.branchName}` : ''}
          </p>
        </div>
        <div className="actions">
          <span className="muted small" aria-live="polite" data-testid="desk-save-state">
            {saveState === 'saving' ? t('desktop.saving') : saveState === 'saved' ? t('desktop.saved') : ''}
          </span>
          <button
            type="button"
            className={`btn${editing ? ' btn-active' : ''}`}
            aria-pressed={editing}
            data-testid="desk-edit"
            onClick={() => setEditing((e) => !e)}
          >
            {editing ? t('desktop.done') : t('desktop.edit')}
          </button>
          <button type="button" className="btn" data-testid="desk-add" onClick={() => setAdding(true)}>
            {t('desktop.add')}
          </button>
          <button type="button" className="btn" data-testid="desk-reset" onClick={() => setResetting(true)}>
            {t('desktop.reset')}
          </button>
          <ConfirmDialog
            open={resetting}
            title={t('desktop.reset')}
            text={t('desktop.resetConfirm')}
            confirmLabel={t('desktop.reset')}
            danger
            testId="desk-reset-confirm"
            onCancel={() => setResetting(false)}
            onConfirm={() => {
              setResetting(false);
              void api('desktop.reset', {}).then(
                () => desk.reload(),
                (e: unknown) => setSaveError(toApiError(e)),
              );
            }}
          />
          <button
            type="button"
            className="btn"
            data-testid="desk-refresh"
            onClick={desk.reload}
            disabled={desk.loading}
          >
            {t('desktop.refresh')}
          </button>
        </div>
      </header>
      {view?.recovered && <p className="notice notice-warn">{t('desktop.recovered')}</p>}
      <ErrorNotice error={desk.error} onRetry={desk.reload} />
      <ErrorNotice error={saveError} testId="desk-save-error" />
      {desk.loading && !view && <Loading />}
      <div ref={containerRef} className="desk-grid" data-testid="desk-grid">
        {mounted && widgets && view && (
          <ReactGridLayout
            layout={layout}
            width={width}
            gridConfig={{ cols: DESKTOP_COLS, rowHeight: ROW_HEIGHT, margin: [12, 12], containerPadding: [0, 12] }}
            dragConfig={{ enabled: true, handle: '.desk-handle', cancel: '.desk-no-drag' }}
            resizeConfig={{ enabled: true, handles: ['se'] }}
            onLayoutChange={(l) => setWidgets((cur) => (cur ? fromGrid(l, cur) : cur))}
            onDragStop={(l) => save(fromGrid(l, widgets))}
            onResizeStop={(l) => save(fromGrid(l, widgets))}
          >
            {widgets.map((w) => (
              <div
                key={w.id}
                className="desk-widget panel"
                data-testid={`desk-widget-${w.id}`}
                data-kind={w.kind}
                data-x={w.x}
                data-y={w.y}
                data-w={w.w}
                data-h={w.h}
              >
                <WidgetFrame
                  onError={setSaveError}
                  widget={w}
                  result={view.widgets[w.id]}
                  updating={REPORTING_WIDGETS.includes(w.kind) ? view.updating : null}
                  editing={editing}
                  onRemove={() => save(widgets.filter((x) => x.id !== w.id))}
                  onMove={(dx, dy) =>
                    nudge(w.id, (x, all) => ({
                      x: Math.min(DESKTOP_COLS - x.w, Math.max(0, x.x + dx)),
                      y: dy > 0 ? below(x, all) : dy < 0 ? Math.max(0, x.y - 1) : x.y,
                    }))
                  }
                  onResize={(dw, dh) =>
                    nudge(w.id, (x) => {
                      const size = WIDGET_REGISTRY[x.kind].size;
                      return {
                        w: Math.min(DESKTOP_COLS - x.x, Math.max(size.minW, x.w + dw)),
                        h: Math.min(24, Math.max(size.minH, x.h + dh)),
                      };
                    })
                  }
                />
              </div>
            ))}
          </ReactGridLayout>
        )}
      </div>
      {adding && widgets && (
        <AddWidgetDialog
          kinds={(Object.keys(WIDGET_REGISTRY) as WidgetKind[]).filter((k) => WIDGET_ROLES[k].includes(role))}
          taken={new Set(widgets.map((w) => w.id))}
          widgets={widgets}
          onClose={() => setAdding(false)}
          onAdd={(w) => {
            setAdding(false);
            save([...widgets, w], true);
          }}
        />
      )}
    </section>
  );
}

function WidgetFrame({
  widget,
  result,
  updating,
  editing,
  onRemove,
  onMove,
  onResize,
  onError,
}: {
  onError: (e: ApiError | undefined) => void;
  widget: Widget;
  result: WidgetResult | undefined;
  /** Set while the reporting summaries this widget reads are refilled after an upgrade. */
  updating: FiguresUpdating | null | undefined;
  editing: boolean;
  onRemove: () => void;
  onMove: (dx: number, dy: number) => void;
  onResize: (dw: number, dh: number) => void;
}) {
  const { t } = useTranslation();
  const def = WIDGET_REGISTRY[widget.kind];
  const title = def.title(t, widget.config, result?.ok ? result.data : undefined);
  const Component = def.component;
  const btn = (label: string, glyph: string, onClick: () => void, id: string) => (
    <button
      type="button"
      className="btn btn-small btn-ghost"
      aria-label={`${title} ${label}`}
      title={label}
      onClick={onClick}
      data-testid={`desk-${id}-${widget.id}`}
    >
      {glyph}
    </button>
  );
  return (
    <>
      <header className={editing ? 'desk-handle desk-editing' : 'desk-handle'} title={t('desktop.dragHandle')}>
        {/* the whole title, also when cut to the widget's width */}
        <h2 title={title}>{title}</h2>
        <UpdatingBadge updating={updating} />
        {editing && (
          // the tools on a row of their own under the title (which they used to squeeze), in labelled groups
          // biome-ignore lint/a11y/useSemanticElements: a toolbar of buttons, not a form section: a fieldset's border and legend would be wrong here
          <div className="desk-tools desk-no-drag" role="group" aria-label={title}>
            <span className="desk-tools-group">
              <span className="desk-tools-label" aria-hidden="true">
                {t('desktop.tools.move')}
              </span>
              {btn(t('desktop.moveLeft'), '←', () => onMove(-1, 0), 'left')}
              {btn(t('desktop.moveRight'), '→', () => onMove(1, 0), 'right')}
              {btn(t('desktop.moveUp'), '↑', () => onMove(0, -1), 'up')}
              {btn(t('desktop.moveDown'), '↓', () => onMove(0, 1), 'down')}
            </span>
            <span className="desk-tools-group">
              <span className="desk-tools-label" aria-hidden="true">
                {t('desktop.tools.size')}
              </span>
              {btn(t('desktop.narrower'), '⇤', () => onResize(-1, 0), 'narrower')}
              {btn(t('desktop.wider'), '⇥', () => onResize(1, 0), 'wider')}
              {btn(t('desktop.shorter'), '⤒', () => onResize(0, -1), 'shorter')}
              {btn(t('desktop.taller'), '⤓', () => onResize(0, 1), 'taller')}
            </span>
            <button
              type="button"
              className="btn btn-small btn-ghost desk-remove"
              aria-label={`${title} ${t('desktop.remove')}`}
              title={t('desktop.remove')}
              onClick={onRemove}
              data-testid={`desk-remove-${widget.id}`}
            >
              ✕ {t('desktop.remove')}
            </button>
          </div>
        )}
        {!editing && result?.ok && (
          <button
            type="button"
            className="btn btn-small btn-ghost desk-no-drag"
            title={t('desktop.export.button')}
            aria-label={`${title} ${t('desktop.export.button')}`}
            data-testid={`desk-export-${widget.id}`}
            onClick={() => {
              onError(undefined);
              api('desktop.export', { widgetId: widget.id })
                .then((f) => downloadFile(f.id, f.name))
                .catch((e: unknown) => onError(toApiError(e)));
            }}
          >
            Excel
          </button>
        )}
      </header>
      <div className="desk-body desk-no-drag">
        {!result ? (
          <Loading />
        ) : result.ok ? (
          <Component data={result.data as never} config={widget.config} />
        ) : (
          <p className="muted" data-code={result.code}>
            {t('desktop.widgetFailed')}
          </p>
        )}
      </div>
    </>
  );
}
