import { ipcMain, type WebContents, type WebFrameMain } from 'electron';
import { IPC_INVOKE_CHANNEL, IPC_READY_CHANNEL, IPC_PUSH_CHANNEL, fail } from '../../shared/api';
import type { AppService, PushBatcher } from '../core/app';

/**
 * The only file that registers IPC handlers (DESIGN §3, STYLE §3): every call must
 * come from the main frame of one of our windows, showing our renderer; the payload
 * is validated by the shared schemas inside `service.handle` before any service sees it.
 *
 * Registered before the dashboard window loads, with the service still starting: calls wait for
 * it (and are answered `internal` if it failed to start), so the dashboard can be the first window.
 */
export function registerIpcRouter(services: Promise<AppService>, isTrustedUrl: (url: string) => boolean): () => void {
  const targets = new Map<number, PushBatcher>();
  let closed = false;

  const isTrusted = (sender: WebContents, frame: WebFrameMain | null): boolean => frame !== null && frame === sender.mainFrame && isTrustedUrl(frame.url);

  /** A window's push target (its pushes and its subscriptions), made the first time it calls or says it is ready. */
  const targetOf = (service: AppService, contents: WebContents): PushBatcher | undefined => {
    if (closed || contents.isDestroyed()) return undefined;
    const known = targets.get(contents.id);
    if (known) return known;
    const created = service.addPushTarget((push, payload) => {
      if (!contents.isDestroyed()) contents.send(IPC_PUSH_CHANNEL, push, payload);
    });
    targets.set(contents.id, created);
    // A reload (not a hash route's change) starts a new renderer: its subscriptions go with the old page; it will say ready again, until then, queue.
    contents.on('did-start-navigation', (details: { isSameDocument?: boolean; isMainFrame?: boolean } | undefined) => {
      if (details?.isSameDocument === true || details?.isMainFrame === false) return;
      created.reset();
    });
    contents.once('destroyed', () => {
      service.removePushTarget(created);
      targets.delete(contents.id);
    });
    return created;
  };

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, command: unknown, request: unknown) => {
    if (!isTrusted(event.sender, event.senderFrame)) {
      return fail('invalid_request', 'IPC from an untrusted frame was refused');
    }
    let service: AppService;
    try {
      service = await services;
    } catch (error) {
      return fail('internal', `EchoScope did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The window's own subscriptions: a subscribe before `ready` (a view mounts before the app says it listens) makes its target.
    const client = command === 'subscriptions.subscribe' || command === 'subscriptions.unsubscribe' ? targetOf(service, event.sender) : targets.get(event.sender.id);
    return service.handle(command, request, client);
  });

  ipcMain.on(IPC_READY_CHANNEL, (event) => {
    if (!isTrusted(event.sender, event.senderFrame)) return;
    const contents = event.sender;
    services.then(
      (service) => targetOf(service, contents)?.ready(),
      () => undefined, // the invoke path reports the failed start
    );
  });

  return () => {
    closed = true;
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    ipcMain.removeAllListeners(IPC_READY_CHANNEL);
    void services.then(
      (service) => {
        for (const target of targets.values()) service.removePushTarget(target);
        targets.clear();
      },
      () => undefined,
    );
  };
}
