import type { TFunction } from 'i18next';
import type { RiskSignalView } from '../../../../shared/api';
import { fenToYuan, formatYuan } from '../../../../shared/money';

const money = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? formatYuan(fenToYuan(v)) : '—');
const str = (v: unknown) => (v == null ? '—' : String(v));

/** '2026-07' as 2026年7月 / 2026-07. */
function monthOf(t: TFunction, v: unknown): string {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})$/.exec(v) : null;
  return m ? t('risk.monthOf', { y: m[1], m: m[2]!.replace(/^0/, '') }) : str(v);
}

/** What a signal saw, in words: "逾期 15 天，贷款余额 80,000.00 元". Pure given t. */
export function signalFacts(t: TFunction, s: Pick<RiskSignalView, 'signal' | 'facts'>): string {
  const f = s.facts;
  switch (s.signal) {
    case 'overdue': {
      const base = t('risk.facts.overdue', { days: str(f.days), balance: money(f.balanceFen) });
      const worst = typeof f.worst === 'number' && f.worst > 0 ? t(`risk.classes.${f.worst}`) : null;
      return worst ? `${base}${t('risk.factsJoin')}${t('risk.facts.overdueClass', { class: worst })}` : base;
    }
    case 'utilisation':
      return t('risk.facts.utilisation', { pct: str(f.pct), before: str(f.beforePct), since: str(f.since) });
    case 'outflow':
      return t('risk.facts.outflow', { days: str(f.days), amount: money(f.outFen), count: str(f.count) });
    case 'collapse':
      return t('risk.facts.collapse', { month: monthOf(t, f.month), before: money(f.beforeFen), now: money(f.nowFen) });
    case 'dormancy':
      return t('risk.facts.dormancy', { last: str(f.lastTxnOn), txns: str(f.txns) });
    case 'guaranteeCall': {
      const base = t('risk.facts.guaranteeCall', {
        loans: str(f.loans),
        balance: money(f.balanceFen),
      });
      const days =
        typeof f.days === 'number' && f.days > 0 ? t('risk.facts.guaranteeCallDays', { days: f.days }) : null;
      const worst = typeof f.worst === 'number' && f.worst > 0 ? t(`risk.classes.${f.worst}`) : null;
      return [base, days, worst ? t('risk.facts.overdueClass', { class: worst }) : null]
        .filter(Boolean)
        .join(t('risk.factsJoin'));
    }
    case 'weakGuarantor': {
      const overdue = typeof f.overdueGuarantors === 'number' && f.overdueGuarantors > 0;
      const level = typeof f.level === 'string' ? t(`risk.levels.${f.level}`) : null;
      const why = [
        overdue ? t('risk.facts.guarantorOverdue') : null,
        level ? t('risk.facts.guarantorListed', { level }) : null,
      ]
        .filter(Boolean)
        .join(t('risk.factsAnd'));
      return t('risk.facts.weakGuarantor', {
        loans: str(f.loans),
        balance: money(f.balanceFen),
        why,
      });
    }
    default:
      return '';
  }
}

/**
 * A watch-list row's signals as chips: each by name up to two (they wrap to a second line inside the
 * row, so two read whole at 1366 in English too), from three on the first and "+N more" whose title
 * names the rest (three long English names would need a third line the row does not have). Pure given t.
 */
export function signalChips(
  t: TFunction,
  signals: readonly Pick<RiskSignalView, 'signal'>[],
): { names: string[]; more: { text: string; title: string } | null } {
  const name = (s: Pick<RiskSignalView, 'signal'>) => t(`risk.signals.${s.signal}`);
  const shown = signals.length > 2 ? signals.slice(0, 1) : signals;
  const rest = signals.slice(shown.length);
  return {
    names: shown.map(name),
    more: rest.length
      ? { text: t('risk.moreSignals', { count: rest.length }), title: rest.map(name).join(t('common.listSeparator')) }
      : null,
  };
}
