#!/usr/bin/env node
/**
 * `npm run demo` (after `npm run build`): seed a demo store, then start the app on it.
 *   npm run demo                              the generator's default size, in .data/demo.db
 *   npm run demo -- --customers 20000         a bigger branch (arguments after `--` reach this script)
 *   npm run demo -- --db D:/demo.db --browser another file, browser mode
 * The split between generator and launcher arguments is splitDemoArgs() in launch.mjs.
 *   npm run demo -- --branch [--customers N] [--fresh]   a hub and two workstations joined to it
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_DIR, runDemo } from './launch.mjs';

const args = process.argv.slice(2);
if (args.includes('--branch')) {
  // `npm run demo -- --branch`: a hub on an embedded PostgreSQL and two workstation hosts joined to it
  // (main/cli/branch.ts), in .data/branch; it prints the hub's and the two PCs' URLs.
  const cli = path.join(PROJECT_DIR, 'out', 'main', 'cli.js');
  const child = spawn(process.execPath, [cli, 'branch-demo', ...args.filter((a) => a !== '--branch')], {
    stdio: 'inherit',
    env: { ...process.env, CRM_DEMO: '1' },
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const { code } = await runDemo({ args });
  process.exit(code);
}
