/**
 * A TEST DOUBLE of the `electron` module — not Electron. Electron's binary cannot be downloaded
 * or run on the machines these tests run on, so main's modules are loaded in plain Node with
 * `vi.mock('electron', () => electronDouble)`. It models only what main uses, the way Electron
 * documents it: app events and quitting (before-quit → windows closed → will-quit → quit, each
 * preventable; `exit` skips them), windows and their webContents, ipcMain, the default session,
 * shell, dialog, safeStorage and MessageChannelMain (on Node's MessageChannel). What it records
 * (windows in creation order, dialogs, opened URLs, focus) is what the tests assert on; what real
 * Electron does beyond this is covered by the Playwright `_electron` spec where a binary exists.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** A frame: `sender.mainFrame`, or a subframe made with `subframe()`. */
export interface FakeFrame {
  url: string;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame: FakeFrame = { url: '' };
  readonly session = defaultSession;
  readonly sent: unknown[][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  private destroyed = false;

  constructor(readonly window: FakeBrowserWindow) {
    super();
  }

  getURL(): string {
    return this.mainFrame.url;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  postMessage(channel: string, message: unknown, transfer: FakeMessagePortMain[] = []): void {
    electronDouble.onPostMessage(this.window, channel, message, transfer);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed');
  }

  /** The page tries to navigate (a link, `location = …`): returns whether main prevented it. */
  navigate(url: string): boolean {
    const event = new FakeEvent(url);
    this.emit('will-navigate', event);
    return event.defaultPrevented;
  }
  /** The page calls `window.open(url)` / follows a `target=_blank` link. */
  open(url: string): { action: string } {
    if (!this.windowOpenHandler) return { action: 'allow' };
    return this.windowOpenHandler({ url });
  }
  /** An IPC event as Electron builds it for a message from this page's main frame. */
  ipcEvent(frame: FakeFrame | null = this.mainFrame): { sender: FakeWebContents; senderFrame: FakeFrame | null } {
    return { sender: this, senderFrame: frame };
  }
  /** A child frame (an iframe) of this page, at `url`. */
  subframe(url: string = this.mainFrame.url): FakeFrame {
    return { url };
  }
}

export class FakeBrowserWindow extends EventEmitter {
  /** Every window ever created, in creation order (destroyed ones too). */
  static created: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.created.filter((window) => !window.isDestroyed());
  }

  readonly webContents = new FakeWebContents(this);
  visible = false;
  minimized = false;
  focusCount = 0;
  private destroyed = false;

  constructor(readonly options: { show?: boolean; webPreferences?: Record<string, unknown> } = {}) {
    super();
    FakeBrowserWindow.created.push(this);
    if (options.show !== false) this.visible = true;
  }

  /** The page's URL, as Playwright's `page.url()` would report it. */
  get url(): string {
    return this.webContents.mainFrame.url;
  }

  loadURL(url: string): Promise<void> {
    this.webContents.mainFrame.url = url;
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  loadFile(file: string): Promise<void> {
    return this.loadURL(pathToFileURL(file).href);
  }
  show(): void {
    this.visible = true;
  }
  isVisible(): boolean {
    return this.visible;
  }
  minimize(): void {
    this.minimized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  focus(): void {
    this.focusCount++;
    electronDouble.focused.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** As a user closing it: 'close' (preventable), then destroyed. */
  close(): void {
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  gotLock = true;
  userData = '/nonexistent/echoscope-test-userdata';
  /** The exit code once the process "exited" (by `exit`, or a quit nobody prevented). */
  exitCode: number | undefined;
  /** What ended the process: 'exit' (app.exit) or 'quit' (a quit that ran to the end). */
  endedBy: 'exit' | 'quit' | undefined;
  exited!: Promise<number>;
  private resolveExited!: (code: number) => void;
  private ready = false;
  private readyPromise!: Promise<void>;
  private resolveReady!: () => void;

  constructor() {
    super();
    this.reset();
  }

  reset(): void {
    this.removeAllListeners();
    this.isPackaged = false;
    this.gotLock = true;
    this.exitCode = undefined;
    this.endedBy = undefined;
    this.ready = false;
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  /** What Electron does once it has initialised. */
  emitReady(): void {
    this.ready = true;
    this.resolveReady();
    this.emit('ready');
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.ready;
  }
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getPath(name: string): string {
    if (name === 'userData') return this.userData;
    if (name === 'downloads') return `${this.userData}/Downloads`;
    throw new Error(`electron double: app.getPath(${name}) is not modelled`);
  }

  /** Electron's quit: before-quit, then every window closes, then will-quit, then quit and exit. */
  quit(): void {
    if (this.exitCode !== undefined) return;
    const before = new FakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const window of FakeBrowserWindow.getAllWindows()) window.close();
    if (FakeBrowserWindow.getAllWindows().length > 0) return;
    const will = new FakeEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.emit('quit');
    this.end(0, 'quit');
  }

  /** Exits at once: no before-quit/will-quit, windows destroyed without 'close'. */
  exit(code = 0): void {
    if (this.exitCode !== undefined) return;
    for (const window of FakeBrowserWindow.getAllWindows()) window.destroy();
    this.end(code, 'exit');
  }

  private end(code: number, by: 'exit' | 'quit'): void {
    this.exitCode = code;
    this.endedBy = by;
    this.resolveExited(code);
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What `ipcRenderer.invoke` from a page reaches. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
  reset(): void {
    this.handlers.clear();
    this.removeAllListeners();
  }
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: unknown) => boolean;

class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  headersListener: ((details: { responseHeaders?: Record<string, string[]> }, callback: (response: unknown) => void) => void) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: FakeSession['headersListener']) => {
      this.headersListener = listener;
    },
  };

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: ((details: unknown) => boolean) | null): void {
    this.devicePermissionHandler = handler;
  }

  /** A page asks for a permission; resolves with the answer. Electron's default (no handler) grants it. */
  request(permission: string, contents: unknown = null): Promise<boolean> {
    const handler = this.permissionRequestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => handler(contents, permission, resolve, { requestingUrl: 'file:///' }));
  }
  /** A permission check (e.g. `navigator.permissions.query`). Electron's default (no handler) says yes. */
  check(permission: string, origin = 'file:///'): boolean {
    return this.permissionCheckHandler ? this.permissionCheckHandler(null, permission, origin, {}) : true;
  }
  reset(): void {
    this.permissionRequestHandler = null;
    this.permissionCheckHandler = null;
    this.devicePermissionHandler = null;
    this.headersListener = null;
  }
}
const defaultSession = new FakeSession();

export interface DialogCall {
  window: FakeBrowserWindow | undefined;
  options: { type?: string; message: string; detail?: string; buttons?: string[] };
}

type DialogSaveOptions = { title?: string; defaultPath?: string; filters?: Array<{ name: string; extensions: string[] }> };

class FakeDialog {
  readonly shown: DialogCall[] = [];
  readonly errorBoxes: Array<{ title: string; content: string }> = [];
  /** Which button the "user" clicks: a function of the dialog (default: the first button). */
  answer: (call: DialogCall) => number = () => 0;

