/**
 * A deliberately small application menu in zh-CN. Electron's default menu offers "Toggle Developer
 * Tools", "Force Reload" and links to electronjs.org; none of those belong on a teller's PC. Reload and
 * devtools appear only in unpackaged (developer) builds.
 */
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  developer: boolean;
  getWindow: () => BrowserWindow | null;
  version: string;
}

function aboutDialog(opts: MenuOptions): void {
  const win = opts.getWindow();
  const info = {
    type: 'info' as const,
    title: '关于 / About',
    message: '网点客户关系管理 / Branch CRM',
    detail: `版本 / Version ${opts.version}\nElectron ${process.versions.electron ?? '-'}`,
    buttons: ['确定 / OK'],
    noLink: true,
  };
  void (win && !win.isDestroyed() ? dialog.showMessageBox(win, info) : dialog.showMessageBox(info));
}

export function buildMenuTemplate(opts: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = process.platform === 'darwin';

  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom', label: '实际大小' },
    { role: 'zoomIn', label: '放大' },
    { role: 'zoomOut', label: '缩小' },
    { type: 'separator' },
    { role: 'togglefullscreen', label: '全屏' },
  ];
  if (opts.developer) {
    view.push(
      { type: 'separator' },
      { role: 'reload', label: '重新加载（开发）' },
      { role: 'toggleDevTools', label: '开发者工具（开发）' },
    );
  }

  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '文件',
      submenu: [isMac ? { role: 'close', label: '关闭窗口' } : { role: 'quit', label: '退出' }],
    },
    {
      // Needed on macOS for Ctrl/Cmd+C/V in inputs; harmless on Windows, and it gives the labels in Chinese.
      label: '编辑',
      submenu: [
        { role: 'undo', label: '撤销' },
        { role: 'redo', label: '重做' },
        { type: 'separator' },
        { role: 'cut', label: '剪切' },
        { role: 'copy', label: '复制' },
        { role: 'paste', label: '粘贴' },
        { role: 'selectAll', label: '全选' },
      ],
    },
    { label: '视图', submenu: view },
    {
      label: '帮助',
      submenu: [{ label: '关于', click: () => aboutDialog(opts) }],
    },
  ];
}

export function installMenu(opts: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(opts)));
}

/** For the About box; package.json's version is what the installer was built from. */
export function appVersion(): string {
  return app.getVersion();
}
