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
  let services: Services;
  try {
    services = await createServices({
      dbPath,
      mode: 'browser',
      exclusive: true,
      encrypt: true,
      onEncryptProgress: printEncryptProgress(process.stdout),
    });
  } catch (err) {
    // The same two-language text the Electron dialog shows, for any failure (a read-only folder, a store
    // already open in another host, a damaged file): no stack trace for the user; the log keeps it.
    const text = describeStartupError(err, dbPath);
    process.stderr.write(`${text.title}\n\n${text.message}\n`);
    log.error('store could not be opened', {
      code: isAppError(err) ? err.code : ((err as { code?: string }).code ?? null),
      error: err instanceof Error ? err.message : String(err),
    });
    process.exit(2);
  }
  const first = await ensureFirstAdmin(services);
  const host = await startHost({
    registry: createRegistry(services),
    rendererDir: rendererDir(typeof values['renderer-dir'] === 'string' ? values['renderer-dir'] : undefined),
    port: typeof values.port === 'string' ? Number(values.port) : 0,
  });
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
