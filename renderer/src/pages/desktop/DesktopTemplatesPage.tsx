import { useEffect, useId, useMemo, useState } from 'react';
import ReactGridLayout, { useContainerWidth, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import { useTranslation } from 'react-i18next';
import {
  DESKTOP_COLS,
  DESKTOP_ROLES,
  WIDGET_ROLES,
  type DesktopRole,
  type Widget,
  type WidgetKind,
} from '../../../../shared/api';
import { api, toApiError, type ApiError } from '../../api/client';
import { useApi } from '../../api/use-api';
import { ErrorNotice, Loading, SuccessNotice } from '../../components/ui';
import { dateTime } from '../../format';
import { AddWidgetDialog } from './AddWidgetDialog';
import { WIDGET_REGISTRY } from './registry';
import './desktop.css';

/**
 * 桌面模板 (administrator): the desktop each role starts from and resets to. The layout is arranged
 * on a preview grid (titles only: the administrator sees no customer data) or edited as JSON, and
 * published; the main process validates it (kinds, options, role, grid bounds) before storing it.
 */
export function DesktopTemplatesPage() {
  const { t } = useTranslation();
  const id = useId();
  const [role, setRole] = useState<DesktopRole>('president');
  const tpl = useApi('desktop.template', { role });
  const [widgets, setWidgets] = useState<Widget[]>([]);
  const [json, setJson] = useState('');
  const [jsonBad, setJsonBad] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [done, setDone] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const { width, containerRef, mounted } = useContainerWidth();

  const apply = (next: Widget[]) => {
    setWidgets(next);
    setJson(JSON.stringify({ widgets: next }, null, 2));
    setJsonBad(false);
  };
  // A template (re)loaded from the store replaces the editor's content; apply only sets state.
  // biome-ignore lint/correctness/useExhaustiveDependencies: tpl.data is the trigger
  useEffect(() => {
    if (tpl.data) apply(tpl.data.layout.widgets);
  }, [tpl.data]);

  const layout = useMemo<Layout>(() => widgets.map((w) => ({ i: w.id, x: w.x, y: w.y, w: w.w, h: w.h })), [widgets]);
  const fromGrid = (l: Layout) =>
    widgets.map((w) => {
      const x = l.find((i) => i.i === w.id);
      return x ? { ...w, x: x.x, y: x.y, w: x.w, h: x.h } : w;
    });

  const publish = () => {
    setError(undefined);
    setDone(null);
    api('desktop.publishTemplate', { role, json }).then(
      (r) => {
        apply(r.layout.widgets);
        setDone(t('desktop.templates.published'));
        tpl.reload();
      },
      (e: unknown) => setError(toApiError(e)),
    );
  };

  return (
    <section className="page" data-testid="desktop-templates" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('desktop.templates.title')}</h1>
        <div className="actions">
          <label htmlFor={`${id}-role`}>{t('desktop.templates.role')}</label>
          <select
            id={`${id}-role`}
            data-testid="template-role"
            value={role}
            onChange={(e) => setRole(e.target.value as DesktopRole)}
          >
            {DESKTOP_ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`desktop.templates.roles.${r}`)}
              </option>
            ))}
          </select>
          <button type="button" className="btn" onClick={() => setAdding(true)} data-testid="template-add">
            {t('desktop.add')}
          </button>
          <button type="button" className="btn btn-primary" onClick={publish} data-testid="template-publish">
            {t('desktop.templates.publish')}
          </button>
        </div>
      </header>
      <ErrorNotice error={tpl.error} onRetry={tpl.reload} />
      <ErrorNotice error={error} testId="template-error" />
      <SuccessNotice text={done} />
      {tpl.loading && !tpl.data && <Loading />}
      {tpl.data && (
        <p className="muted" data-testid="template-status">
          {tpl.data.builtIn
            ? t('desktop.templates.builtIn')
            : t('desktop.templates.publishedAt', {
                by: tpl.data.publishedBy ?? '—',
                at: dateTime(tpl.data.publishedAt),
              })}
          {' · '}
          {t('desktop.templates.widgets', { n: widgets.length })}
        </p>
      )}
      <h2>{t('desktop.templates.preview')}</h2>
      <div ref={containerRef} className="desk-grid">
        {mounted && (
          <ReactGridLayout
            layout={layout}
            width={width}
            gridConfig={{ cols: DESKTOP_COLS, rowHeight: 24, margin: [8, 8], containerPadding: [0, 8] }}
            dragConfig={{ enabled: true, handle: '.desk-handle', cancel: '.desk-no-drag' }}
            onDragStop={(l) => apply(fromGrid(l))}
            onResizeStop={(l) => apply(fromGrid(l))}
          >
            {widgets.map((w) => (
              <div key={w.id} className="desk-widget panel">
                <header className="desk-handle">
                  <h2>{WIDGET_REGISTRY[w.kind]?.title(t, w.config) ?? w.kind}</h2>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost desk-no-drag"
                    aria-label={t('desktop.templates.remove')}
                    onClick={() => apply(widgets.filter((x) => x.id !== w.id))}
                  >
                    ✕
                  </button>
                </header>
                <div className="desk-body muted small">{t(`desktop.kinds.${w.kind}`)}</div>
              </div>
            ))}
          </ReactGridLayout>
        )}
      </div>
      <label htmlFor={`${id}-json`}>{t('desktop.templates.json')}</label>
      <p className="muted small">{t('desktop.templates.jsonHint')}</p>
      {jsonBad && <p className="notice-warn">{t('desktop.templates.jsonInvalid')}</p>}
      <textarea
        id={`${id}-json`}
        className="template-json"
        data-testid="template-json"
        spellCheck={false}
        value={json}
        onChange={(e) => {
          setJson(e.target.value);
          try {
            const parsed = JSON.parse(e.target.value) as { widgets?: Widget[] };
            if (
              Array.isArray(parsed.widgets) &&
              parsed.widgets.every((w) => w && typeof w.id === 'string' && w.kind in WIDGET_REGISTRY)
            ) {
              setWidgets(parsed.widgets);
              setJsonBad(false);
              return;
            }
          } catch {
            /* shown below; publishing lets the main process name the problem */
          }
          setJsonBad(true);
        }}
      />
      {adding && (
        <AddWidgetDialog
          kinds={(Object.keys(WIDGET_REGISTRY) as WidgetKind[]).filter(
            (k) => WIDGET_ROLES[k].includes(role) && !WIDGET_REGISTRY[k].pinned,
          )}
          taken={new Set(widgets.map((w) => w.id))}
          widgets={widgets}
          onClose={() => setAdding(false)}
          onAdd={(w) => {
            setAdding(false);
            apply([...widgets, w]);
          }}
        />
      )}
    </section>
  );
}
