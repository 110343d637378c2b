import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { Input, MethodName, Output } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { storeDigest } from './helpers';

let services: Services;
let registry: ReturnType<typeof createRegistry>;
let admin: string;
let extractsDir: string;

function call<M extends MethodName>(
  method: M,
  input: Input<M>,
  session: string | null = admin,
): Promise<CallResult<Output<M>>> {
  return registry.dispatch({ method, input, session }, { adapter: 'test' }) as Promise<CallResult<Output<M>>>;
}
async function ok<M extends MethodName>(
  method: M,
  input: Input<M>,
  session: string | null = admin,
): Promise<Output<M>> {
  const r = await call(method, input, session);
  if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
  return r.value;
}
async function settle(ticket: number) {
  for (;;) {
    const a = (await ok('imports.active', {})).find((j) => j.ticket === ticket)!;
    if (a.state === 'finished') return a;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 300, seed: 5 });
  extractsDir = path.join(path.dirname(demo.file), 'extracts');
  await writeExtracts(demo.db, extractsDir, { kinds: ['customers', 'accounts'] });
  demo.close();
  services = await createServices({ dbPath: demo.file, mode: 'browser' });
  registry = createRegistry(services);
  admin = (await ok('auth.signIn', { username: 'admin', password: DEMO_PASSWORD }, null)).session;
  mkdirSync(services.paths.inbox, { recursive: true });
}, 60_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

