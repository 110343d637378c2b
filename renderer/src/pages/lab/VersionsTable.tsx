import { useTranslation } from 'react-i18next';
import type { LabVersionSummary } from '../../../../shared/api';
import { Empty } from '../../components/ui';
import { dateTime } from '../../format';
import { auc, targetLabel } from './lab-text';

/** 模型版本: every trained version, newest first; a click (or Enter on its number) shows its figures. */
export function VersionsTable({
  versions,
  selected,
  onSelect,
}: {
  versions: readonly LabVersionSummary[];
  selected: number | null;
  onSelect: (version: number) => void;
}) {
  const { t } = useTranslation();
  if (!versions.length) return <Empty text={t('lab.versions.none')} />;
  return (
    <div className="table-wrap lab-versions-wrap">
      <table className="data-table compact lab-versions" data-testid="lab-versions">
        <thead>
          <tr>
            <th scope="col">{t('lab.versions.version')}</th>
            <th scope="col">{t('lab.versions.target')}</th>
            <th scope="col">{t('lab.versions.cutoff')}</th>
            <th scope="col">{t('lab.versions.window')}</th>
            <th scope="col">{t('lab.versions.learner')}</th>
            <th scope="col" className="num">
              {t('lab.versions.cvAuc')}
            </th>
            <th scope="col" className="num">
              {t('lab.versions.holdoutAuc')}
            </th>
            <th scope="col">{t('lab.versions.state')}</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr
              key={v.version}
              title={t('lab.versions.trainedBy', { name: v.createdBy, at: dateTime(v.createdAt) })}
              data-testid="lab-version-row"
              data-version={v.version}
              data-key={v.key}
              aria-selected={v.version === selected}
              onClick={() => onSelect(v.version)}
            >
              <th scope="row">
                <button
                  type="button"
                  className="lab-version-link"
                  data-testid={`lab-version-${v.version}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(v.version);
                  }}
                >
                  {t('lab.versions.versionN', { n: v.version })}
                </button>
              </th>
              <td>{targetLabel(t, v.target)}</td>
              <td>{v.cutoff}</td>
              <td>{t('lab.form.months', { n: v.outcomeMonths, count: v.outcomeMonths })}</td>
              <td>{t(`lab.learnersShort.${v.learner}`)}</td>
              <td className="num">{auc(v.auc)}</td>
              <td className="num">{auc(v.holdoutAuc)}</td>
              <td>
                {v.active ? (
                  <span className="status-pill pill-ok">{t('lab.versions.active')}</span>
                ) : v.leak ? (
                  <span className="status-pill pill-warn">{t('lab.leak.short')}</span>
                ) : (
                  <span className="muted">{t('lab.versions.inactive')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
