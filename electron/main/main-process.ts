import { app, session, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { JournalHealth } from '../../shared/api';
import { SettingsFile, type AppService } from '../core/app';
import type { Runtime, RuntimeOptions } from '../core/runtime';
import { ExternalLinks } from './external-links';
import { registerIpcRouter } from './ipc-router';
import { openSupervisedJournalWindow, type SupervisedJournalWindow } from './journal-window';
import { Notices } from './notices';
import { denyAllPermissions } from './permissions';
import { installProcessErrorHandlers, type Phase } from './process-errors';
import { openProfileStore } from './profiles';
import { installQuitSequence, realTimers, type Timers } from './quit-sequence';
import { rendererLocation, type RendererLocation } from './renderer-location';
import { saveDialog } from './save-dialog';
import { createDashboardWindow } from './window';

export interface MainProcessOptions {
  /** The build's `out/` folder (renderer and preloads are found there). */
  outDir: string;
  startRuntime(options: RuntimeOptions): Promise<Runtime>;
  env?: NodeJS.ProcessEnv;
  timers?: Timers;
  /** How long quitting waits for the runtime (and the journal's last batch) to close. */
  quitTimeoutMs?: number;
  /** How long start-up waits for the journal window's store to open. */
  journalTimeoutMs?: number;
}

export interface MainProcess {
  /** Settles once the windows and the runtime are up, or failed to come up. */
  started: Promise<void>;
  notices: Notices;
  /** The dashboard window, while it is open. */
  dashboard(): BrowserWindow | undefined;
}

export const QUIT_TIMEOUT_MS = 5_000;
export const JOURNAL_TIMEOUT_MS = 15_000;

/**
 * Electron's lifecycle (everything else lives in electron/core): the dashboard window first —
 * it is what tests, `second-instance` and dialogs look for — then the hidden journal window, then
 * the runtime. The IPC router is registered before the dashboard loads and waits for the runtime.
 */
export function startMainProcess(options: MainProcessOptions): MainProcess {
  const env = options.env ?? process.env;
  const timers = options.timers ?? realTimers;
  let dashboard: BrowserWindow | undefined;
  let journalWindow: SupervisedJournalWindow | undefined;
  // The journal's health, relayed to the runtime once it listens (a restart is told to every window).
  let journalHealth: (health: JournalHealth) => void = () => undefined;
  let runtime: Runtime | undefined;
  let location: RendererLocation | undefined;
  let unregister: (() => void) | undefined;
  let phase: Phase = 'starting';
  let quitting = () => false;

  const liveDashboard = () => (dashboard && !dashboard.isDestroyed() ? dashboard : undefined);
  const notices = new Notices();
  installProcessErrorHandlers(notices, () => (quitting() ? 'quitting' : phase));

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { started: Promise.resolve(), notices, dashboard: liveDashboard };
  }

  const links = new ExternalLinks(liveDashboard);
  const openDashboard = (where: RendererLocation): BrowserWindow => {
    const window = createDashboardWindow(where, links);
    dashboard = window;
    // The hidden journal window never closes by itself, so closing the dashboard is what quits (except on macOS).
    window.on('closed', () => {
      if (dashboard === window) dashboard = undefined;
      if (process.platform !== 'darwin') app.quit();
    });
    return window;
  };

  // A second launch brings the dashboard forward — never the hidden journal window.
  app.on('second-instance', () => {
    if (!location || quitting()) return;
    const window = liveDashboard() ?? openDashboard(location);
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  const started = app.whenReady().then(async () => {
    notices.setReady();
    denyAllPermissions(session.defaultSession);
    const where = rendererLocation(options.outDir, { isPackaged: app.isPackaged, devServerUrl: env.ELECTRON_RENDERER_URL });
    location = where;
    let resolveService!: (service: AppService) => void;
    let rejectService!: (error: unknown) => void;
    const services = new Promise<AppService>((resolve, reject) => {
      resolveService = resolve;
      rejectService = reject;
    });
    services.catch(() => undefined); // answered per call by the router
    unregister = registerIpcRouter(services, where.isTrusted);
    openDashboard(where);

    // The journal lives in a hidden window (Dexie needs IndexedDB); it outlives UI reloads.
    journalWindow = await withTimeout(
      openSupervisedJournalWindow(where, { onWarning: (message) => console.warn(`EchoScope: ${message}`), onHealth: (health) => journalHealth(health) }),
      options.journalTimeoutMs ?? JOURNAL_TIMEOUT_MS,
      timers,
      'the journal window did not open its store in time',
    ).catch((error: unknown) => {
      notices.tell({
        type: 'warning',
        message: 'The journal did not start: nothing will be recorded in this run.',
        detail: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    });
    const environment = metricsEnvironment(env, notices);
    try {
      runtime = await options.startRuntime({
        // Settings' Metrics section changes these live; ECHOSCOPE_METRICS_PORT wins over it.
        metricsOutputs: { ...(environment ? { environment } : {}), store: new SettingsFile(join(app.getPath('userData'), 'settings.json')).metrics },
        transport: 'electron',
        version: app.getVersion(),
        demo: env.ECHOSCOPE_NO_DEMO !== '1',
        profiles: openProfileStore(join(app.getPath('userData'), 'profiles.json'), notices),
        ...(journalWindow
          ? {
              journal: {
                journal: journalWindow.journal,
                location: 'IndexedDB (journal window)',
                health: journalWindow.health,
                watchHealth: (listener) => (journalHealth = listener),
                engine: journalWindow.engine,
              },
            }
          : {}),
        chooseSaveFile: saveDialog(liveDashboard),
      });
      resolveService(runtime.service);
    } catch (error) {
      rejectService(error);
      notices.tell({ type: 'error', message: 'EchoScope could not start its services.', detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
    phase = 'running';
    app.on('activate', () => {
      if (!liveDashboard()) openDashboard(where);
    });
  });

  quitting = installQuitSequence({
    shutdown: async () => {
      await started.catch(() => undefined);
      unregister?.();
      await runtime?.close();
    },
    finish: () => void journalWindow?.close(),
    timeoutMs: options.quitTimeoutMs ?? QUIT_TIMEOUT_MS,
    timers,
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  return { started, notices, dashboard: liveDashboard };
}

/**
 * The desktop app's `/metrics` is off unless Settings turns it on, or `ECHOSCOPE_METRICS_PORT=N`
 * (0 = a free port) serves it on 127.0.0.1:N (`ECHOSCOPE_METRICS_HOST` for another interface),
 * over what Settings say. A value that is not a port is said, and Settings decide.
 */
function metricsEnvironment(env: NodeJS.ProcessEnv, notices: Notices): { variable: string; port: number; host: string } | undefined {
  const raw = env.ECHOSCOPE_METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    notices.tell({
      type: 'warning',
      message: 'ECHOSCOPE_METRICS_PORT is not a port number: it is ignored, and Settings decide where metrics go.',
      detail: `ECHOSCOPE_METRICS_PORT=${raw}; use 0–65535 (0: a free port).`,
    });
    return undefined;
  }
  return { variable: 'ECHOSCOPE_METRICS_PORT', port, host: env.ECHOSCOPE_METRICS_HOST || '127.0.0.1' };
}

function withTimeout<T>(promise: Promise<T>, ms: number, timers: Timers, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimer(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        timers.clearTimer(timer);
        resolve(value);
      },
      (error: unknown) => {
        timers.clearTimer(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
