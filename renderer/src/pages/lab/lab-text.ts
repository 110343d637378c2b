/** Words for the lab's codes (targets, learners, steps) in the app's language; pure but for `t`. */
import type { TFunction } from 'i18next';
import type { LabTarget, LabTargetKind } from '../../../../shared/lab';

/** A target by its key ('churn', 'product:card'…) or value: 客户流失 / 开通银行卡. */
export function targetLabel(t: TFunction, target: LabTarget | string): string {
  const key =
    typeof target === 'string' ? target : target.kind === 'product' ? `product:${target.category}` : target.kind;
  const [kind, category] = key.split(':');
  if (kind === 'product' && category)
    return t('lab.targets.takeUpOf', { category: t(`glossary.category.${category}`, { defaultValue: category }) });
  return t(`lab.targets.${kind}`, { defaultValue: key });
}

/** The outcome as a short word for table heads (流失 / 贷款 / 开通). */
export function outcomeWord(t: TFunction, target: LabTarget | string): string {
  const kind = (typeof target === 'string' ? target.split(':')[0] : target.kind) as LabTargetKind;
  return t(`lab.outcome.${kind === 'product' ? 'takeUp' : kind}`);
}

/** The outcome as a table head's word (实际流失 / Attrited). */
export function outcomeHead(t: TFunction, target: LabTarget | string): string {
  const kind = (typeof target === 'string' ? target.split(':')[0] : target.kind) as LabTargetKind;
  return t(`lab.outcomeHead.${kind === 'product' ? 'takeUp' : kind}`);
}

export const auc = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(3));

export const pct1 = (v: number | null | undefined): string =>
  v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)}%`;

/** Month ends from `latest` back to `earliest` (both 'YYYY-MM-DD' month ends), newest first. */
export function monthEnds(earliest: string | null, latest: string | null): string[] {
  if (!earliest || !latest) return [];
  const out: string[] = [];
  let y = Number(latest.slice(0, 4));
  let m = Number(latest.slice(5, 7));
  for (let guard = 0; guard < 240; guard++) {
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const d = `${y}-${String(m).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
    if (d < earliest) break;
    out.push(d);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return out;
}
