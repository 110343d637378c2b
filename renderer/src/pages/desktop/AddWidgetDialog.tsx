import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KPI_METRICS, type Widget, type WidgetKind } from '../../../../shared/api';
import { useApi } from '../../api/use-api';
import { Modal } from '../../components/ui';
import { bottomOf, newWidgetId, WIDGET_REGISTRY } from './registry';

/** 添加部件: pick a kind the role may place, answer its options, and it goes to the bottom of the desktop. */
export function AddWidgetDialog({
  kinds,
  taken,
  widgets,
  onAdd,
  onClose,
}: {
  kinds: WidgetKind[];
  taken: ReadonlySet<string>;
  widgets: Widget[];
  onAdd: (w: Widget) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [kind, setKind] = useState<WidgetKind>(kinds[0] ?? 'kpi');
  const def = WIDGET_REGISTRY[kind];
  const [config, setConfig] = useState<Record<string, unknown>>(def.defaults);
  const lists = useApi('lists.list', {}, { enabled: kind === 'list' });
  const queries = useApi('queries.list', {}, { enabled: kind === 'query' });
  const set = (k: string, v: unknown) => setConfig((c) => ({ ...c, [k]: v }));
  const ready =
    (kind !== 'list' || typeof config.listId === 'number') && (kind !== 'query' || typeof config.queryId === 'number');

  return (
    <Modal open title={t('desktop.addDialog.title')} onClose={onClose} testId="desk-add-dialog">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          onAdd({
            id: newWidgetId(kind, taken),
            kind,
            config,
            x: 0,
            y: bottomOf(widgets),
            w: def.size.w,
            h: def.size.h,
          });
        }}
      >
        <label htmlFor={`${id}-kind`}>{t('desktop.addDialog.kind')}</label>
        <select
          id={`${id}-kind`}
          data-testid="desk-add-kind"
          value={kind}
          onChange={(e) => {
            const k = e.target.value as WidgetKind;
            setKind(k);
            setConfig(WIDGET_REGISTRY[k].defaults);
          }}
        >
          {kinds.map((k) => (
            <option key={k} value={k}>
              {t(`desktop.kinds.${k}`)}
            </option>
          ))}
        </select>
        {def.options.includes('metric') && (
          <>
            <label htmlFor={`${id}-metric`}>{t('desktop.addDialog.metric')}</label>
            <select
              id={`${id}-metric`}
              data-testid="desk-add-metric"
              value={String(config.metric)}
              onChange={(e) => set('metric', e.target.value)}
            >
              {KPI_METRICS.map((m) => (
                <option key={m} value={m}>
                  {t(`desktop.metrics.${m}`)}
                </option>
              ))}
            </select>
          </>
        )}
        {def.options.includes('direction') && (
          <>
            <label htmlFor={`${id}-dir`}>{t('desktop.addDialog.direction')}</label>
            <select
              id={`${id}-dir`}
              value={String(config.direction)}
              onChange={(e) => set('direction', e.target.value)}
            >
              <option value="up">{t('desktop.movers.up')}</option>
              <option value="down">{t('desktop.movers.down')}</option>
            </select>
          </>
        )}
        {def.options.includes('days') && (
          <>
            <label htmlFor={`${id}-days`}>{t('desktop.addDialog.days')}</label>
            <input
              id={`${id}-days`}
              type="number"
              min={1}
              max={366}
              value={Number(config.days ?? 30)}
              onChange={(e) => set('days', Math.max(1, Math.min(366, Number(e.target.value) || 30)))}
            />
          </>
        )}
        {def.options.includes('trendMonths') && (
          <>
            <label htmlFor={`${id}-months`}>{t('desktop.addDialog.months')}</label>
            <input
              id={`${id}-months`}
              type="number"
              min={3}
              max={24}
              value={Number(config.months ?? 12)}
              onChange={(e) => set('months', Math.max(3, Math.min(24, Number(e.target.value) || 12)))}
            />
          </>
        )}
        {def.options.includes('months') && (
          <>
            <label htmlFor={`${id}-months`}>{t('desktop.addDialog.months')}</label>
            <input
              id={`${id}-months`}
              type="number"
              min={1}
              max={12}
              value={Number(config.months ?? 1)}
              onChange={(e) => set('months', Math.max(1, Math.min(12, Number(e.target.value) || 1)))}
            />
          </>
        )}
        {def.options.includes('list') && (
          <>
            <label htmlFor={`${id}-list`}>{t('desktop.addDialog.list')}</label>
            <select
              id={`${id}-list`}
              data-testid="desk-add-list"
              value={String(config.listId ?? '')}
              onChange={(e) => set('listId', Number(e.target.value))}
            >
              <option value="" disabled>
                {lists.data?.length === 0 ? t('desktop.addDialog.noLists') : '—'}
              </option>
              {lists.data?.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </>
        )}
        {def.options.includes('query') && (
          <>
            <label htmlFor={`${id}-query`}>{t('desktop.addDialog.query')}</label>
            <select
              id={`${id}-query`}
              data-testid="desk-add-query"
              value={String(config.queryId ?? '')}
              onChange={(e) => set('queryId', Number(e.target.value))}
            >
              <option value="" disabled>
                {queries.data?.length === 0 ? t('desktop.addDialog.noQueries') : '—'}
              </option>
              {queries.data?.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          </>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" data-testid="desk-add-submit" disabled={!ready}>
            {t('desktop.addDialog.add')}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
