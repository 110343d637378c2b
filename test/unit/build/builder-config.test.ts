/**
 * electron-builder.yml cannot be exercised here (packaging downloads Electron for Windows), so its
 * content is checked: it parses, electron-builder's own schema accepts it, and the Windows-specific
 * promises hold (NSIS x64, per-user, Chinese shortcut, native module unpacked, no sources shipped).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const requireHere = createRequire(import.meta.url);
// js-yaml and minimatch come with electron-builder; neither is a direct dependency, hence the guarded require.
const yaml = requireHere('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId: string;
  productName: string;
  executableName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  publish: unknown;
  extraMetadata: { main: string };
  win: { target: { target: string; arch: string[] }[]; icon: string; requestedExecutionLevel: string };
  nsis: Record<string, unknown>;
  electronFuses: Record<string, boolean>;
}

const RAW = readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
const config = yaml.load(RAW) as BuilderConfig;

function tryRequire<T>(id: string): T | null {
  try {
    return requireHere(id) as T;
  } catch {
    return null;
  }
}

describe('electron-builder.yml', () => {
  it('identifies the app consistently with the main process and package.json', () => {
    expect(config.appId).toBe('cn.branchcrm.workstation');
    const main = readFileSync(path.join(ROOT, 'main/index.ts'), 'utf8');
    expect(main).toContain(`APP_USER_MODEL_ID = '${config.appId}'`);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      productName: string;
      main: string;
    };
    // The product name decides %APPDATA%\<name>, where the store lives: both places must agree.
    expect(config.productName).toBe(pkg.productName);
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(config.executableName).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('packages only the built output', () => {
    expect(config.directories.output).toBe('release');
    expect(config.files).toContain('out/**');
    expect(config.files).toContain('package.json');
    for (const source of ['main', 'db', 'shared', 'renderer', 'test', 'build', 'src']) {
      expect(config.files.some((f) => f === `${source}/**` || f.startsWith(`${source}/`))).toBe(false);
    }
    expect(config.files).toContain('!out/**/*.map');
  });

  it('unpacks the SQLite driver’s native module from the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack.some((p) => p.includes('better-sqlite3-multiple-ciphers') && p.endsWith('.node'))).toBe(
      true,
    );
    const mm = tryRequire<{ minimatch: (p: string, g: string) => boolean }>('minimatch');
    if (mm) {
      const file = 'node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node';
      expect(config.asarUnpack.some((g) => mm.minimatch(file, g))).toBe(true);
    }
    expect(config.npmRebuild).toBe(true);
  });

  it('builds an all-users NSIS installer (Program Files, not user-writable) for Windows x64 in Chinese and English', () => {
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.win.requestedExecutionLevel).toBe('asInvoker');
    expect(config.nsis).toMatchObject({
      oneClick: false,
      perMachine: true,
      allowToChangeInstallationDirectory: false,
      createDesktopShortcut: true,
      deleteAppDataOnUninstall: false,
    });
    expect(config.nsis.installerLanguages).toEqual(['zh_CN', 'en_US']);
    expect(config.nsis.language).toBe('2052');
    expect(String(config.nsis.shortcutName)).toMatch(/[\u4e00-\u9fff]/);
    expect(config.publish).toBeNull();
  });

  it('flips the Electron fuses that would let the binary run as plain Node or load code outside its asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('points at icon files that exist', () => {
    for (const icon of [config.win.icon, config.nsis.installerIcon, config.nsis.uninstallerIcon]) {
      expect(existsSync(path.join(ROOT, String(icon))), String(icon)).toBe(true);
    }
    expect(existsSync(path.join(ROOT, config.directories.buildResources, 'icon.png'))).toBe(true);
  });

  it('is accepted by electron-builder’s own schema', async () => {
    const lib = tryRequire<{
      getConfig(dir: string, file: string | null, extra: unknown): Promise<unknown>;
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    }>('app-builder-lib/out/util/config/config');
    const util = tryRequire<{ DebugLogger: new (enabled: boolean) => unknown }>('builder-util');
    if (!lib || !util) return; // electron-builder not installed: the YAML checks above still ran
    const loaded = await lib.getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
    await expect(lib.validateConfiguration(loaded, new util.DebugLogger(false))).resolves.toBeUndefined();
  });

  it('documents install-app-deps and keeps it out of postinstall', () => {
    expect(RAW).toContain('install-app-deps');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    for (const [name, script] of Object.entries(pkg.scripts ?? {})) {
      if (/install/.test(name)) expect(script).not.toContain('install-app-deps');
    }
  });
});

/** Every .ts file under a source folder (main-process side only). */
function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const p = path.join(abs, name);
    if (statSync(p).isDirectory()) return sources(path.join(dir, name));
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

describe('renderer-only packages excluded from app.asar', () => {
  const pattern = config.files.find((f) => f.startsWith('!node_modules/{') && !f.includes('better-sqlite3'));
  const excluded = pattern?.slice('!node_modules/{'.length, pattern.indexOf('}')).split(',') ?? [];

  it('lists the heavy renderer packages', () => {
    expect(excluded).toEqual(expect.arrayContaining(['react', 'react-dom', 'echarts', 'ag-grid-community']));
  });

  it('are never imported by code that runs in the main process', () => {
    const offenders: string[] = [];
    for (const file of [...sources('main'), ...sources('db'), ...sources('shared')]) {
      const text = readFileSync(file, 'utf8');
      for (const pkg of excluded) {
        const re = new RegExp(
          `(?:from\\s+|import\\(\\s*|require\\(\\s*)['"]${pkg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/[^'"]*)?['"]`,
        );
        if (re.test(text.replace(/^\s*import\s+type\b.*$/gm, '')))
          offenders.push(`${path.relative(ROOT, file)} -> ${pkg}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
