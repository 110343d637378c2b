/**
 * The renderer's widget registry: for each kind, its component, title, default size and the options
 * the add dialog asks for. A new kind (reminders, referrals...) is one entry here, one on the main
 * side (main/desktop/widgets.ts) and its config schema in shared/api/desktop.ts.
 */
import type { ComponentType } from 'react';
import type { TFunction } from 'i18next';
import type { WidgetData, WidgetKind } from '../../../../shared/api';
import { ChannelMixWidget } from './widgets/ChannelMixWidget';
import { KpiWidget } from './widgets/KpiWidget';
import { MaturitiesWidget } from './widgets/MaturitiesWidget';
import { MoversWidget } from './widgets/MoversWidget';
import { PinnedWidget } from './widgets/PinnedWidget';
import { ProductMixWidget } from './widgets/ProductMixWidget';
import { PyramidWidget } from './widgets/PyramidWidget';
import { StaffLeagueWidget } from './widgets/StaffLeagueWidget';
import { TrendWidget } from './widgets/TrendWidget';
import { ViewsWidget } from './widgets/ViewsWidget';
import { RemindersWidget } from '../reminders/RemindersWidget';
import { ReferralsWidget } from './widgets/ReferralsWidget';
import { OpportunitiesWidget } from './widgets/OpportunitiesWidget';
import { CustomerValueWidget } from '../scores/CustomerValueWidget';
import { ModelGroupsWidget } from '../lab/ModelGroupsWidget';

export interface WidgetProps<K extends WidgetData['kind']> {
  data: Extract<WidgetData, { kind: K }>;
  config: Record<string, unknown>;
}

/** What the add dialog asks for a kind. */
export type WidgetOption = 'metric' | 'direction' | 'days' | 'months' | 'trendMonths' | 'list' | 'query';

export interface WidgetDef {
  component: ComponentType<WidgetProps<never>>;
  title: (t: TFunction, config: Record<string, unknown>, data?: WidgetData) => string;
  size: { w: number; h: number; minW: number; minH: number };
  options: WidgetOption[];
  defaults: Record<string, unknown>;
  /** Pinned from the customer list rather than added from the dialog. */
  pinned?: boolean;
}

const c = <K extends WidgetData['kind']>(x: ComponentType<WidgetProps<K>>) =>
  x as unknown as ComponentType<WidgetProps<never>>;
const named = (data: WidgetData | undefined): string | null =>
  data && 'name' in data && typeof data.name === 'string' ? data.name : null;

export const WIDGET_REGISTRY: Record<WidgetKind, WidgetDef> = {
  kpi: {
    component: c(KpiWidget),
    title: (t, cfg) => t(`desktop.metrics.${String(cfg.metric)}`),
    size: { w: 3, h: 3, minW: 2, minH: 3 },
    options: ['metric'],
    defaults: { metric: 'aum' },
  },
  depositTrend: {
    component: c(TrendWidget),
    title: (t) => t('desktop.kinds.depositTrend'),
    size: { w: 6, h: 8, minW: 3, minH: 5 },
    options: ['trendMonths'],
    defaults: { months: 12 },
  },
  tierPyramid: {
    component: c(PyramidWidget),
    title: (t) => t('desktop.kinds.tierPyramid'),
    size: { w: 6, h: 8, minW: 3, minH: 6 },
    options: [],
    defaults: {},
  },
  channelMix: {
    component: c(ChannelMixWidget),
    title: (t, cfg) =>
      Number(cfg.months ?? 1) > 1
        ? t('desktop.channels.titleMonths', { months: Number(cfg.months) })
        : t('desktop.kinds.channelMix'),
    size: { w: 4, h: 8, minW: 3, minH: 6 },
    options: ['months'],
    defaults: { months: 1 },
  },
  productMix: {
    component: c(ProductMixWidget),
    title: (t) => t('desktop.kinds.productMix'),
    size: { w: 4, h: 8, minW: 3, minH: 6 },
    options: [],
    defaults: { limit: 8 },
  },
  movers: {
    component: c(MoversWidget),
    title: (t, cfg) => t(`desktop.movers.${cfg.direction === 'down' ? 'down' : 'up'}`),
    size: { w: 4, h: 9, minW: 3, minH: 5 },
    options: ['direction'],
    defaults: { direction: 'up', limit: 8 },
  },
  maturities: {
    component: c(MaturitiesWidget),
    title: (t, cfg) => t('desktop.maturities.title', { days: Number(cfg.days ?? 30) }),
    size: { w: 4, h: 8, minW: 3, minH: 5 },
    options: ['days'],
    defaults: { days: 30 },
  },
  staffLeague: {
    component: c(StaffLeagueWidget),
    title: (t) => t('desktop.kinds.staffLeague'),
    size: { w: 4, h: 9, minW: 3, minH: 5 },
    options: [],
    defaults: {},
  },
  list: {
    component: c(PinnedWidget),
    title: (t, _cfg, data) => named(data) ?? t('desktop.kinds.list'),
    size: { w: 4, h: 6, minW: 2, minH: 3 },
    options: ['list'],
    defaults: {},
    pinned: true,
  },
  query: {
    component: c(PinnedWidget),
    title: (t, _cfg, data) => named(data) ?? t('desktop.kinds.query'),
    size: { w: 4, h: 6, minW: 2, minH: 3 },
    options: ['query'],
    defaults: {},
    pinned: true,
  },
  views: {
    component: c(ViewsWidget),
    title: (t) => t('desktop.kinds.views'),
    size: { w: 4, h: 8, minW: 3, minH: 4 },
    options: [],
    defaults: {},
  },
  reminders: {
    component: c(RemindersWidget),
    title: (t) => t('reminders.widgetTitle'),
    size: { w: 4, h: 8, minW: 3, minH: 4 },
    options: [],
    defaults: { limit: 6 },
  },
  referrals: {
    component: c(ReferralsWidget),
    title: (t) => t('desktop.kinds.referrals'),
    size: { w: 4, h: 9, minW: 3, minH: 5 },
    options: [],
    defaults: { limit: 5 },
  },
  opportunities: {
    component: c(OpportunitiesWidget),
    title: (t) => t('desktop.kinds.opportunities'),
    size: { w: 4, h: 7, minW: 3, minH: 5 },
    options: [],
    defaults: {},
  },
  customerValue: {
    component: c(CustomerValueWidget),
    title: (t) => t('desktop.kinds.customerValue'),
    size: { w: 5, h: 7, minW: 4, minH: 6 },
    options: [],
    defaults: {},
  },
  modelGroups: {
    component: c(ModelGroupsWidget),
    title: (t) => t('desktop.kinds.modelGroups'),
    size: { w: 4, h: 8, minW: 3, minH: 6 },
    options: [],
    defaults: {},
  },
};

/** A fresh widget id not used in the layout. */
export function newWidgetId(kind: string, taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) {
    const id = `${kind.slice(0, 16)}-${i}`;
    if (!taken.has(id)) return id;
  }
}

/** The first free row below everything (new widgets go to the bottom). */
export function bottomOf(widgets: readonly { y: number; h: number }[]): number {
  return widgets.reduce((m, w) => Math.max(m, w.y + w.h), 0);
}
