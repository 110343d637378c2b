import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en, zhCN } from '../../../shared/i18n/resources';
import { TIERS } from '../../../shared/api';
import { ERROR_CODES } from '../../../shared/errors';
import { ROLES } from '../../../shared/permissions';

type Tree = { [k: string]: string | Tree };

/** "a.b.c" → value for every leaf. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const zh = flatten(zhCN as Tree);
const enFlat = flatten(en as Tree);
const PLURAL = /_(zero|one|two|few|many|other)$/;
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

/** Keys that may legitimately be empty in a language (e.g. no unit word after a count in English). */
const MAY_BE_EMPTY = new Set(['units.customers']);

describe('renderer i18n resources', () => {
  it('zh-CN and en have identical key sets', () => {
    const onlyZh = [...zh.keys()].filter((k) => !enFlat.has(k));
    const onlyEn = [...enFlat.keys()].filter((k) => !zh.has(k));
    expect(onlyZh).toEqual([]);
    expect(onlyEn).toEqual([]);
  });

  it('every ERROR_CODES entry has errors.<CODE> in both languages, and nothing else is under errors', () => {
    for (const code of ERROR_CODES) {
      expect(zh.get(`errors.${code}`), `zh-CN errors.${code}`).toBeTruthy();
      expect(enFlat.get(`errors.${code}`), `en errors.${code}`).toBeTruthy();
    }
    const extra = [...zh.keys()].filter(
      (k) => k.startsWith('errors.') && !(ERROR_CODES as readonly string[]).includes(k.slice(7)),
    );
    expect(extra).toEqual([]);
  });

  it('no value is empty and both languages use the same placeholders', () => {
    for (const [key, zhText] of zh) {
      const enText = enFlat.get(key) ?? '';
      if (!MAY_BE_EMPTY.has(key)) {
        expect(zhText.trim(), `zh-CN ${key}`).not.toBe('');
        expect(enText.trim(), `en ${key}`).not.toBe('');
      }
      expect(placeholders(enText), `placeholders of ${key}`).toEqual(placeholders(zhText));
    }
  });

  it('has labels for every role, tier, outcome and customer status the screens name', () => {
    const need = [
      ...ROLES.map((r) => `roles.${r}`),
      ...ROLES.map((r) => `nav.home.${r}`),
      ...[...TIERS, 'none'].map((t) => `tiers.${t}`),
      ...['ok', 'denied', 'failed'].map((o) => `audit.outcomes.${o}`),
      ...['active', 'dormant', 'closed'].map((s) => `customer.statusValue.${s}`),
      ...['individual', 'corporate'].map((k) => `customer.kind.${k}`),
      ...['president', 'manager', 'teller', 'admin', 'other'].map((p) => `positions.${p}`),
      ...['electron', 'browser'].map((m) => `signin.mode.${m}`),
    ];
    for (const key of need) {
      expect(zh.has(key), key).toBe(true);
      expect(enFlat.has(key), key).toBe(true);
    }
    expect(zh.get('errors.BAD_CREDENTIALS')).toBe('用户名或密码错误');
    expect(zh.get('tiers.gold')).toBe('黄金');
    expect(zh.get('roles.president')).toBe('行长');
  });

  it('every literal t("key") in the renderer source exists', () => {
    const root = resolve(__dirname, '../../../renderer/src');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(name)) files.push(p);
      }
    };
    walk(root);
    const bases = new Set([...zh.keys()].map((k) => k.replace(PLURAL, '')));
    const missing: string[] = [];
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([A-Za-z][\w.]*)'/g)) {
        const key = m[1]!;
        if (!bases.has(key)) missing.push(`${file.slice(root.length + 1)}: ${key}`);
      }
      for (const m of src.matchAll(/labelKey:\s*'([A-Za-z][\w.]+)'/g)) {
        if (!bases.has(m[1]!)) missing.push(`${file.slice(root.length + 1)}: ${m[1]}`);
      }
      for (const m of src.matchAll(/label:\s*'([a-z]+\.[\w.]+)'/g)) {
        if (!bases.has(m[1]!)) missing.push(`${file.slice(root.length + 1)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
