/**
 * The customer catalogue's strings (shared/customer-fields.ts) as translation trees, under the keys
 * the screens use (customer.name, grid.deposits, tiers.gold...). The main process writes them into
 * exports; the renderer merges them into its own trees (shared/i18n/resources.ts), so a field's
 * title and value labels exist once, in the catalogue.
 */
import {
  CUSTOMER_FIELDS,
  FIELD_ENUMS,
  FIELD_KEYS,
  type CustomerField,
  type FieldEnum,
  type Text,
} from '../customer-fields';

export type Lang = keyof Text;
export type Tree = { [k: string]: string | Tree };

function put(tree: Tree, key: string, value: string): void {
  const parts = key.split('.');
  let at = tree;
  for (const p of parts.slice(0, -1)) {
    let next = at[p];
    if (typeof next === 'string') throw new Error(`i18n key ${key} is under a string`);
    if (next === undefined) {
      next = {};
      at[p] = next;
    }
    at = next;
  }
  const last = parts[parts.length - 1]!;
  if (at[last] !== undefined) throw new Error(`i18n key ${key} is defined twice (shared/customer-fields.ts)`);
  at[last] = value;
}

function build(lang: Lang): Tree {
  const out: Tree = {};
  for (const k of FIELD_KEYS) put(out, CUSTOMER_FIELDS[k].labelKey, CUSTOMER_FIELDS[k].label[lang]);
  for (const e of Object.values(FIELD_ENUMS))
    for (const [code, label] of Object.entries(e.labels) as [string, Text][]) put(out, `${e.key}.${code}`, label[lang]);
  return out;
}

/** Field titles and value labels per language. */
export const FIELD_STRINGS: Record<Lang, Tree> = { 'zh-CN': build('zh-CN'), en: build('en') };

/** A field's column title. */
export const fieldTitle = (lang: Lang, field: CustomerField): string => CUSTOMER_FIELDS[field].label[lang];

/** Code -> label of a coded field's values (store codes and the extra labels such as "no tier"). */
export function valueLabels(lang: Lang, e: FieldEnum): Record<string, string> {
  return Object.fromEntries(
    (Object.entries(FIELD_ENUMS[e].labels) as [string, Text][]).map(([code, l]) => [code, l[lang]]),
  );
}
