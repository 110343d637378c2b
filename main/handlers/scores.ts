import { saveScoreParams, readScoreParams } from '../../db/scores/params';
import { customerScores, scoreSettingsView } from '../../db/scores/read';
import { syncActor } from '../../db/sync/actor';
import { shareScoreSettings } from '../../db/sync/settings';
import { kickSync } from '../sync/worker';
import { handlers } from './types';

/**
 * 客户评分: the bank's parameters (president and administrator) and one customer's breakdown (in the
 * caller's scope, in SQL). A save is audited with the parameter groups it changed and recomputes the
 * scores through the after-import steps (in a worker on a big book).
 */
export const scoresHandlers = handlers({
  'scores.settings': (_input, ctx) => scoreSettingsView(ctx.services.db),

  'scores.saveSettings': ({ params }, ctx) => {
    const db = ctx.services.db;
    const before = readScoreParams(db);
    // On a PC joined to a hub, the parameters are queued in the same transaction (db/sync/settings.ts).
    const saved = db.transaction(() => {
      const p = saveScoreParams(db, params, ctx.user.id, new Date().toISOString());
      shareScoreSettings(db, syncActor(db, ctx.user));
      return p;
    })();
    kickSync(db);
    const changed = (Object.keys(saved) as (keyof typeof saved)[]).filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(saved[k]),
    );
    ctx.audit({
      action: 'scores.saveSettings',
      outcome: 'ok',
      targetType: 'setting',
      targetId: 'scores',
      details: { params: changed },
    });
    ctx.services.followUps.schedule({ today: ctx.services.clock.today(), reason: 'startup', jobId: null });
    return scoreSettingsView(db);
  },

  'scores.customer': ({ customerId }, ctx) => customerScores(ctx.services.db, ctx.scope(), customerId),
});
