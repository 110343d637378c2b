import i18next from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRID_COLUMN_IDS, GRID_LAYOUT_MAX_COLUMNS, type GridColumnState } from '../../../shared/api';
import { errorMessage } from '../../../renderer/src/i18n/messages';
import { en, zhCN } from '../../../shared/i18n/resources';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/**
 * settings.gridLayout.*: the customer grid's column layout kept in the store per user (migration 0017).
 * The user is always the session's: round trip, isolation between users, strict validation with
 * translated refusals that write nothing, and reset back to the defaults.
 */
let w: World;
const s: Record<string, string> = {};
const userId: Record<string, number> = {};

beforeAll(async () => {
  w = await makeWorld();
  for (const u of ['president', 'manager1', 'manager2', 'teller', 'admin']) {
    s[u] = await signIn(w, u);
    userId[u] = (w.db.prepare('SELECT id FROM users WHERE username = ?').get(u) as { id: number }).id;
  }
});
afterAll(() => w.close());

const rows = () =>
  w.db.prepare('SELECT user_id AS userId, key, value FROM user_settings ORDER BY user_id, key').all() as {
    userId: number;
    key: string;
    value: string;
  }[];

const LAYOUT_A: GridColumnState[] = [
  { colId: 'fav', width: 52, hide: false, pinned: 'left' },
  { colId: 'name', width: 160, hide: false, pinned: 'left' },
  { colId: 'customerNo', width: 130, hide: false, pinned: null },
  { colId: 'tier', width: 90, hide: true, pinned: null },
  { colId: 'aum', width: 210, hide: false, pinned: 'right' },
  { colId: 'birthDate', width: 110, hide: false, pinned: null },
];
const LAYOUT_B: GridColumnState[] = GRID_COLUMN_IDS.map((colId, i) => ({
  colId,
  width: 60 + i * 10,
  hide: i % 3 === 0,
  pinned: i < 2 ? 'left' : null,
}));

describe('settings.gridLayout round trip', () => {
  it('has no layout before one is saved', async () => {
    expect(await ok(w, 'settings.gridLayout.get', {}, s.manager1)).toEqual({ layout: null, updatedAt: null });
  });

  it('saves the layout and reads it back exactly, in order, stored under the caller', async () => {
    const saved = await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_A }, s.manager1);
    expect(saved.layout).toEqual(LAYOUT_A);
    expect(saved.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const got = await ok(w, 'settings.gridLayout.get', {}, s.manager1);
    expect(got).toEqual({ layout: LAYOUT_A, updatedAt: saved.updatedAt });
    expect(rows()).toEqual([
      { userId: userId.manager1, key: 'grid.customers.layout', value: JSON.stringify(LAYOUT_A) },
    ]);
  });

  it('replaces the layout on the next save (one row per user and key), every column id accepted', async () => {
    await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_B }, s.manager1);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual(LAYOUT_B);
    expect(rows().filter((r) => r.userId === userId.manager1)).toHaveLength(1);
    // An empty layout is a layout too (the grid's defaults for every column).
    await ok(w, 'settings.gridLayout.save', { layout: [] }, s.manager1);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual([]);
    await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_A }, s.manager1);
  });
});

