import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/use-api';
import { ErrorNotice, Loading } from '../../components/ui';
import { TrainPanel } from './TrainPanel';
import { VersionDetailPanel } from './VersionDetail';
import { VersionsTable } from './VersionsTable';
import './lab.css';

/**
 * 模型实验室 (president, administrator): train a model on the branch's own history, compare versions,
 * read the ten-group table and calibration, activate one for scoring, push its top groups, and watch
 * how past scores turned out.
 */
export function ModelLabPage() {
  const { t } = useTranslation();
  const targets = useApi('lab.targets', {});
  const versions = useApi('lab.versions', {});
  const [picked, setPicked] = useState<number | null>(null);
  const list = versions.data ?? [];
  // the version shown: the one picked, else the newest
  const selected = picked !== null && list.some((v) => v.version === picked) ? picked : (list[0]?.version ?? null);
  const reloadVersions = versions.reload;
  const reloadTargets = targets.reload;
  const changed = useCallback(() => {
    reloadVersions();
    reloadTargets();
  }, [reloadVersions, reloadTargets]);
  const activeOfKey = useCallback(
    (key: string) => list.find((v) => v.key === key && v.active)?.version ?? null,
    [list],
  );

  return (
    <section className="page" data-testid="lab-page" aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title">{t('lab.nav')}</h1>
          <p className="muted">{t('lab.intro')}</p>
        </div>
      </header>
      <ErrorNotice error={targets.error ?? versions.error} onRetry={changed} />
      <div className="lab-top">
        {targets.data ? (
          <TrainPanel
            info={targets.data}
            onTrained={(v) => {
              if (v !== null) setPicked(v);
              changed();
            }}
          />
        ) : (
          <section className="panel">{targets.loading && <Loading />}</section>
        )}
        <section className="panel" aria-labelledby="lab-versions-title">
          <h2 id="lab-versions-title">{t('lab.versions.title')}</h2>
          {versions.loading && !versions.data ? (
            <Loading />
          ) : (
            <VersionsTable versions={list} selected={selected} onSelect={setPicked} />
          )}
        </section>
      </div>
      {selected !== null && (
        <VersionDetailPanel key={selected} version={selected} activeOfKey={activeOfKey} onChanged={changed} />
      )}
    </section>
  );
}
