/**
 * Drill-down URLs: a desktop figure, a report row or a reminder opens the customer grid with exactly
 * the filter behind it, carried in the URL (#/customers?filter=<json>&label=<text>&from=<hash>), so a
 * reload or the back button keeps it; `from` is the page (with its own state: the report and its
 * filters) the drill came from, which the grid names (来自分析报表) and links back to. Pure functions
 * (no DOM), shared by the page helpers in ./drill.ts and the tests.
 */
import { gridFilterSchema, type GridFilter } from '../../../../shared/api/grid';
import type { Role } from '../../../../shared/permissions';
import { homeLabelKey, parseRoute, routeParam } from '../../nav';

export function drillHref(filter: GridFilter, label: string, from?: string): string {
  const back = from?.startsWith('#/') && parseRoute(from) !== 'customers' ? from : null;
  return `#/customers?filter=${encodeURIComponent(JSON.stringify(filter))}&label=${encodeURIComponent(label)}${
    back ? `&from=${encodeURIComponent(back)}` : ''
  }`;
}

export interface Drill {
  filter: GridFilter;
  label: string;
  /** The hash of the page the drill came from; null for an old link without it. */
  from: string | null;
}

/** The drill filter in a "#/customers?..." hash, validated like any API input; null when absent or not valid. */
export function drillFromHash(hash: string): Drill | null {
  const q = hash.indexOf('?');
  if (q < 0) return null;
  const params = new URLSearchParams(hash.slice(q + 1));
  const raw = params.get('filter');
  if (!raw) return null;
  const from = params.get('from');
  try {
    const parsed = gridFilterSchema.safeParse(JSON.parse(raw));
    return parsed.success
      ? {
          filter: parsed.data,
          label: params.get('label') ?? '',
          from: from?.startsWith('#/') && parseRoute(from) ? from : null,
        }
      : null;
  } catch {
    return null;
  }
}

type T = (key: string, options?: Record<string, unknown>) => string;

/**
 * The page a drill came from, in words: 行长桌面 / 客户经理桌面, 分析报表 · 客户分析, 消息提醒…; the
 * desktop when the link does not say (drills made before links carried their origin).
 */
export function originLabel(t: T, role: Role, from: string | null): string {
  const route = from ? parseRoute(from) : 'home';
  if (!route || route === 'home') return t(homeLabelKey(role));
  if (route === 'reports') {
    const report = from ? routeParam(from) : null;
    return report
      ? `${t('reports.nav')} · ${t(`reports.names.${report}`, { defaultValue: t('reports.nav') })}`
      : t('reports.nav');
  }
  return t(`nav.${route}`);
}
