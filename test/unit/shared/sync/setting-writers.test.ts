import { describe, expect, it } from 'vitest';
import { contract } from '../../../../shared/api';
import { hasPermission, ROLES, SETTING_WRITERS } from '../../../../shared/permissions';
import { uuid7 } from '../../../../shared/sync/ids';
import { checkWrite, type SyncActor } from '../../../../shared/sync/rules';
import { DEFAULT_SCORE_PARAMS } from '../../../../shared/scores';
import { DEFAULT_TIER_MODEL } from '../../../../shared/tiers';

/**
 * Issue 16: the app's API and the hub's write rules name one rule for the branch-wide settings. For
 * every role, calling the app's method and pushing its record to the hub are allowed or refused alike
 * (the hub used to let the president publish templates and rule settings the app refused them).
 */
const at = '2026-12-06T10:00:00.000Z';
const actor = (role: string): SyncActor => ({ userId: `u-${role}`, role, staff: role === 'admin' ? null : 'E1' });

const versionId = uuid7();
const writes: Record<
  keyof typeof SETTING_WRITERS,
  { method: keyof typeof contract; table: string; id: string; row: (a: SyncActor) => Record<string, unknown> }[]
> = {
  desktopTemplate: [
    {
      method: 'desktop.publishTemplate',
      table: 'desktop_templates',
      id: 'manager',
      row: (a) => ({ role: 'manager', layout: { widgets: [] }, published_by: a.userId, published_at: at }),
    },
  ],
  ruleSettings: [
    {
      method: 'rules.save',
      table: 'rule_settings',
      id: 'large_inflow',
      row: (a) => ({ code: 'large_inflow', enabled: false, params: {}, updated_by: a.userId, updated_at: at }),
    },
  ],
  tierModel: [
    {
      method: 'tiers.apply',
      table: 'tier_model_versions',
      id: versionId,
      row: (a) => ({ definition: DEFAULT_TIER_MODEL, created_by: a.userId, created_at: at }),
    },
    {
      method: 'tiers.apply',
      table: 'tier_model_active',
      id: 'branch',
      row: (a) => ({ version: versionId, activated_by: a.userId, activated_at: at }),
    },
  ],
  scoreSettings: [
    {
      method: 'scores.saveSettings',
      table: 'score_settings',
      id: 'branch',
      row: (a) => ({ params: DEFAULT_SCORE_PARAMS, updated_by: a.userId, updated_at: at }),
    },
  ],
};
/** Who holds each: the administrator alone, except the score parameters (the model lab's president too). */
const EXPECTED_WRITERS: Record<keyof typeof SETTING_WRITERS, string[]> = {
  desktopTemplate: ['admin'],
  ruleSettings: ['admin'],
  tierModel: ['admin'],
  scoreSettings: ['president', 'admin'],
};

describe('who writes branch-wide settings: one rule for the app and the hub', () => {
  for (const [what, cases] of Object.entries(writes)) {
    for (const c of cases) {
      it(`${c.method} and the ${c.table} record agree for every role`, () => {
        const permission = SETTING_WRITERS[what as keyof typeof SETTING_WRITERS];
        expect(contract[c.method].access).toBe(permission);
        const verdicts = ROLES.map((role) => {
          const a = actor(role);
          const related = () => ({ definition: DEFAULT_TIER_MODEL });
          const refusal = checkWrite(c.table, c.id, null, c.row(a), a, undefined, related);
          return { role, app: hasPermission(role, permission), hub: refusal === null, refusal };
        });
        for (const v of verdicts)
          expect({ role: v.role, hub: v.hub, refusal: v.refusal }).toMatchObject({ role: v.role, hub: v.app });
        // Exactly the administrator (the president, who the hub used to let through, is refused by both),
        // except where the app's permission is the president's too.
        expect(verdicts.filter((v) => v.hub).map((v) => v.role)).toEqual(
          EXPECTED_WRITERS[what as keyof typeof SETTING_WRITERS],
        );
      });
    }
  }
});
