/**
 * Electron's journal path, run in Node: the runtime as Electron main starts it, with its journal
 * a JournalWindowClient on a MessagePort, and on the other end this window's own code
 * (serveJournalPort) over IndexedDB (fake-indexeddb here; real IndexedDB in
 * e2e/journal-indexeddb.spec.ts). The server sends frames without `data` (as soketi does):
 * the journal the window stores and exports must be one JSON object per line, no blank lines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalWindowClient, parseNdjsonJournal, type JournalPort } from '../../../shared/journal';
import { openJournalStore } from '../../../shared/journal/store';
import { startRuntime } from '../../../electron/core/runtime';
import { readJournalLines, scriptWithoutData } from '../../../test-support/journal-lines';
import { startScriptedPusherServer, type ScriptedPusherServer } from '../../../test-support/scripted-pusher-server';
import { serveJournalPort } from './port-server';

let server: ScriptedPusherServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("Electron's journal window", () => {
  it('stores and exports frames without data as valid NDJSON lines', async () => {
    server = await startScriptedPusherServer(scriptWithoutData);
    const { port1, port2 } = new MessageChannel();
    // The window's side: its real entry code on a MessagePort (Node's has the same onmessage/postMessage/start).
    serveJournalPort(port2 as unknown as MessagePort, openJournalStore({ indexedDB: new IDBFactory(), IDBKeyRange }));
    const port: JournalPort = {
      post: (request) => port1.postMessage(request),
      onMessage: (listener) => {
        port1.on('message', listener);
        return () => port1.off('message', listener);
      },
    };
    const client = new JournalWindowClient(port);
    await client.ready;
    let text = '';
    const runtime = await startRuntime({
      transport: 'electron',
      version: 'test',
      demo: false,
      journal: { journal: client, location: mkdtempSync(join(tmpdir(), 'echoscope-window-')) },
    });
    try {
      const saved = await runtime.service.invoke('profiles.save', {
        id: 'scripted',
        name: 'scripted',
        kind: 'reverb',
        host: server.host,
        port: server.port,
        tls: false,
        key: 'k',
        auth: { mode: 'secret', secret: 's' },
        channels: ['private-ai.nd3'],
      });
      expect(saved.ok).toBe(true);
      expect((await runtime.service.invoke('connections.connect', { profileId: 'scripted' })).ok).toBe(true);
      const deadline = Date.now() + 15_000;
      while ((await client.query()).filter((record) => record.type === 'frame' && record.event === 'chunk.delivered').length < 3) {
        if (Date.now() > deadline) throw new Error('the journal window did not receive the frames');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Exported as the app's Export button does, while the window is open.
      for await (const piece of client.exportNdjson(new Date(0).toISOString())) text += piece;
    } finally {
      await runtime.close();
      port1.close();
    }

    const report = readJournalLines(text);
    expect(report.invalid).toEqual([]);
    expect(report.blank).toEqual([]);
    expect(report.endsWithNewline).toBe(true);
    const frames = report.records.filter((record) => record.type === 'frame');
    expect(
      frames
        .filter((frame) => !('data' in frame))
        .map((frame) => frame.event)
        .sort(),
    ).toEqual(['app.notice', 'pusher:ping', 'pusher_internal:subscription_succeeded']);
    expect(frames.filter((frame) => frame.event === 'chunk.delivered')).toHaveLength(3);
    expect(parseNdjsonJournal(text).summary.issues).toEqual([]);
  }, 40_000);
});