describe('per-user isolation', () => {
  it('one user never sees another user’s layout', async () => {
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager2)).layout).toBeNull();
    expect((await ok(w, 'settings.gridLayout.get', {}, s.president)).layout).toBeNull();
  });

  it('saving and resetting one’s own layout leaves the others’ untouched', async () => {
    await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_B }, s.manager2);
    await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_B.slice(0, 3) }, s.president);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual(LAYOUT_A);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager2)).layout).toEqual(LAYOUT_B);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.president)).layout).toEqual(LAYOUT_B.slice(0, 3));
    expect(await ok(w, 'settings.gridLayout.reset', {}, s.manager2)).toEqual({ removed: true });
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager2)).layout).toBeNull();
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual(LAYOUT_A);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.president)).layout).toEqual(LAYOUT_B.slice(0, 3));
  });

  it('no input can name another user: a user id in the input is refused and nothing is written', async () => {
    const before = rows();
    for (const input of [
      { layout: LAYOUT_B, userId: userId.manager1 },
      { layout: LAYOUT_B, username: 'manager1' },
    ]) {
      const r = await call(w, 'settings.gridLayout.save', input as never, s.manager2);
      expect(r.ok ? null : r.error.code).toBe('VALIDATION');
    }
    for (const m of ['settings.gridLayout.get', 'settings.gridLayout.reset'] as const) {
      const r = await call(w, m, { userId: userId.manager1 } as never, s.manager2);
      expect(r.ok ? null : r.error.code).toBe('VALIDATION');
    }
    expect(rows()).toEqual(before);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual(LAYOUT_A);
  });

  it('the teller and the administrator have no customer grid and so no layout', async () => {
    for (const u of ['teller', 'admin']) {
      for (const m of ['settings.gridLayout.get', 'settings.gridLayout.save', 'settings.gridLayout.reset'] as const) {
        const r = await call(w, m, (m === 'settings.gridLayout.save' ? { layout: LAYOUT_A } : {}) as never, s[u]);
        expect(r, `${u} ${m}`).toEqual({ ok: false, error: { code: 'FORBIDDEN', details: { method: m } } });
      }
    }
    expect(rows().map((r) => r.userId)).not.toContain(userId.teller);
  });

  it('refuses callers without a session', async () => {
    expect(await call(w, 'settings.gridLayout.get', {}, null)).toEqual({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await call(w, 'settings.gridLayout.save', { layout: LAYOUT_A }, null)).toEqual({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });
});

describe('validation', () => {
  const col = (over: Record<string, unknown>) => ({ colId: 'aum', width: 120, hide: false, pinned: null, ...over });

  const refusedByShape: [string, unknown, string][] = [
    ['a width below the minimum', [col({ width: 5 })], 'layout.0.width'],
    ['a width above the maximum', [col({ width: 50_000 })], 'layout.0.width'],
    ['a fractional width', [col({ width: 120.5 })], 'layout.0.width'],
    ['a width as text', [col({ width: '120' })], 'layout.0.width'],
    ['hide that is not a boolean', [col({ hide: 'yes' })], 'layout.0.hide'],
    ['a missing hide', [{ colId: 'aum', width: 120, pinned: null }], 'layout.0.hide'],
    ['pinned to the top', [col({ pinned: 'top' })], 'layout.0.pinned'],
    ['pinned as true', [col({ pinned: true })], 'layout.0.pinned'],
    ['an extra field', [col({ sort: 'asc' })], 'layout.0'],
    ['a column id that is not text', [col({ colId: 7 })], 'layout.0.colId'],
    ['more than the maximum of entries', Array.from({ length: GRID_LAYOUT_MAX_COLUMNS + 1 }, () => col({})), 'layout'],
    ['not a list', { aum: 120 }, 'layout'],
  ];
  for (const [what, layout, path] of refusedByShape) {
    it(`refuses ${what} with VALIDATION naming ${path}, keeping the saved layout`, async () => {
      const before = rows();
      const r = await call(w, 'settings.gridLayout.save', { layout } as never, s.manager1);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('VALIDATION');
      expect((r.error.details!.issues as { path: string[] }[]).map((i) => i.path.join('.'))).toContain(path);
      expect(rows()).toEqual(before);
    });
  }

  const refusedByColumn: [string, unknown[], string, string][] = [
    ['an unknown column id', [col({ colId: 'customerNo' }), col({ colId: 'salary' })], 'unknown_column', 'salary'],
    ['a column id of another grid (export-only kind)', [col({ colId: 'kind' })], 'unknown_column', 'kind'],
    ['an id differing only in case', [col({ colId: 'AUM' })], 'unknown_column', 'AUM'],
    ['a prototype name', [col({ colId: '__proto__' })], 'unknown_column', '__proto__'],
    [
      'a column twice',
      [col({ colId: 'aum' }), col({ colId: 'tier' }), col({ colId: 'aum', width: 300 })],
      'duplicate_column',
      'aum',
    ],
  ];
  for (const [what, layout, reason, colId] of refusedByColumn) {
    it(`refuses ${what} with GRID_LAYOUT_INVALID (${reason}), writing nothing`, async () => {
      const before = rows();
      const r = await call(w, 'settings.gridLayout.save', { layout } as never, s.manager1);
      expect(r).toEqual({ ok: false, error: { code: 'GRID_LAYOUT_INVALID', details: { reason, colId } } });
      expect(rows()).toEqual(before);
      expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual(LAYOUT_A);
    });
  }

  it('shows the refusals in the user’s language, naming the column', async () => {
    const inst = i18next.createInstance();
    await inst.init({
      resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
      lng: 'zh-CN',
      interpolation: { escapeValue: false },
    });
    const say = (lng: string, r: Awaited<ReturnType<typeof call>>) => {
      if (r.ok) throw new Error('accepted');
      return errorMessage((k, o) => inst.getFixedT(lng)(k, o ?? {}), r.error.code, r.error.details);
    };
    const unknown = await call(
      w,
      'settings.gridLayout.save',
      { layout: [col({ colId: 'salary' })] } as never,
      s.manager1,
    );
    expect(say('zh-CN', unknown)).toBe('客户列表没有“salary”这一列，列布局未保存');
    expect(say('en', unknown)).toBe('The customer list has no column “salary”; the column layout was not saved');
    const dup = await call(w, 'settings.gridLayout.save', { layout: [col({}), col({})] } as never, s.manager1);
    expect(say('zh-CN', dup)).toBe('列“aum”在布局中出现了不止一次，列布局未保存');
    expect(say('en', dup)).toBe('Column “aum” appears more than once; the column layout was not saved');
    const width = await call(w, 'settings.gridLayout.save', { layout: [col({ width: 1 })] } as never, s.manager1);
    // the bound it broke, not only the field
    expect(say('zh-CN', width)).toBe('输入有误，请检查：列宽（不能小于 20）');
    expect(say('en', width)).toMatch(/Column width/);
  });

  it('a stored layout that no longer reads as valid is served as none (the grid’s defaults)', async () => {
    w.db
      .prepare(
        "INSERT INTO user_settings (user_id, key, value) VALUES (?, 'grid.customers.layout', ?) ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
      )
      .run(userId.manager2, JSON.stringify([col({ colId: 'dropped' })]));
    expect(await ok(w, 'settings.gridLayout.get', {}, s.manager2)).toEqual({ layout: null, updatedAt: null });
    // the next save replaces it
    await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_A }, s.manager2);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager2)).layout).toEqual(LAYOUT_A);
  });

  it('the table itself holds only JSON values', () => {
    expect(() =>
      w.db
        .prepare("INSERT INTO user_settings (user_id, key, value) VALUES (?, 'grid.customers.layout', ?)")
        .run(userId.teller, 'not json'),
    ).toThrow(/CHECK constraint failed/);
  });
});

