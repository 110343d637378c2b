/**
 * The translation trees, one per language: the base files (en.json, zh-CN.json) with each feature
 * domain's strings (domains/<domain>.json, holding both languages side by side) and the customer
 * field catalogue's titles and value labels (customer-fields.ts) merged in. In shared/ because both
 * sides read them: the renderer for its screens, the main process for what it writes into files
 * (export titles, report and desktop headings). Domains keep their own files so features land without
 * editing one shared file; a key defined twice is a bug and throws at start-up (and in the i18n test).
 */
import { FIELD_STRINGS } from './customer-fields';
import enBase from './en.json';
import zhBase from './zh-CN.json';
import auditChain from './domains/audit-chain.json';
import cli from './domains/cli.json';
import desktop from './domains/desktop.json';
import forms from './domains/forms.json';
import glossary from './domains/glossary.json';
import guarantees from './domains/guarantees.json';
import imports from './domains/imports.json';
import labEngine from './domains/lab-engine.json';
import modelLab from './domains/model-lab.json';
import modelGroups from './domains/model-groups.json';
import models from './domains/models.json';
import nextProductRisk from './domains/next-product-risk.json';
import opportunities from './domains/opportunities.json';
import queryAudit from './domains/query-audit.json';
import referrals from './domains/referrals.json';
import reminders from './domains/reminders.json';
import reports from './domains/reports.json';
import scores from './domains/scores.json';
import screensPolish from './domains/screens-polish.json';
import security from './domains/security.json';
import securitySearch from './domains/security-search.json';
import settings from './domains/settings.json';
import sync from './domains/sync.json';
import storeProtection from './domains/store-protection.json';
import comparisons from './domains/comparisons.json';
import tierModel from './domains/tier-model.json';
import upgrade from './domains/upgrade.json';
import watchList from './domains/watch-list.json';

export type Tree = { [k: string]: string | Tree };

interface DomainFile {
  'zh-CN': Tree;
  en: Tree;
}

const DOMAINS: Record<string, DomainFile> = {
  'audit-chain': auditChain,
  cli,
  desktop,
  forms,
  glossary,
  guarantees,
  imports,
  'lab-engine': labEngine,
  'model-lab': modelLab,
  'model-groups': modelGroups,
  models,
  'next-product-risk': nextProductRisk,
  opportunities,
  'query-audit': queryAudit,
  referrals,
  reminders,
  reports,
  scores,
  'screens-polish': screensPolish,
  security,
  'security-search': securitySearch,
  settings,
  sync,
  'store-protection': storeProtection,
  'tier-model': tierModel,
  comparisons,
  upgrade,
  'watch-list': watchList,
} as Record<string, DomainFile>;

function merge(into: Tree, from: Tree, where: string, path = ''): void {
  for (const [k, v] of Object.entries(from)) {
    const key = path ? `${path}.${k}` : k;
    const have = into[k];
    if (typeof v === 'string' || typeof have === 'string') {
      if (have !== undefined) throw new Error(`i18n key ${key} is defined twice (${where})`);
      into[k] = v;
    } else {
      if (have === undefined) into[k] = {};
      merge(into[k] as Tree, v, where, key);
    }
  }
}

/** A glossary reference inside a string: "$t(glossary.aum)（元）". */
export const TERM_REF = /\$t\((glossary\.[\w.]+)\)/g;

/**
 * Replaces every glossary reference with the term (domains/glossary.json), so each of AUM, the
 * channels, tiers and product categories is named in one place and the trees hold plain strings for
 * both i18next and the main process. A reference to no term is a bug and throws.
 */
function resolveTerms(tree: Tree, root: Tree, path = ''): void {
  for (const [k, v] of Object.entries(tree)) {
    const key = path ? `${path}.${k}` : k;
    if (typeof v !== 'string') resolveTerms(v, root, key);
    else if (v.includes('$t('))
      tree[k] = v.replace(TERM_REF, (_m, ref: string) => {
        let at: string | Tree | undefined = root;
        for (const part of ref.split('.')) at = typeof at === 'object' ? at[part] : undefined;
        if (typeof at !== 'string') throw new Error(`i18n key ${key} names no glossary term: ${ref}`);
        return at;
      });
  }
}

function build(base: Tree, lang: keyof DomainFile): Tree {
  const out: Tree = structuredClone(base);
  for (const [name, file] of Object.entries(DOMAINS)) merge(out, file[lang], `domains/${name}.json`);
  merge(out, FIELD_STRINGS[lang], 'shared/customer-fields.ts');
  resolveTerms(out, out);
  return out;
}

export const zhCN: Tree = build(zhBase as Tree, 'zh-CN');
export const en: Tree = build(enBase as Tree, 'en');
