import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../shared/drill';
import { FIELD_ENUMS } from '../../../shared/customer-fields';
import { en, TERM_REF, zhCN } from '../../../shared/i18n/resources';
import { TIERS } from '../../../shared/tiers';

/**
 * One word for one thing (issue 17.11): AUM, the five channels, the six tiers and the product
 * categories are named once, in the glossary (shared/i18n/domains/glossary.json). Every other string
 * names them by reference ("$t(glossary.aum)（元）"), so no label set spells a term out again and no
 * sentence uses a synonym. Units follow one convention: full-width （元） in zh-CN, "(yuan)" in English.
 */
type Tree = { [k: string]: string | Tree };
type Lang = 'zh-CN' | 'en';

const DIR = resolve(__dirname, '../../../shared/i18n');
const CATEGORIES = ['demand', 'term', 'cd', 'wealth', 'loan', 'card', 'insurance', 'fund'] as const;

function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' ? [[key, v] as [string, string]] : leaves(v, key);
  });
}

/** Every string as written in the source files (before references resolve), with its file. */
function sources(): { file: string; lang: Lang; key: string; text: string }[] {
  const out: { file: string; lang: Lang; key: string; text: string }[] = [];
  for (const lang of ['zh-CN', 'en'] as const) {
    const base = JSON.parse(readFileSync(join(DIR, `${lang}.json`), 'utf8')) as Tree;
    for (const [key, text] of leaves(base)) out.push({ file: `${lang}.json`, lang, key, text });
  }
  for (const f of readdirSync(join(DIR, 'domains')).filter((n) => n.endsWith('.json'))) {
    if (f === 'glossary.json') continue;
    const d = JSON.parse(readFileSync(join(DIR, 'domains', f), 'utf8')) as Record<Lang, Tree>;
    for (const lang of ['zh-CN', 'en'] as const)
      for (const [key, text] of leaves(d[lang])) out.push({ file: `domains/${f}`, lang, key, text });
  }
  return out;
}

const SRC = sources();
const lookup = (tree: Tree, key: string): string | undefined => {
  let at: string | Tree | undefined = tree;
  for (const p of key.split('.')) at = typeof at === 'object' ? at[p] : undefined;
  return typeof at === 'string' ? at : undefined;
};
const where = (s: { file: string; lang: Lang; key: string; text: string }) => `${s.file} ${s.lang} ${s.key}: ${s.text}`;
const withoutRefs = (text: string) => text.replace(TERM_REF, '');

/** Synonyms a string may not spell out: it names the term through the glossary instead. */
const SPELLED_OUT: Record<Lang, { term: string; re: RegExp }[]> = {
  'zh-CN': [
    { term: 'AUM', re: /AUM|管户资产|管理资产|金融资产|资产合计|户均资产/ },
    { term: 'channels', re: /电话银行|手机银行|网上银行|网银|自助设备/ },
  ],
  en: [
    { term: 'AUM', re: /\bAUM\b|assets under management/i },
    { term: 'channels', re: /phone banking|mobile banking|online banking|online\/mobile/i },
  ],
};

/** Label sets of coded values: a key <parent>.<code> whose parent names the kind holds only the reference. */
const LABEL_SETS: { group: string; parent: RegExp; codes: readonly string[] }[] = [
  { group: 'tier', parent: /tier/i, codes: TIERS },
  { group: 'channel', parent: /channel/i, codes: CHANNELS },
  { group: 'category', parent: /categor|products/i, codes: CATEGORIES },
];

describe('the glossary', () => {
  it('names each term in both languages', () => {
    for (const tree of [zhCN, en] as Tree[]) {
      expect(lookup(tree, 'glossary.aum')).toBeTruthy();
      for (const set of LABEL_SETS)
        for (const code of set.codes) expect(lookup(tree, `glossary.${set.group}.${code}`), code).toBeTruthy();
    }
  });

  it('is the only place that spells out AUM and the channels', () => {
    const bad = SRC.filter((s) => SPELLED_OUT[s.lang].some((x) => x.re.test(withoutRefs(s.text)))).map(where);
    expect(bad).toEqual([]);
  });

  it('every label set of tiers, channels and product categories refers to it', () => {
    const bad: string[] = [];
    let seen = 0;
    for (const s of SRC) {
      const parts = s.key.split('.');
      const code = parts.at(-1)!;
      const parent = parts.at(-2) ?? '';
      for (const set of LABEL_SETS) {
        if (!set.codes.includes(code) || !set.parent.test(parent)) continue;
        seen++;
        if (s.text !== `$t(glossary.${set.group}.${code})`) bad.push(where(s));
      }
    }
    expect(bad).toEqual([]);
    // the report, desktop and 360 label sets are there to be checked (a renamed key would hide them)
    expect(seen).toBeGreaterThanOrEqual(2 * (5 * 3 + 6 + 8 * 2));
  });

  it('the screens read the same words: label sets, the catalogue and the AUM column resolve to the terms', () => {
    for (const [lang, tree] of [
      ['zh-CN', zhCN],
      ['en', en],
    ] as const) {
      const g = (k: string) => lookup(tree as Tree, `glossary.${k}`);
      for (const c of CHANNELS)
        for (const k of [`reports.channel.${c}`, `desktop.channels.${c}`, `c360.channels.${c}`])
          expect(lookup(tree as Tree, k), `${lang} ${k}`).toBe(g(`channel.${c}`));
      for (const t of TIERS) {
        expect(lookup(tree as Tree, `tiers.${t}`), `${lang} tiers.${t}`).toBe(g(`tier.${t}`));
        expect(lookup(tree as Tree, `reports.tier.${t}`), `${lang} reports.tier.${t}`).toBe(g(`tier.${t}`));
        expect(FIELD_ENUMS.tier.labels[t][lang]).toBe(g(`tier.${t}`));
      }
      for (const c of CATEGORIES)
        for (const k of [`reports.category.${c}`, `desktop.products.${c}`])
          expect(lookup(tree as Tree, k), `${lang} ${k}`).toBe(g(`category.${c}`));
      const aum = g('aum')!;
      for (const k of ['customer.aumYuan', 'grid.statAum', 'reports.col.aum', 'desktop.metrics.aum', 'c360.kpi.aum'])
        expect(lookup(tree as Tree, k), `${lang} ${k}`).toContain(aum);
      // no reference is left unresolved
      expect(leaves(tree as Tree).filter(([, v]) => v.includes('$t(glossary'))).toEqual([]);
    }
  });
});

describe('units in brackets', () => {
  it('zh-CN uses full-width brackets around units and words, e.g. （元） and （%）', () => {
    const bad = SRC.filter((s) => s.lang === 'zh-CN' && /\([^()]*[\u4e00-\u9fff%][^()]*\)/.test(s.text)).map(where);
    expect(bad).toEqual([]);
  });

  it('English names the currency one way: yuan, not CNY', () => {
    const bad = SRC.filter((s) => s.lang === 'en' && /\bCNY\b|RMB/.test(s.text)).map(where);
    expect(bad).toEqual([]);
  });
});
