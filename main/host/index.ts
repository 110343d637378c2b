import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from '../../shared/errors';
import { describeStartupError } from '../app/startup-error';
import { ensureFirstAdmin } from '../bootstrap';
import { log } from '../log';
import { defaultDbPath } from '../paths';
import { createRegistry } from '../registry';
import { createServices, type Services } from '../services';
import { printEncryptProgress } from '../store-key';
import { startHost } from './server';
import { UpgradeTracker } from '../../db/upgrade-progress';
import { printUpgradeProgress } from '../upgrade/console';

/** The built renderer: beside the bundle (out/main -> out/renderer) or from the source tree. */
function rendererDir(explicit?: string): string {
  const candidates = [
    explicit,
    path.join(__dirname, '..', 'renderer'),
    path.join(__dirname, '..', '..', 'out', 'renderer'),
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(path.join(p, 'index.html'))) ?? candidates[0]!;
}

export async function runHost(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, port: { type: 'string' }, 'renderer-dir': { type: 'string' } },
    strict: false,
  });
  const dbPath = typeof values.db === 'string' ? path.resolve(values.db) : defaultDbPath();
  // The host listens before the store opens: a start that upgrades the store (or encrypts it) shows
  // its progress at the app's own URL from the first second, and the page turns into the app when done.
  const printProgress = printUpgradeProgress(process.stdout);
  let announced = false;
  const upgrade = new UpgradeTracker((s) => {
    if (!announced) {
      announced = true;
      process.stdout.write(`升级进度 / Upgrade progress: ${host.url}\n`);
    }
    printProgress(s);
  });
  const host = await startHost({
    upgrade: () => upgrade.current,
    rendererDir: rendererDir(typeof values['renderer-dir'] === 'string' ? values['renderer-dir'] : undefined),
    port: typeof values.port === 'string' ? Number(values.port) : 0,
  });
  let services: Services;
  // Ctrl-C (or a stop) while a plaintext store is being converted cancels the conversion: the original is
  // left as it was and the next start converts it again. (Otherwise the default: the process ends.)
  const cancel = new AbortController();
  const onStop = () => {
    if (upgrade.current.phase !== 'encrypt') process.exit(130);
    process.stdout.write('正在取消加密… / Cancelling the encryption…\n');
    cancel.abort();
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    services = await createServices({
      dbPath,
      mode: 'browser',
      exclusive: true,
      encrypt: true,
      onEncryptProgress: printEncryptProgress(process.stdout),
      upgrade,
      signal: cancel.signal,
    });
  } catch (err) {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    if (cancel.signal.aborted) {
      process.stdout.write('加密已取消，数据文件未改动 / Encryption cancelled; the data file is unchanged\n');
      await host.close();
      process.exit(130);
    }
    // The same two-language text the Electron dialog shows, for any failure (a read-only folder, a store
    // already open in another host, a damaged file): no stack trace for the user; the log keeps it.
    const text = describeStartupError(err, dbPath);
    process.stderr.write(`${text.title}\n\n${text.message}\n`);
    log.error('store could not be opened', {
      code: isAppError(err) ? err.code : ((err as { code?: string }).code ?? null),
      error: err instanceof Error ? err.message : String(err),
    });
    // A failed upgrade: its page (how to go back, where the backup is) stays up until the host is stopped.
    if (upgrade.upgrading) {
      const exit = () => void host.close().finally(() => process.exit(2));
      process.on('SIGINT', exit);
      process.on('SIGTERM', exit);
      return;
    }
    await host.close();
    process.exit(2);
  }
  process.off('SIGINT', onStop);
  process.off('SIGTERM', onStop);
  const first = await ensureFirstAdmin(services);
  host.ready(createRegistry(services));
  log.info('browser host started', { port: host.port, db: dbPath });
  if (first) {
    process.stdout.write(
      `首次启动：管理员账号 ${first.username}，临时密码 ${first.password}（首次登录须修改）\n` +
        `First run: administrator ${first.username}, one-time password ${first.password} (change it at first sign-in)\n`,
    );
  }
  process.stdout.write(`Branch CRM (browser mode): ${host.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void host
      .close()
      .then(() => services.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  runHost(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
