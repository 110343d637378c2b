import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LabPushResult, LabVersionDetail } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction, useApi } from '../../api/use-api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ui';
import { count } from '../../format';
import { currentLanguage } from '../../i18n';
import { TopCustomers } from './TopCustomers';

const RANGES = [1, 2, 3, 5] as const;

/**
 * 下发高分客户: the top groups of the active scores as a marketing list (营销名单, to the managers of
 * record) or as opportunities (商机); the app's dialog asks first, with the count in the president's scope.
 */
export function PushBar({ d, target }: { d: LabVersionDetail; target: string }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const [groups, setGroups] = useState<number>(1);
  const [name, setName] = useState('');
  const [asking, setAsking] = useState<'campaign' | 'opportunities' | null>(null);
  const [done, setDone] = useState<(LabPushResult & { name: string }) | null>(null);
  const action = useAction();
  // group 1 alone reads as such (第 1 组), not as the range 第 1–1 组
  const pick = (key: string) => `lab.push.${key}${groups === 1 ? 'First' : ''}`;
  const deciles = Array.from({ length: groups }, (_, i) => i + 1);
  const scored = d.active && d.scoredAt !== null;
  const total = useApi('lab.scores', { version: d.version, deciles, limit: 1 }, { enabled: scored });
  const customers = total.data?.total ?? null;
  const listName = name.trim() || t(pick('defaultName'), { target, n: groups });

  const push = async (as: 'campaign' | 'opportunities') => {
    setAsking(null);
    setDone(null);
    const r = await action.run(() =>
      api('lab.push', { version: d.version, deciles, as, ...(as === 'campaign' ? { name: listName } : {}) }),
    );
    if (r) setDone({ ...r, name: listName });
  };

  if (!scored)
    return (
      <p className="lab-push muted" data-testid="lab-push-needs-active">
        {t('lab.push.needActive')}
      </p>
    );
  const n = customers === null ? '—' : count(customers, lng);
  return (
    <div className="lab-push" data-testid="lab-push">
      <h3>{t('lab.push.title')}</h3>
      <label htmlFor="lab-push-groups">{t('lab.push.groupsLabel')}</label>
      <select
        id="lab-push-groups"
        data-testid="lab-push-groups"
        value={groups}
        onChange={(e) => setGroups(Number(e.target.value))}
      >
        {RANGES.map((k) => (
          <option key={k} value={k}>
            {t('lab.push.groups', { n: k, count: k })}
          </option>
        ))}
      </select>
      <span className="muted" data-testid="lab-push-count" data-customers={customers ?? ''}>
        {t(pick('count'), { n: groups, customers: n })}
      </span>
      <label htmlFor="lab-push-name">{t('lab.push.listName')}</label>
      <input
        id="lab-push-name"
        data-testid="lab-push-name"
        maxLength={60}
        value={name}
        placeholder={t(pick('defaultName'), { target, n: groups })}
        onChange={(e) => setName(e.target.value)}
      />
      <button
        type="button"
        className="btn btn-primary"
        data-testid="lab-push-campaign"
        disabled={!customers || action.busy}
        onClick={() => setAsking('campaign')}
      >
        {t('lab.push.asList')}
      </button>
      <button
        type="button"
        className="btn"
        data-testid="lab-push-opps"
        disabled={!customers || action.busy}
        onClick={() => setAsking('opportunities')}
      >
        {t('lab.push.asOpps')}
      </button>
      <ErrorNotice error={action.error} />
      {done && (
        <p className="notice notice-ok" role="status" data-testid="lab-pushed" data-customers={done.customers}>
          {done.kind === 'campaign'
            ? t('lab.push.doneList', { name: done.name, n: count(done.customers, lng) })
            : t('lab.push.doneOpps', {
                n: count(done.created, lng),
                skipped: count(done.customers - done.created, lng),
              })}{' '}
          <a href={done.kind === 'campaign' ? '#/campaigns' : '#/opportunities'}>{t('lab.push.open')}</a>
        </p>
      )}
      <TopCustomers version={d.version} deciles={deciles} />
      <ConfirmDialog
        open={asking !== null}
        title={asking === 'opportunities' ? t('lab.push.asOpps') : t('lab.push.asList')}
        text={
          asking === 'opportunities'
            ? t(pick('confirmOpps'), { n: groups, customers: n, target })
            : t(pick('confirmList'), { n: groups, customers: n, name: listName })
        }
        confirmLabel={asking === 'opportunities' ? t('lab.push.okOpps') : t('lab.push.okList')}
        onConfirm={() => asking && void push(asking)}
        onCancel={() => setAsking(null)}
        testId="lab-push-confirm"
      />
    </div>
  );
}
