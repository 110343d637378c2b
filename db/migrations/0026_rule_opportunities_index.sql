-- Rule opportunities (商机 derived by the opportunity rules after each import) looked up by source: on a PC
-- joined to a hub, each sync cycle finds the ones this PC derived that are not shared records yet
-- (db/sync/opportunities.ts shareDerivedOpportunities, issue 16 point 5). A partial index keeps that a
-- walk over the rule opportunities alone, not over every opportunity of the branch.
CREATE INDEX opportunities_rule ON opportunities(id) WHERE source = 'rule';