  showMessageBox(windowOrOptions: FakeBrowserWindow | DialogCall['options'], maybeOptions?: DialogCall['options']): Promise<{ response: number; checkboxChecked: boolean }> {
    const call: DialogCall = windowOrOptions instanceof FakeBrowserWindow ? { window: windowOrOptions, options: maybeOptions! } : { window: undefined, options: windowOrOptions };
    this.shown.push(call);
    return Promise.resolve({ response: this.answer(call), checkboxChecked: false });
  }
  showErrorBox(title: string, content: string): void {
    this.errorBoxes.push({ title, content });
  }
  /** Save dialogs shown, with the window they were modal to. */
  readonly saves: Array<{ window: FakeBrowserWindow | undefined; options: { title?: string; defaultPath?: string; filters?: Array<{ name: string; extensions: string[] }> } }> = [];
  /** The path the "user" picks in a save dialog (null: cancelled). */
  saveAnswer: (defaultPath: string | undefined) => string | null = () => null;
  showSaveDialog(windowOrOptions: FakeBrowserWindow | DialogSaveOptions, maybeOptions?: DialogSaveOptions): Promise<{ canceled: boolean; filePath?: string }> {
    const call = windowOrOptions instanceof FakeBrowserWindow ? { window: windowOrOptions, options: maybeOptions! } : { window: undefined, options: windowOrOptions };
    this.saves.push(call);
    const path = this.saveAnswer(call.options.defaultPath);
    return Promise.resolve(path === null ? { canceled: true } : { canceled: false, filePath: path });
  }
  reset(): void {
    this.shown.length = 0;
    this.errorBoxes.length = 0;
    this.answer = () => 0;
    this.saves.length = 0;
    this.saveAnswer = () => null;
  }
}

class FakeShell {
  readonly opened: string[] = [];
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }
  reset(): void {
    this.opened.length = 0;
  }
}

