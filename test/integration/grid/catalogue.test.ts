import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropColumns, freshColumns } from '../../../db/customer-columns';
import { FIELD_FROM, FIELD_SQL } from '../../../db/customer-field-sql';
import { buildColumnsNow } from '../../../db/repos/customer-grid';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import {
  EXPORT_COLUMNS,
  type ExportStatus,
  type GridRow,
  type Input,
  type MethodName,
  type Output,
} from '../../../shared/api';
import { CUSTOMER_FIELDS, enumCodes, FIELD_KEYS, SORTABLE_FIELDS } from '../../../shared/customer-fields';
import type { CallResult } from '../../../shared/errors';
import { fieldTitle, valueLabels } from '../../../shared/i18n/customer-fields';
import { maskIdNo, maskPhone } from '../../../shared/mask';
import { fenToYuan } from '../../../shared/money';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { demoSignIn } from '../support/demo-session';

/**
 * Every field of the customer catalogue (shared/customer-fields.ts), whatever it is: it reaches the
 * grid's rows as its wire type with the store's value, sorts the same through SQL and through the
 * in-memory columns, and exports under its title with its value labels in both languages. A new
 * field is covered by these without a new test.
 */
let services: Services;
let registry: ReturnType<typeof createRegistry>;
let session: string;
let userId: number;

async function ok<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await registry.dispatch({ method, input, session }, { adapter: 'test' })) as CallResult<Output<M>>;
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}

async function allRows(sort: Input<'customers.grid'>['sort']): Promise<GridRow[]> {
  const rows: GridRow[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = (await ok('customers.grid', { filter: {}, sort, offset, limit: 500 })).rows;
    rows.push(...page);
    if (page.length < 500) return rows;
  }
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 700, seed: 31 });
  // Empty values too: a customer not tiered yet, no mobile, no occupation.
  demo.db.exec('UPDATE customers SET tier = NULL, mobile = NULL, occupation = NULL WHERE id % 53 = 0');
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-10-31T02:00:00Z')),
  });
  registry = createRegistry(services);
  session = await demoSignIn(registry, 'president');
  userId = (services.db.prepare(`SELECT id FROM users WHERE username = 'president'`).get() as { id: number }).id;
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('the customer field catalogue', () => {
  it('every field reaches the grid rows with the store value, as its wire type, identifiers masked', async () => {
    dropColumns(services.db);
    const rows = await allRows([{ col: 'customerNo', dir: 'asc' }]);
    const store = new Map(
      (
        services.db
          .prepare(`SELECT c.id, ${FIELD_KEYS.map((k) => `${FIELD_SQL[k]} AS ${k}`).join(', ')} ${FIELD_FROM}`)
          .all() as Record<string, string | number | null>[]
      ).map((r) => [r.id as number, r]),
    );
    expect(rows.length).toBe(store.size);
    const seenNull = new Set<string>();
    for (const row of rows) {
      const raw = store.get(row.id)!;
      for (const k of FIELD_KEYS) {
        const f = CUSTOMER_FIELDS[k];
        const v = (row as Record<string, unknown>)[k];
        expect(v, `${k} present`).not.toBeUndefined();
        if (raw[k] === null) {
          expect(v, k).toBeNull();
          expect(f.nullable, `${k} is null in the store, so nullable`).toBe(true);
          seenNull.add(k);
          continue;
        }
        if (f.wire === 'money') {
          expect(v, k).toBe(fenToYuan(raw[k] as number));
          expect(v, k).toMatch(/^-?\d+\.\d{2}$/);
        } else if ('mask' in f) expect(v, k).toBe((f.mask === 'id' ? maskIdNo : maskPhone)(raw[k] as string));
        else expect(v, k).toBe(raw[k]);
        if (f.wire === 'date') expect(v, k).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (f.wire === 'enum') expect(enumCodes(k), k).toContain(v);
      }
    }
    expect(seenNull).toContain('tier');
    expect(seenNull).toContain('mobile');
  });

  it('every sortable field pages the same through SQL and through the in-memory columns', async () => {
    for (const col of SORTABLE_FIELDS) {
      for (const dir of ['asc', 'desc'] as const) {
        const sort = [{ col, dir }];
        dropColumns(services.db);
        const viaSql = (await allRows(sort)).map((r) => r.id);
        buildColumnsNow(services.db);
        const viaColumns = (await allRows(sort)).map((r) => r.id);
        expect(freshColumns(services.db), 'the columns answered').not.toBeNull();
        expect(viaColumns, `${col} ${dir}`).toEqual(viaSql);
        expect(new Set(viaSql).size).toBe(viaSql.length);
      }
    }
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`every field exports under its ${lang} title, codes as their labels, identifiers masked`, async () => {
      await ok('auth.setLocale', { locale: lang });
      const sort = [{ col: 'customerNo' as const, dir: 'asc' as const }];
      const started = await ok('exports.start', { filter: {}, sort, columns: [...EXPORT_COLUMNS], format: 'csv' });
      let done: ExportStatus = started;
      while (done.state === 'running') {
        await new Promise((r) => setTimeout(r, 50));
        done = await ok('exports.status', { ticket: started.ticket });
      }
      expect(done.state).toBe('done');
      const text = readFileSync(services.vault.get(done.file!.id, userId)!.path, 'utf8');
      const [header, ...lines] = text.slice(1).split('\r\n').filter(Boolean);
      const titles = EXPORT_COLUMNS.map((k) => fieldTitle(lang, k));
      expect(header).toBe(titles.join(','));
      expect(titles[0]).toBe(lang === 'en' ? 'Customer no.' : '客户号');
      for (const k of EXPORT_COLUMNS) expect(fieldTitle(lang, k), k).not.toBe(CUSTOMER_FIELDS[k].labelKey);
      const rows = await allRows(sort);
      const cell = (row: GridRow, k: (typeof EXPORT_COLUMNS)[number]): string => {
        const v = row[k];
        if (v === null) return '';
        const e = CUSTOMER_FIELDS[k];
        const s = 'enum' in e ? (valueLabels(lang, e.enum)[v as string] ?? String(v)) : String(v);
        return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
      };
      expect(lines).toEqual(rows.map((r) => EXPORT_COLUMNS.map((k) => cell(r, k)).join(',')));
      expect(lines.some((l) => l.includes(lang === 'en' ? 'Individual' : '个人'))).toBe(true);
    });
  }
});