describe('reset', () => {
  it('forgets the caller’s layout, reports whether there was one, and a later save starts afresh', async () => {
    expect((await ok(w, 'settings.gridLayout.get', {}, s.president)).layout).not.toBeNull();
    expect(await ok(w, 'settings.gridLayout.reset', {}, s.president)).toEqual({ removed: true });
    expect(await ok(w, 'settings.gridLayout.get', {}, s.president)).toEqual({ layout: null, updatedAt: null });
    expect(await ok(w, 'settings.gridLayout.reset', {}, s.president)).toEqual({ removed: false });
    expect(rows().map((r) => r.userId)).not.toContain(userId.president);
    // manager1's stays
    expect((await ok(w, 'settings.gridLayout.get', {}, s.manager1)).layout).toEqual(LAYOUT_A);
    await ok(w, 'settings.gridLayout.save', { layout: LAYOUT_A.slice(1) }, s.president);
    expect((await ok(w, 'settings.gridLayout.get', {}, s.president)).layout).toEqual(LAYOUT_A.slice(1));
  });
});

describe('settings.gridPanels (快速统计 folded away or not)', () => {
  it('is unfolded until the user folds it, is remembered per user, and refuses anything but the flag', async () => {
    expect(await ok(w, 'settings.gridPanels.get', {}, s.manager2)).toEqual({ statsCollapsed: false });
    expect(await ok(w, 'settings.gridPanels.save', { statsCollapsed: true }, s.manager2)).toEqual({
      statsCollapsed: true,
    });
    expect(await ok(w, 'settings.gridPanels.get', {}, s.manager2)).toEqual({ statsCollapsed: true });
    // another user's stays as it was
    expect(await ok(w, 'settings.gridPanels.get', {}, s.manager1)).toEqual({ statsCollapsed: false });
    const bad = await call(w, 'settings.gridPanels.save', { statsCollapsed: 'yes' } as never, s.manager2);
    expect(bad.ok).toBe(false);
    const extra = await call(w, 'settings.gridPanels.save', { statsCollapsed: false, userId: 1 } as never, s.manager2);
    expect(extra.ok).toBe(false);
    expect(await ok(w, 'settings.gridPanels.get', {}, s.manager2)).toEqual({ statsCollapsed: true });
    await ok(w, 'settings.gridPanels.save', { statsCollapsed: false }, s.manager2);
    expect(await ok(w, 'settings.gridPanels.get', {}, s.manager2)).toEqual({ statsCollapsed: false });
    // the teller has no customer list, so no such setting
    expect((await call(w, 'settings.gridPanels.get', {}, s.teller)).ok).toBe(false);
  });
});
