import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Seeds a small demo branch into a temp store with the built CLI, starts the built browser-mode
 * host on it, and hands the URL (with its per-run token) to the tests through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..', '..');
  const cli = path.join(root, 'out', 'main', 'cli.js');
  const hostJs = path.join(root, 'out', 'main', 'host.js');
  if (!existsSync(cli) || !existsSync(hostJs))
    throw new Error('out/main is missing: run `npm run build` first (npm run test:e2e does)');
  const browser = process.env.CRM_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(browser)) {
    throw new Error(
      `No Chromium at ${browser}. Install it (apt-get install -y chromium fonts-wqy-zenhei) or set CRM_CHROMIUM.`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-e2e-'));
  const db = path.join(dir, 'e2e.db');
  const seeded = spawnSync(process.execPath, [cli, 'demo', '--customers', '400', '--db', db, '--fresh'], {
    encoding: 'utf8',
    cwd: root,
  });
  if (seeded.status !== 0) throw new Error(`demo seeding failed (${seeded.status}): ${seeded.stderr}`);

  const child = spawn(process.execPath, [hostJs, '--db', db], {
    cwd: root,
    env: { ...process.env, CRM_DEMO: '1', CRM_LOG: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`host did not start: ${out}`)), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Branch CRM \(browser mode\): (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`host exited with ${code}: ${out}`)));
  });
  process.env.CRM_E2E_URL = url;
  process.env.CRM_E2E_DB = db;
  writeFileSync(path.join(dir, 'host.pid'), String(child.pid));
  process.env.CRM_E2E_PID = String(child.pid);
  process.env.CRM_E2E_DIR = dir;
}
