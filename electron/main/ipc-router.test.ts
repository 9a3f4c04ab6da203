/**
 * The IPC router's side of subscriptions, in Node against the labelled TEST DOUBLE of `electron`
 * (test-support/electron-double.ts; Electron's binary cannot run here): a window's subscriptions
 * are its own — only the window whose Live view subscribed gets row pushes (counted in what the
 * double's webContents was sent), and a reload or a closed window drops them; a hash route's
 * change does not. The service is the real AppService; records are captured as the hub hands them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_QUERY, IPC_INVOKE_CHANNEL, IPC_PUSH_CHANNEL, IPC_READY_CHANNEL } from '../../shared/api';
import { electronDouble, FakeBrowserWindow } from '../../test-support/electron-double';
import { AppService } from '../core/app';
import { registerIpcRouter } from './ipc-router';

vi.mock('electron', async () => (await import('../../test-support/electron-double')).electronDouble);

const { ipcMain } = electronDouble;
let service: AppService | undefined;
let unregister: (() => void) | undefined;
afterEach(() => {
  unregister?.();
  service?.close();
  electronDouble.reset();
});

async function dashboard(): Promise<FakeBrowserWindow> {
  const window = new FakeBrowserWindow();
  await window.loadURL('file:///opt/echoscope/out/renderer/index.html');
  return window;
}

/** Row pushes a window was sent: `subscriptions.deltas` messages carrying session rows. */
function rowPushes(window: FakeBrowserWindow): number {
  return window.webContents.sent.filter(
    ([channel, push, payload]) => channel === IPC_PUSH_CHANNEL && push === 'subscriptions.deltas' && JSON.stringify(payload).includes('"sessionId"'),
  ).length;
}

function frame(sessionId: string, sequence: number) {
  return {
    type: 'frame' as const,
    at: Date.now(),
    connection: 'c1',
    channel: `private-ai.${sessionId}`,
    event: 'chunk.delivered',
    data: { session_id: sessionId, chunk: `${sequence} `, sequence, state: 'generating', termination_code: null },
  };
}

describe('IPC router subscriptions', () => {
  it('sends rows only to the window whose Live view subscribed; a reload or a closed window drops its subscriptions', async () => {
    service = new AppService({ transport: 'electron', version: 't', monitor: { tickMs: 50 } });
    unregister = registerIpcRouter(Promise.resolve(service), () => true);
    const bare = await dashboard();
    const live = await dashboard();
    ipcMain.emit(IPC_READY_CHANNEL, bare.webContents.ipcEvent());
    // A view subscribes before the app says ready (child effects run first): the window's target is made for it.
    const answer = await ipcMain.invoke(IPC_INVOKE_CHANNEL, live.webContents.ipcEvent(), 'subscriptions.subscribe', {
      id: 'w-1',
      topic: 'live',
      params: { offset: 0, limit: 50, query: DEFAULT_QUERY },
    });
    expect(answer).toMatchObject({ ok: true, value: { id: 'w-1', snapshot: { total: 0 } } });
    ipcMain.emit(IPC_READY_CHANNEL, live.webContents.ipcEvent());
    expect(service.subscriptionCount('live')).toBe(1);

    for (let sequence = 1; sequence <= 20; sequence++) service.capture(frame('w', sequence));
    await vi.waitFor(() => expect(rowPushes(live)).toBeGreaterThan(0), { timeout: 5000 });
    const seen = rowPushes(live);
    for (let sequence = 21; sequence <= 40; sequence++) service.capture(frame('w', sequence));
    await vi.waitFor(() => expect(rowPushes(live)).toBeGreaterThan(seen), { timeout: 5000 });
    expect(rowPushes(bare)).toBe(0);
    expect(bare.webContents.sent.filter(([, push]) => push === 'subscriptions.deltas')).toEqual([]);

    // A hash route's change is the same page: it keeps its subscriptions. A reload is a new page: they go.
    live.webContents.emit('did-start-navigation', { isSameDocument: true, isMainFrame: true });
    expect(service.subscriptionCount('live')).toBe(1);
    live.webContents.emit('did-start-navigation', { isSameDocument: false, isMainFrame: true });
    expect(service.subscriptionCount('live')).toBe(0);

    // The reloaded page subscribes again; then its window closes and takes them along.
    await ipcMain.invoke(IPC_INVOKE_CHANNEL, live.webContents.ipcEvent(), 'subscriptions.subscribe', { id: 'w-2', topic: 'session', params: { sessionId: 'w' } });
    await ipcMain.invoke(IPC_INVOKE_CHANNEL, bare.webContents.ipcEvent(), 'subscriptions.subscribe', { id: 'w-2', topic: 'fleet', params: {} });
    expect(service.subscriptionCount()).toBe(2);
    live.webContents.destroy();
    expect([service.subscriptionCount(), service.subscriptionCount('fleet')]).toEqual([1, 1]);
  });

  it('refuses a subscription from a frame that is not the dashboard’s main frame', async () => {
    service = new AppService({ transport: 'electron', version: 't' });
    unregister = registerIpcRouter(Promise.resolve(service), () => true);
    const window = await dashboard();
    const refused = await ipcMain.invoke(IPC_INVOKE_CHANNEL, window.webContents.ipcEvent(window.webContents.subframe()), 'subscriptions.subscribe', {
      id: 'f-1',
      topic: 'tail',
      params: {},
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(service.subscriptionCount()).toBe(0);
  });
});