describe('imports API (administrator)', () => {
  it('lists the built-in profiles and the files waiting in the import folder', async () => {
    copyFileSync(path.join(extractsDir, 'customers.csv'), path.join(services.paths.inbox, 'customers.csv'));
    const profiles = await ok('imports.profiles.list', {});
    expect(
      profiles
        .filter((p) => p.builtin)
        .map((p) => p.kind)
        .sort(),
    ).toEqual([
      'accounts',
      'branches',
      'customers',
      'daily_balances',
      'loans',
      'products',
      'staff',
      'term_deposits',
      'transactions',
      'wealth_holdings',
    ]);
    const files = await ok('imports.files', {});
    expect(files.map((f) => f.name)).toContain('customers.csv');
  });

  it('previews the first rows as they will be stored, with the encoding guess and row problems', async () => {
    const cif = (await ok('imports.profiles.list', {})).find((p) => p.kind === 'customers' && p.builtin)!;
    const text = iconv.decode(readFileSync(path.join(extractsDir, 'customers.csv')), 'gb18030').split('\r\n');
    // Second data row gets an impossible opening date.
    const cells = text[2]!.split(',');
    const opened = cif.profile.columns.findIndex((c) => c.field === 'opened_on');
    cells[opened] = '20240230';
    text[2] = cells.join(',');
    writeFileSync(path.join(services.paths.inbox, 'cif-bad.csv'), iconv.encode(text.join('\r\n'), 'gb18030'));
    const p = await ok('imports.preview', { file: 'cif-bad.csv', source: { id: cif.id }, rows: 5 });
    expect(p.detected?.encoding).toMatch(/gb/);
    // The whole file is checked; the rejected row comes first, then the first good rows.
    const records = text.filter((l) => l !== '').length - 1;
    expect(p.counts).toEqual({ read: records, good: records - 1, bad: 1 });
    expect(p.rows).toHaveLength(6);
    expect(p.rows[0]).toMatchObject({ line: 3 });
    expect(p.rows[0]!.reject).toMatchObject({ field: 'opened_on', value: '20240230', reason: 'bad_date' });
    expect(p.rows[1]!.reject).toBeNull();
    expect(p.rows[1]!.line).toBe(2);
    expect(p.rows[1]!.values.kind).toMatch(/^(individual|corporate)$/);
    expect(p.rows.slice(1).every((r) => r.reject === null)).toBe(true);
  });

  it('masks identifiers in the preview like everywhere else, and audits it (the administrator has no customer access)', async () => {
    const cif = (await ok('imports.profiles.list', {})).find((p) => p.kind === 'customers' && p.builtin)!;
    const p = await ok('imports.preview', { file: 'customers.csv', source: { id: cif.id }, rows: 20 });
    const raw = new Map(
      (
        services.db
          .prepare('SELECT customer_no, name, id_no, mobile, address, employer FROM customers')
          .all() as Record<string, string | null>[]
      ).map((c) => [c.customer_no, c]),
    );
    let compared = 0;
    for (const row of p.rows) {
      const c = raw.get(row.values.customer_no!);
      if (!c) continue;
      compared++;
      for (const f of ['id_no', 'mobile', 'address', 'employer', 'name'] as const) {
        if (c[f] == null || row.values[f] == null) continue;
        expect(row.values[f], f).not.toBe(c[f]);
        expect(row.values[f], f).toContain('*');
      }
      // The visible ends still let the administrator check the mapping.
      if (c.id_no && row.values.id_no) expect(row.values.id_no.slice(-4)).toBe(c.id_no.slice(-4));
    }
    expect(compared).toBeGreaterThan(10);
    expect(p.counts.bad).toBe(0);
    const audit = services.db
      .prepare("SELECT details FROM audit_log WHERE action = 'imports.preview' ORDER BY id DESC LIMIT 1")
      .get() as { details: string };
    expect(JSON.parse(audit.details)).toMatchObject({ file: 'customers.csv', kind: 'customers', rows: 20 });
  });

  it('tells where the import folder is; browser mode cannot open it in a file manager', async () => {
    expect(await ok('imports.inbox', {})).toEqual({ path: services.paths.inbox, canOpen: false });
    expect(await ok('imports.openInbox', {})).toEqual({ opened: false });
  });

  it('refuses file names outside the import folder', async () => {
    const cif = (await ok('imports.profiles.list', {})).find((p) => p.kind === 'customers' && p.builtin)!;
    const r = await call('imports.preview', { file: '../crm.db', source: { id: cif.id } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('VALIDATION');
  });

  it('runs a job to completion, reports it in the history, recognises the same file, and reverts it', async () => {
    const cif = (await ok('imports.profiles.list', {})).find((p) => p.kind === 'customers' && p.builtin)!;
    const before = storeDigest(services.db);
    const started = await ok('imports.start', { file: 'cif-bad.csv', source: { id: cif.id }, tolerance: 5 });
    const done = await settle(started.ticket);
    expect(done.status).toBe('committed');
    expect(done.rowsRejected).toBe(1);
    const hist = await ok('imports.history', {});
    const job = hist.rows.find((j) => j.id === done.jobId)!;
    expect(job).toMatchObject({
      status: 'committed',
      rowsRejected: 1,
      hasRejectsFile: true,
      revertible: true,
      createdBy: expect.any(String),
    });
    expect(job.rowsUnchanged).toBe(299);
    const rejects = await ok('imports.rejects', { jobId: job.id });
    expect(rejects.rows[0]).toMatchObject({ line: 3, field: 'opened_on', value: '20240230', reason: 'bad_date' });
    const file = await ok('imports.rejectsFile', { jobId: job.id });
    const text = iconv.decode(Buffer.from(file.base64, 'base64'), 'gb18030');
    expect(text).toContain('20240230');
    expect(text.split('\r\n')[0]).toMatch(/^客户号,.*,"拒绝原因"$/);

    const again = await ok('imports.start', { file: 'cif-bad.csv', source: { id: cif.id }, tolerance: 5 });
    const dup = await settle(again.ticket);
    expect(dup.status).toBe('failed');
    expect(dup.error?.code).toBe('IMPORT_DUPLICATE_FILE');

    const reverted = await ok('imports.revert', { jobId: job.id });
    expect(reverted.status).toBe('reverted');
    expect(storeDigest(services.db)).toEqual(before);
    const audit = services.db
      .prepare(`SELECT action FROM audit_log WHERE action LIKE 'imports.%' ORDER BY id`)
      .all()
      .map((r) => (r as { action: string }).action);
    expect(audit).toEqual(expect.arrayContaining(['imports.run', 'imports.rejectsDownload', 'imports.revert']));
  });

  it('a header that does not match the profile is refused with the missing columns', async () => {
    const accounts = (await ok('imports.profiles.list', {})).find((p) => p.kind === 'accounts' && p.builtin)!;
    const r = await call('imports.preview', { file: 'customers.csv', source: { id: accounts.id } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('IMPORT_HEADER_MISMATCH');
      expect(r.error.details).toMatchObject({ file: 'customers.csv', missing: expect.arrayContaining(['账号']) });
    }
  });

  it('saves a copy of a built-in profile, refuses editing the built-in itself, and deletes the copy', async () => {
    const cif = (await ok('imports.profiles.list', {})).find((p) => p.kind === 'customers' && p.builtin)!;
    const copy = await ok('imports.profiles.save', { profile: { ...cif.profile, name: '客户信息(本行)' } });
    expect(copy.builtin).toBe(false);
    const edit = await call('imports.profiles.save', { id: cif.id, profile: { ...cif.profile, delimiter: '|' } });
    expect(edit.ok).toBe(false);
    const bad = await call('imports.profiles.save', {
      profile: { ...cif.profile, name: 'x', columns: cif.profile.columns.filter((c) => c.field !== 'customer_no') },
    });
    expect(!bad.ok && bad.error).toMatchObject({
      code: 'IMPORT_BAD_PROFILE',
      details: { field: 'customer_no', reason: 'required_not_mapped' },
    });
    expect(await ok('imports.profiles.delete', { id: copy.id })).toEqual({ deleted: true });
  });

  it('is refused to every role but the administrator', async () => {
    const manager = (await ok('auth.signIn', { username: 'manager1', password: DEMO_PASSWORD }, null)).session;
    const r = await call('imports.history', {}, manager);
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
  });
});
