/**
 * The native dialog text shown when the app cannot start (pure; no 'electron' import so it is unit
 * tested in Node). Tellers see this before any renderer or i18n exists, and branch IT often reads it
 * over the phone or from a screenshot, so every message carries both zh-CN and en and names the file.
 *
 * No stack traces or SQL go into the dialog; main/index.ts logs the full error to stderr once.
 */
import { storeText, storeTextBoth } from '../store-messages';

/**
 * Exit code of an Electron start that failed *and already told the user why* (the dialog above).
 * build/scripts/launch.mjs must not treat it as "Electron is unavailable" and start browser mode over a
 * damaged store, so it keeps a copy of this number (test/unit/build/launch.test.ts checks they agree).
 */
export const EXIT_STARTUP_FAILED = 3;

export interface StartupErrorText {
  title: string;
  message: string;
}

interface Described {
  zh: string;
  en: string;
  /** Whether naming the data file helps (it does not for a broken install). */
  showFile?: boolean;
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function fileOf(err: unknown, fallback: string): string {
  const details = (err as { details?: unknown } | null)?.details;
  const file = (details as { file?: unknown } | null | undefined)?.file;
  return typeof file === 'string' && file.length > 0 ? file : fallback;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** better-sqlite3 compiled for Node instead of Electron (install-app-deps never ran): see electron-builder.yml. */
function isNativeModuleMismatch(err: unknown): boolean {
  const msg = messageOf(err);
  return (
    codeOf(err) === 'ERR_DLOPEN_FAILED' ||
    msg.includes('NODE_MODULE_VERSION') ||
    msg.includes('was compiled against a different Node.js version')
  );
}

function detail(err: unknown, name: string): string | null {
  const details = (err as { details?: unknown } | null)?.details;
  const v = (details as Record<string, unknown> | null | undefined)?.[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** What went wrong with the store, in both languages (the start-up dialog's words; `crm check`'s reason). */
export function explainStoreError(err: unknown, dbPath: string): { zh: string; en: string } {
  const { zh, en } = explain(err, dbPath);
  return { zh, en };
}

function explain(err: unknown, dbPath: string): Described {
  if (isNativeModuleMismatch(err)) {
    return {
      zh: '数据库组件与本程序版本不匹配，程序安装不完整。请联系系统管理员重新安装。',
      en: 'The database component does not match this version of the program; the installation is incomplete. Ask your administrator to reinstall it.',
      showFile: false,
    };
  }
  switch (codeOf(err)) {
    case 'STORE_DAMAGED': {
      // Names the file and offers the newest backup (shared/i18n/domains/store-protection.json).
      const backup = detail(err, 'backup');
      const file = fileOf(err, dbPath);
      return {
        ...storeTextBoth(backup ? 'storeProtection.damaged' : 'storeProtection.damagedNoBackup', { file, backup }),
        showFile: false,
      };
    }
    case 'STORE_KEY_MISSING':
    case 'STORE_KEY_WRONG': {
      const file = fileOf(err, dbPath);
      const keyFile = detail(err, 'keyFile') ?? `${file}.key`;
      const key = codeOf(err) === 'STORE_KEY_MISSING' ? 'storeProtection.keyMissing' : 'storeProtection.keyWrong';
      return { ...storeTextBoth(key, { file, keyFile }), showFile: false };
    }
    case 'STORE_ENCRYPT_FAILED': {
      const details = (err as { details?: { originalUnchanged?: unknown } } | null)?.details;
      const key =
        details?.originalUnchanged === false
          ? 'storeProtection.encryptFailedAfterSwap'
          : 'storeProtection.encryptFailed';
      return { ...storeTextBoth(key, { file: fileOf(err, dbPath), backup: detail(err, 'backup') }), showFile: false };
    }
    case 'STORE_IN_USE':
      return {
        zh: '本数据文件已被另一个正在运行的网点客户关系管理程序打开（同一台电脑上）。请切换到已打开的窗口，或先关闭它再启动。',
        en: 'This data file is already open in another running Branch CRM on this PC. Switch to that window, or close it before starting again.',
        showFile: true,
      };
    case 'STORE_TOO_NEW':
      return {
        zh: '数据文件由更新版本的程序创建，本程序无法打开。请安装最新版本。',
        en: 'The data file was created by a newer version of this program. Install the latest version to open it.',
      };
    case 'STORE_TOO_OLD':
    case 'STORE_MIGRATION_MISMATCH':
      return {
        zh: '数据文件的结构版本与本程序不一致，无法安全打开。请联系系统管理员。',
        en: 'The data file’s structure does not match this version of the program, so it cannot be opened safely. Contact your administrator.',
      };
    case 'STORE_MIGRATION_FAILED': {
      // Where the backup is and how to go back (shared/i18n/domains/upgrade.json, as the progress page).
      const backup = detail(err, 'backup');
      if (!backup) {
        return {
          zh: '升级数据文件失败，数据未被修改。升级前的备份位于同一文件夹下的 backups 目录。请联系系统管理员。',
          en: 'Upgrading the data file failed and it was left unchanged. A backup taken before the upgrade is in the "backups" folder next to it. Contact your administrator.',
        };
      }
      const text = (lang: 'zh-CN' | 'en') =>
        [
          storeText(lang, 'upgrade.failedLead'),
          storeText(lang, 'upgrade.failedBackup', { backup }),
          storeText(lang, 'upgrade.howBack'),
          `1. ${storeText(lang, 'upgrade.back1')}`,
          `2. ${storeText(lang, 'upgrade.back2', { file: fileOf(err, dbPath) })}`,
        ].join('\n');
      return { zh: text('zh-CN'), en: text('en'), showFile: false };
    }
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
      return {
        zh: '无法读写数据文件：没有权限，或所在文件夹不可用。请确认文件夹存在且当前 Windows 用户有写入权限。',
        en: 'The data file cannot be read or written: access was denied or its folder is unavailable. Check that the folder exists and the current Windows user may write to it.',
      };
    case 'EBUSY':
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return {
        zh: '数据文件正被其他程序占用（例如备份或杀毒软件）。请稍后再试。',
        en: 'The data file is in use by another program (for example backup or antivirus software). Try again in a moment.',
      };
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return {
        zh: '磁盘空间不足，无法打开数据文件。请清理磁盘后重试。',
        en: 'The disk is full, so the data file cannot be opened. Free some space and try again.',
      };
    default:
      return {
        zh: '程序启动失败。详细信息已写入日志，请联系系统管理员。',
        en: 'The program could not start. Details were written to the log; contact your administrator.',
      };
  }
}

/** Builds the dialog for a start-up failure; `dbPath` is the file we tried to open. */
export function describeStartupError(err: unknown, dbPath: string): StartupErrorText {
  const d = explain(err, dbPath);
  const code = codeOf(err) || 'INTERNAL';
  const lines = [d.zh, '', d.en];
  if (d.showFile !== false) lines.push('', `数据文件 / Data file: ${fileOf(err, dbPath)}`);
  lines.push('', `错误代码 / Error code: ${code}`);
  return {
    title: '网点客户关系管理 - 无法启动 / Branch CRM cannot start',
    message: lines.join('\n'),
  };
}
