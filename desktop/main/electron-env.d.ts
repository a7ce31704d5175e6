// The `electron` package is an optional dependency that `npm install` drops on
// machines where its binary cannot be downloaded (docs/desktop.md). These are
// the few declarations the two Electron entry files use, so that type-checking
// works with or without the package; the real types win when it is installed.
declare module 'electron' {
  interface WebPreferences {
    preload?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    webSecurity?: boolean;
  }
  interface WebContents {
    on(
      event: 'will-navigate',
      listener: (event: { preventDefault(): void }, url: string) => void,
    ): this;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
    getURL(): string;
    getLastWebPreferences(): WebPreferences | null;
  }
  export class BrowserWindow {
    constructor(options: {
      width?: number;
      height?: number;
      minWidth?: number;
      minHeight?: number;
      title?: string;
      show?: boolean;
      webPreferences?: WebPreferences;
    });
    webContents: WebContents;
    loadURL(url: string): Promise<void>;
    loadFile(file: string): Promise<void>;
    once(event: 'ready-to-show', listener: () => void): this;
    show(): void;
    static getAllWindows(): BrowserWindow[];
  }
  export const app: {
    whenReady(): Promise<void>;
    getPath(name: 'userData'): string;
    getAppPath(): string;
    getVersion(): string;
    quit(): void;
    on(event: 'window-all-closed' | 'activate' | 'will-quit', listener: () => void): void;
    on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): void;
    on(
      event: 'web-contents-created',
      listener: (event: unknown, contents: WebContents) => void,
    ): void;
  };
  export const shell: { openExternal(url: string): Promise<void> };
  export const dialog: { showErrorBox(title: string, content: string): void };
  export const session: {
    defaultSession: {
      setPermissionRequestHandler(
        handler: (
          contents: WebContents,
          permission: string,
          callback: (granted: boolean) => void,
        ) => void,
      ): void;
    };
  };
}