/** safeStorage with a per-"machine" key: what one key sealed, another cannot open (as across machines or keychains). */
class FakeSafeStorage {
  available = true;
  backend: 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown' = 'gnome_libsecret';
  key = 'this-machine';

  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
  encryptString(plain: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.from(`${this.key}\u0000${plain}`);
  }
  decryptString(sealed: Buffer): string {
    const [key, plain] = sealed.toString().split('\u0000');
    if (key !== this.key || plain === undefined) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return plain;
  }
  reset(): void {
    this.available = true;
    this.backend = 'gnome_libsecret';
    this.key = 'this-machine';
  }
}

/** MessagePortMain on one end of a Node MessageChannel: 'message' listeners get `{data, ports}` like Electron's. */
export class FakeMessagePortMain {
  private readonly wrapped = new Map<(event: { data: unknown; ports: unknown[] }) => void, (data: unknown) => void>();
  constructor(readonly port: MessagePort) {}

  postMessage(message: unknown): void {
    this.port.postMessage(message);
  }
  on(event: 'message', listener: (event: { data: unknown; ports: unknown[] }) => void): this {
    const wrapper = (data: unknown) => listener({ data, ports: [] });
    this.wrapped.set(listener, wrapper);
    this.port.on(event, wrapper);
    return this;
  }
  off(event: 'message', listener: (event: { data: unknown; ports: unknown[] }) => void): this {
    const wrapper = this.wrapped.get(listener);
    if (wrapper) this.port.off(event, wrapper);
    return this;
  }
  start(): void {}
  close(): void {
    this.port.close();
  }
}

class FakeMessageChannelMain {
  readonly port1: FakeMessagePortMain;
  readonly port2: FakeMessagePortMain;
  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port1 = new FakeMessagePortMain(port1);
    this.port2 = new FakeMessagePortMain(port2);
  }
}

const app = new FakeApp();
const ipcMain = new FakeIpcMain();
const dialog = new FakeDialog();
const shell = new FakeShell();
const safeStorage = new FakeSafeStorage();

/** The module object handed to `vi.mock('electron', …)`, plus the test's controls. */
export const electronDouble = {
  app,
  BrowserWindow: FakeBrowserWindow,
  ipcMain,
  session: { defaultSession },
  dialog,
  shell,
  safeStorage,
  MessageChannelMain: FakeMessageChannelMain,
  /** Windows focused, in order. */
  focused: [] as FakeBrowserWindow[],
  /** Called for `webContents.postMessage` (the page's side of a transferred port); set by tests. */
  onPostMessage: (_window: FakeBrowserWindow, _channel: string, _message: unknown, _ports: FakeMessagePortMain[]): void => undefined,
  /** Back to a fresh, not-yet-ready Electron (same objects, so imported bindings stay valid). */
  reset(): void {
    // Silently: a 'closed' listener of the last test must not start a quit in the next one.
    for (const window of FakeBrowserWindow.getAllWindows()) {
      window.removeAllListeners();
      window.webContents.removeAllListeners();
      window.destroy();
    }
    FakeBrowserWindow.created = [];
    app.reset();
    ipcMain.reset();
    defaultSession.reset();
    dialog.reset();
    shell.reset();
    safeStorage.reset();
    electronDouble.focused.length = 0;
    electronDouble.onPostMessage = () => undefined;
  },
};
