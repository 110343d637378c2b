/** 添加到桌面: pins a customer list or saved query to the caller's desktop as a widget at the bottom. */
import { api } from '../../api/client';
import { bottomOf, newWidgetId, WIDGET_REGISTRY } from './registry';

export async function pinToDesktop(what: { kind: 'list'; id: number } | { kind: 'query'; id: number }): Promise<void> {
  const current = await api('desktop.data', {});
  const widgets = current.layout.widgets;
  const size = WIDGET_REGISTRY[what.kind].size;
  const config = what.kind === 'list' ? { listId: what.id } : { queryId: what.id };
  const taken = new Set(widgets.map((w) => w.id));
  await api('desktop.save', {
    layout: {
      widgets: [
        ...widgets,
        {
          id: newWidgetId(`pin-${what.kind}`, taken),
          kind: what.kind,
          config,
          x: 0,
          y: bottomOf(widgets),
          w: size.w,
          h: size.h,
        },
      ],
    },
  });
}
