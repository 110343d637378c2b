import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { i18n } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionLabel, detailText, targetText, type Translate } from '../../../renderer/src/pages/audit-text';
import { loadTranslations } from '../../support/i18n';
import { AUDIT_ACTIONS, type AuditDetail } from '../../../shared/api';

let inst: i18n;
let tr: (lng: string) => Translate;
beforeAll(async () => {
  ({ inst, tr } = await loadTranslations(false));
});

const ROOT = resolve(__dirname, '../../..');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('audit actions', () => {
  it('lists every action the main process writes', () => {
    const written = new Set<string>();
    for (const file of [...sources(join(ROOT, 'main')), ...sources(join(ROOT, 'db'))]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/action: '([a-z]+\.[\w.]+)'/g)) written.add(m[1]!);
      for (const m of text.matchAll(/audit\(db, opts, '([a-z]+\.[\w.]+)'/g)) written.add(m[1]!);
      // referrals.<step> comes from change(ctx, id, '<step>', …)
      if (file.endsWith(join('handlers', 'referrals.ts')))
        for (const m of text.matchAll(/change\(ctx, id, '(\w+)'/g)) written.add(`referrals.${m[1]}`);
    }
    expect(written.size).toBeGreaterThan(30);
    expect([...written].filter((a) => !AUDIT_ACTIONS.includes(a))).toEqual([]);
  });

  it('names every listed action in both languages', () => {
    for (const lng of ['zh-CN', 'en']) {
      const missing = AUDIT_ACTIONS.filter((a) => !inst.exists(`auditActions.${a.replace(/\./g, '_')}`, { lng }));
      expect(missing, lng).toEqual([]);
    }
    expect(actionLabel(tr('zh-CN'), 'auth.signIn')).toBe('登录');
  });

  it('names a method without a name of its own by its area, never as a code', () => {
    expect(actionLabel(tr('zh-CN'), 'reports.somethingNew')).toBe('分析报表 · 其他操作');
    expect(actionLabel(tr('en'), 'reports.somethingNew')).toBe('Reports: other action');
    expect(actionLabel(tr('zh-CN'), 'nowhere.x')).toBe('其他操作');
  });
});

describe('audit details', () => {
  const signIn: AuditDetail[] = [
    { key: 'reason', value: { kind: 'code', code: 'bad_password' } },
    { key: 'adapter', value: { kind: 'code', code: 'http' } },
  ];
  it('translates known keys and codes', () => {
    expect(detailText(tr('zh-CN'), 'zh-CN', signIn)).toBe('原因：密码错误；访问方式：浏览器');
    expect(detailText(tr('en'), 'en', signIn)).toBe('Reason: wrong password; Access: browser');
  });

  it('shows resolved names, amounts, counts and action names', () => {
    const d: AuditDetail[] = [
      { key: 'toStaffId', value: { kind: 'text', text: '赵经理' } },
      { key: 'amountFen', value: { kind: 'money', yuan: '12345.60' } },
      { key: 'filter', value: { kind: 'count', n: 3 } },
      { key: 'method', value: { kind: 'action', action: 'customers.reveal' } },
      { key: 'role', value: { kind: 'code', code: 'teller' } },
      { key: 'interest', value: { kind: 'code', code: 'wealth' } },
    ];
    expect(detailText(tr('zh-CN'), 'zh-CN', d)).toBe(
      '转给：赵经理；金额（元）：12,345.60；筛选条件：3 项；被拒绝的操作：查看完整证件号码与手机号码；角色：柜员；意向：理财',
    );
  });

  it('names the target by type and 客户号, never by an internal id', () => {
    const t = tr('zh-CN');
    expect(targetText(t, 'zh-CN', { type: 'customer', label: { kind: 'text', text: '8000000001' } })).toBe(
      '客户 8000000001',
    );
    expect(targetText(t, 'zh-CN', { type: 'referral', label: { kind: 'text', text: '8000000001' } })).toBe(
      '转介 · 客户 8000000001',
    );
    expect(targetText(t, 'zh-CN', { type: 'report', label: { kind: 'code', code: 'customers' } })).toBe(
      '报表 · 客户分析',
    );
    expect(targetText(t, 'zh-CN', { type: 'tier_model', label: { kind: 'number', n: 3 } })).toBe('分层模型 · 第 3 版');
    expect(targetText(t, 'zh-CN', { type: 'import_ticket', label: null })).toBe('导入任务');
    expect(targetText(t, 'zh-CN', { type: 'user', label: { kind: 'missing' } })).toBe('用户 （已不存在）');
    expect(targetText(t, 'zh-CN', null)).toBe('—');
  });

  it('leaves no snake_case code in Chinese text for the codes the handlers write', () => {
    const codes: Record<string, string[]> = {
      reason: [
        'bad_password',
        'unknown_user',
        'locked',
        'disabled',
        'not_in_scope',
        'rate_limited',
        'role',
        'password_change_required',
        'not_interested',
        'unreachable',
        'competitor',
        'not_eligible',
        'other',
      ],
      adapter: ['http', 'ipc'],
      kind: ['id_no', 'mobile', 'last4', 'customers', 'daily_balances', 'kpi'],
      format: ['xlsx', 'csv'],
      state: ['running', 'done', 'failed', 'cancelled'],
      source: ['ui', 'cli'],
      origin: ['list', 'query', 'filter', 'import'],
      sync: ['conflict', 'refused'],
    };
    for (const [key, list] of Object.entries(codes))
      for (const code of list) {
        const text = detailText(tr('zh-CN'), 'zh-CN', [{ key, value: { kind: 'code', code } }]);
        expect(text, `${key}: ${code}`).not.toMatch(/[a-z]+_[a-z]+|\b[a-z]{2,}\b/);
      }
    // a sync conflict's reason is the refusing rule's error code
    for (const code of [
      'NOT_FOUND',
      'FORBIDDEN',
      'REFERRAL_NOT_OWNER',
      'REFERRAL_BAD_STATE',
      'REFERRAL_BAD_ASSIGNEE',
    ]) {
      const text = detailText(tr('zh-CN'), 'zh-CN', [{ key: 'reason', value: { kind: 'code', code } }]);
      expect(text, code).not.toMatch(/[A-Z]{2,}/);
    }
  });
});
